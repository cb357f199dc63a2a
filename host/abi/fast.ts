/**
 * The typed fast path of a lifted export whose parameters and result are all scalars
 * (`sandbox.fn('add')`): one function that checks the sandbox's call gate, checks each argument
 * inline, calls the core export itself and lifts its result inline, without the generic
 * lifting's closures (a lowerer per parameter, a lifter, the may-enter check, post-return) or the
 * sandbox's own wrapper around them.
 *
 * Made from Keel's own closures, one per arity (0 to 3 parameters); what differs between
 * signatures is data the closure holds: each parameter's check (an integer range as an offset and
 * a span, a float, or another scalar through its lowerer) and the result's lifting. Nothing is
 * generated from the component (docs/abi.md, "No code from data"). Argument checking is as strict
 * as the generic path's (the same errors: arity, range, number vs bigint, char validity).
 */
import { argumentError, arityError, type CoreFunction, scalarLifter, scalarLowerer } from './calls.js';
import { liftInt } from './codec.js';
import { type OptionSlot, trap } from './context.js';
import type { InstanceState } from './handles.js';
import type { FuncType, ValType } from './types.js';

/**
 * What a sandbox's fast path checks around a call (the kernel's sandbox implements it): the hot
 * part, a field and two methods of one class so that V8 inlines them into every fast-path
 * function.
 */
export interface CallGate {
  /** At most `GATE_OPEN` when a call may start at once; otherwise `CallOwner.refuse` decides. */
  busy: number;
  /** A call starts (`busy` was 0). */
  enter(): void;
  /** The call returned: true when it is done, false when `CallOwner.after` must look at it. */
  leave(): boolean;
}

/** `CallGate.busy` up to this: a call may start at once (the gate may keep a mark of its own below it). */
export const GATE_OPEN = 1;

/** The fast path's slow steps, which reach the sandbox itself. */
export interface CallOwner {
  /** `busy` was not 0: throws why a call may not start, or returns when it may after all. */
  refuse(): void;
  /** `leave` said to look: throws when the call must fail all the same (killed, out of fuel, past its deadline). */
  after(exportName: string): void;
  /** The call threw `error`: settles the sandbox and throws, or returns what the call returns (an exit). */
  fail(error: unknown, exportName: string): unknown;
}

/** A lifted export whose values are all scalars, as the component instance has it. */
export interface ScalarExport {
  readonly type: FuncType;
  readonly core: CoreFunction;
  readonly inst: InstanceState;
  readonly slot: OptionSlot;
}

const SCALARS = new Set(['bool', 'u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'char']);

/** Whether `sandbox.fn` can call the export through `scalarCall` (scalars only, at most 3 parameters). */
export function isScalarShape(ft: FuncType): boolean {
  return (
    ft.params.length <= 3 &&
    ft.params.every((p) => SCALARS.has(p.type.kind)) &&
    ft.results.length <= 1 &&
    ft.results.every((r) => SCALARS.has(r.type.kind) && r.name === undefined)
  );
}

/** An integer parameter's range as `value - offset` in [0, span]; others: offset NaN (never in range). */
const INT_SPANS: Record<string, [number, number]> = {
  u8: [0, 0xff],
  s8: [-0x80, 0xff],
  u16: [0, 0xffff],
  s16: [-0x8000, 0xffff],
  u32: [0, 0xffffffff],
  s32: [-0x80000000, 0xffffffff],
};

/** How a parameter is checked inline: an integer range, any number (a float), or its lowerer. */
const INT = 0;
const FLOAT = 1;
const OTHER = 2;

/** How the result is lifted inline. */
const NONE = 0;
const U32 = 1;
const SAME = 2;
const BOOL = 3;
const NARROW = 4;
const LIFTER = 5;

interface Param {
  readonly kind: number;
  readonly offset: number;
  readonly span: number;
  /**
   * The generic lowerer, for a value the inline check does not take: its value, or its error
   * settled by `owner.fail` (which throws it).
   */
  readonly slow: (v: unknown) => unknown;
}

function param(ft: FuncType, k: number, name: string, owner: CallOwner): Param {
  const t = ft.params[k]!.type;
  const lower = scalarLowerer(t);
  const slow = (v: unknown) => {
    try {
      return lower(v);
    } catch (error) {
      return settled(owner, name, () => argumentError(name, ft, k, error));
    }
  };
  const span = INT_SPANS[t.kind];
  if (span) return { kind: INT, offset: span[0], span: span[1], slow };
  if (t.kind === 'f32' || t.kind === 'f64') return { kind: FLOAT, offset: Number.NaN, span: 0, slow };
  return { kind: OTHER, offset: Number.NaN, span: 0, slow };
}

/** What `fail` throws goes to `owner.fail` (the checks outside a call's `try`: V8 keeps them cheaper there). */
function settled(owner: CallOwner, name: string, fail: () => never): unknown {
  try {
    return fail();
  } catch (error) {
    return owner.fail(error, name);
  }
}

function resultKind(t: ValType | undefined): number {
  if (t === undefined) return NONE;
  switch (t.kind) {
    case 'u32':
      return U32;
    case 's32':
    case 's64':
      return SAME;
    case 'bool':
      return BOOL;
    case 'u8':
    case 's8':
    case 'u16':
    case 's16':
      return NARROW;
    default:
      return LIFTER;
  }
}

/**
 * The fast path's function for `exportName`: gate, arguments, core call, result. Failures go to
 * `owner.fail` as the generic path's do (an argument error is `invalid-argument`, a trap ends the
 * sandbox).
 */
export function scalarCall(
  x: ScalarExport,
  gate: CallGate,
  owner: CallOwner,
  exportName: string,
): (...args: unknown[]) => unknown {
  const ft = x.type;
  const { core, inst, slot } = x;
  const arity = ft.params.length;
  const resultType = ft.results[0]?.type;
  const rk = resultKind(resultType);
  const lifter = resultType ? scalarLifter(resultType) : () => undefined;
  const narrow = resultType?.kind ?? '';
  const lift = (r: unknown): unknown => {
    // Literals (NONE, U32, SAME, BOOL, NARROW): see the functions below.
    switch (rk) {
      case 0:
        return undefined;
      case 1:
        return (r as number) >>> 0;
      case 2:
        return r;
      case 3:
        return r !== 0;
      case 4:
        return liftInt(narrow, r as number);
      default:
        return lifter(r);
    }
  };
  /** Post-return (rare for scalars): run with the instance's may-leave flag down, as the generic path does. */
  const finish = (r: unknown): unknown => {
    const value = lift(r);
    const post = slot.postReturn;
    if (post !== undefined) {
      inst.mayLeave = false;
      try {
        post(r);
      } finally {
        inst.mayLeave = true;
      }
    }
    return value;
  };
  const badArity = (n: number) => settled(owner, exportName, () => arityError(exportName, ft, n));
  const refuseEntry = () =>
    settled(owner, exportName, () => trap('a component instance was entered while it called out'));
  const p = [0, 1, 2].map((k) => (k < arity ? param(ft, k, exportName, owner) : undefined));
  const k0 = p[0]?.kind ?? OTHER;
  const o0 = p[0]?.offset ?? 0;
  const s0 = p[0]?.span ?? 0;
  const slow0 = p[0]?.slow ?? ((v: unknown) => v);
  const k1 = p[1]?.kind ?? OTHER;
  const o1 = p[1]?.offset ?? 0;
  const s1 = p[1]?.span ?? 0;
  const slow1 = p[1]?.slow ?? ((v: unknown) => v);
  const k2 = p[2]?.kind ?? OTHER;
  const o2 = p[2]?.offset ?? 0;
  const s2 = p[2]?.span ?? 0;
  const slow2 = p[2]?.slow ?? ((v: unknown) => v);
  // Each function: the gate, the arguments (an integer's range as one unsigned comparison), the
  // may-enter flag, then only the call and its lifting in a `try`. The constants they compare
  // with are literals (GATE_OPEN 1; INT 0, FLOAT 1): TurboFan loads a module's constant at each
  // use, with a hole check, a measurable share of a nanosecond-scale call.
  switch (arity) {
    case 0:
      return function scalar0(this: unknown) {
        if (gate.busy > 1) owner.refuse();
        gate.enter();
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 0) return badArity(arguments.length);
        if (!inst.mayEnter) return refuseEntry();
        let value: unknown;
        try {
          value = finish(core());
        } catch (error) {
          return owner.fail(error, exportName);
        }
        if (!gate.leave()) owner.after(exportName);
        return value;
      };
    case 1:
      return function scalar1(this: unknown, a: unknown) {
        if (gate.busy > 1) owner.refuse();
        gate.enter();
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 1) return badArity(arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow0(a);
          } else a = slow0(a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow0(a);
        if (!inst.mayEnter) return refuseEntry();
        let value: unknown;
        try {
          value = finish(core(a));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        if (!gate.leave()) owner.after(exportName);
        return value;
      };
    case 2:
      return function scalar2(this: unknown, a: unknown, b: unknown) {
        if (gate.busy > 1) owner.refuse();
        gate.enter();
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 2) return badArity(arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow0(a);
          } else a = slow0(a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow0(a);
        if (k1 === 0) {
          if (typeof b === 'number') {
            const d = b - o1;
            if (d >>> 0 !== d || d > s1) b = slow1(b);
          } else b = slow1(b);
        } else if (k1 !== 1 || typeof b !== 'number') b = slow1(b);
        if (!inst.mayEnter) return refuseEntry();
        let value: unknown;
        try {
          value = finish(core(a, b));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        if (!gate.leave()) owner.after(exportName);
        return value;
      };
    default:
      return function scalar3(this: unknown, a: unknown, b: unknown, c: unknown) {
        if (gate.busy > 1) owner.refuse();
        gate.enter();
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 3) return badArity(arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow0(a);
          } else a = slow0(a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow0(a);
        if (k1 === 0) {
          if (typeof b === 'number') {
            const d = b - o1;
            if (d >>> 0 !== d || d > s1) b = slow1(b);
          } else b = slow1(b);
        } else if (k1 !== 1 || typeof b !== 'number') b = slow1(b);
        if (k2 === 0) {
          if (typeof c === 'number') {
            const d = c - o2;
            if (d >>> 0 !== d || d > s2) c = slow2(c);
          } else c = slow2(c);
        } else if (k2 !== 1 || typeof c !== 'number') c = slow2(c);
        if (!inst.mayEnter) return refuseEntry();
        let value: unknown;
        try {
          value = finish(core(a, b, c));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        if (!gate.leave()) owner.after(exportName);
        return value;
      };
  }
}
