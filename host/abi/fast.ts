/**
 * The typed fast path of a lifted export whose parameters and result are all scalars
 * (`sandbox.fn('add')`): one function that checks the sandbox's call gate, checks each argument
 * inline, calls the core export itself and lifts its result inline, without the generic
 * lifting's closures (a lowerer per parameter, a lifter, the may-enter check, post-return) or the
 * sandbox's own wrapper around them.
 *
 * Made from Keel's own closures, one per arity (0 to 3 parameters); what differs between
 * signatures is data the closure holds: each parameter's check (a frozen `[kind, offset, span]`
 * per scalar type: an integer range, a float, or another scalar through its lowerer) and the
 * result's lifting. Its slow steps (an argument the inline check does not take, a wrong arity, a
 * refused entry, post-return) are functions of this module shared by every sandbox, reached
 * through one small closure per function: a sandbox's `fn('add')` keeps about 320 bytes, not 900
 * (idle memory, issue 12). Nothing is generated from the component (docs/abi.md, "No code from
 * data"). Argument checking is as strict as the generic path's (the same errors: arity, range,
 * number vs bigint, char validity).
 */
import {
  argumentError,
  arityError,
  type CoreFunction,
  postReturn,
  scalarLifter,
  scalarLowerer,
} from './calls.js';
import { liftInt } from './codec.js';
import { type OptionSlot, trap } from './context.js';
import type { InstanceState } from './handles.js';
import type { ComponentPlan, ExportDef } from './plan.js';
import type { FuncType, ValType } from './types.js';

/**
 * What a sandbox's fast path checks around a call (the kernel's sandbox implements it,
 * host/kernel/deadline.ts). The common call only reads `busy`: it starts when the word is
 * exactly `GATE_OPEN`, writes nothing, and is done when the word still is after the guest
 * returned. Host code its guest reaches marks the word first (`markHost`, host/abi/handles.ts:
 * the lowered imports and resource built-ins, the meter's imports in the kernel), which sends
 * the call's end to `CallOwner.after`. Any other word sends the call the marked way
 * (`rareCall`): `CallOwner.refuse` decides, `enter` marks the call, `leave` looks at it.
 */
export interface CallGate {
  /** `GATE_OPEN` when a call may start at once and writes nothing; at most that, the marked way may start it. */
  busy: number;
  /** A call starts the marked way (`busy` was at most `GATE_OPEN`, or `refuse` opened it). */
  enter(): void;
  /** The marked call returned: true when it is done, false when `CallOwner.after` must look at it. */
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
  /**
   * The metering pass's twin of `core` when `core` is a constant-cost leaf (host/meter/leaves.ts):
   * the same body without its charge, and the fuel that charge is, for the fast path to charge.
   */
  readonly leaf?: { readonly core: CoreFunction; readonly cost: number } | undefined;
}

/**
 * The sandbox meter's fuel lent to the fast path (`MeterRuntime.lent` and `lend`,
 * host/meter/runtime.ts): a leaf's call takes its cost before it runs.
 */
export interface FuelPurse {
  lent: number;
  /** Lend at least `cost`, or throw why the call may not run (`fuel-exhausted`, a stop). */
  lend(cost: number): void;
  /** After a call that charged the counter itself: a counter below zero refilled, or `fuel-exhausted`. */
  settle(): void;
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

/**
 * How a parameter is checked inline: `[kind, offset, span]`, one frozen tuple per scalar type
 * shared by every fast-path function. `kind`: an integer range (`value - offset` in [0, span]),
 * any number (a float), or another scalar, which goes to its lowerer (`slowStep`).
 */
type Check = readonly [kind: number, offset: number, span: number];

/** `Check`'s kind: the literals the functions below compare with (see the comment there). */
const INT = 0;
const FLOAT = 1;
const OTHER = 2;

const CHECKS: Readonly<Record<string, Check>> = {
  u8: Object.freeze([INT, 0, 0xff]),
  s8: Object.freeze([INT, -0x80, 0xff]),
  u16: Object.freeze([INT, 0, 0xffff]),
  s16: Object.freeze([INT, -0x8000, 0xffff]),
  u32: Object.freeze([INT, 0, 0xffffffff]),
  s32: Object.freeze([INT, -0x80000000, 0xffffffff]),
  f32: Object.freeze([FLOAT, 0, 0]),
  f64: Object.freeze([FLOAT, 0, 0]),
};
const OTHER_CHECK: Check = Object.freeze([OTHER, 0, 0]);

/** Parameter `k`'s check (OTHER past the last parameter: never read). */
function checkOf(ft: FuncType, k: number): Check {
  const t = ft.params[k]?.type;
  return (t && CHECKS[t.kind]) ?? OTHER_CHECK;
}

/** How the result is lifted inline. */
const NONE = 0;
const U32 = 1;
const SAME = 2;
const BOOL = 3;
const NARROW = 4;
const LIFTER = 5;

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
 * The core exports of the plan's first core instance that `scalarCall` calls through a metered
 * leaf's twin when there is one: lifted by an export of scalars only, its result lifted inline,
 * without post-return. A component's sole core instance gets twins of these only
 * (`CoreModuleHook.transformSole`'s `fastExports`): a twin is an export of every instance, made
 * at each spawn and kept while the sandbox lives, so one no fast path calls costs for nothing.
 */
export function fastExports(plan: ComponentPlan): ReadonlySet<string> {
  const names = new Set<string>();
  const visit = (exports: ReadonlyMap<string, ExportDef>): void => {
    for (const def of exports.values()) {
      if (def.sort === 'instance') visit(def.exports);
      if (def.sort !== 'func' || def.func.kind !== 'lifted') continue;
      const { core, type, options } = def.func;
      if (core.kind !== 'export' || core.instance !== 0 || !isScalarShape(type)) continue;
      if (resultKind(type.results[0]?.type) < LIFTER && plan.options[options]?.postReturn === undefined)
        names.add(core.name);
    }
  };
  visit(plan.exports);
  return names;
}

/** `slow`'s first argument when the step is not an argument's: the arity, or a refused entry. */
const ARITY = -1;
const ENTRY = -2;

/**
 * A call that did not find the gate's word exactly `GATE_OPEN` (the first after an invocation,
 * a stale mark, a sandbox not ready, host code of a call in progress calling in again), made the
 * marked way, step by step in the common call's order: the gate (`owner.refuse` throws or opens
 * it), the entry mark, the arity, each argument, the may-enter flag (the common call leaves it to
 * the gate: the flag is down only while a lowered import runs, which marked the word or found it
 * marked), the call, `leave`.
 */
function rareCall(
  x: ScalarExport,
  gate: CallGate,
  owner: CallOwner,
  name: string,
  rk: number,
  n: number,
  a: unknown,
  b: unknown,
  c: unknown,
  purse?: FuelPurse,
  cost = 0,
  done = finish,
): unknown {
  const ft = x.type;
  if (gate.busy > GATE_OPEN) owner.refuse();
  gate.enter();
  if (n !== ft.params.length) return slowStep(ft, ARITY, n, owner, name);
  if (n > 0) a = checked(ft, 0, a, owner, name);
  if (n > 1) b = checked(ft, 1, b, owner, name);
  if (n > 2) c = checked(ft, 2, c, owner, name);
  const { core, inst } = x;
  if (inst.mayEnter !== true) return slowStep(ft, ENTRY, undefined, owner, name);
  if (purse !== undefined) {
    // A leaf's twin (`leafCall`): the purse must hold its cost before it runs, lent again when short.
    if (purse.lent < cost) {
      try {
        purse.lend(cost);
      } catch (error) {
        return owner.fail(error, name);
      }
    }
  }
  let value: unknown;
  try {
    const r = n === 0 ? core() : n === 1 ? core(a) : n === 2 ? core(a, b) : core(a, b, c);
    value = done(ft, rk, inst, x.slot, r);
  } catch (error) {
    return owner.fail(error, name);
  }
  // Charged once it returned, as the pass charges a leaf at its end (a trap pays nothing); the
  // purse held the cost since before the call (a leaf reaches no host code, which could take it).
  if (purse !== undefined) purse.lent -= cost;
  if (!gate.leave()) owner.after(name);
  return value;
}

/** Argument `k` as the common call's inline check takes it, or else as its lowerer does (`slowStep`). */
function checked(ft: FuncType, k: number, v: unknown, owner: CallOwner, name: string): unknown {
  const check = checkOf(ft, k);
  if (typeof v === 'number') {
    if (check[0] === FLOAT) return v;
    const d = v - check[1];
    if (check[0] === INT && d >>> 0 === d && d <= check[2]) return v;
  }
  return slowStep(ft, k, v, owner, name);
}

/**
 * The fast path's slow steps, shared by every fast-path function: argument `k` that the inline
 * check did not take (the generic lowerer's value, or its error settled by `owner.fail`, which
 * throws it), a wrong arity (`k` ARITY, `v` the count), a refused entry (`k` ENTRY). A function
 * reaches them through one small closure of its own (one argument list: V8 inlines a fast-path
 * function into its caller only while its bytecode is small).
 */
function slowStep(ft: FuncType, k: number, v: unknown, owner: CallOwner, name: string): unknown {
  if (k === ARITY) return settled(owner, name, () => arityError(name, ft, v as number));
  if (k === ENTRY)
    return settled(owner, name, () => trap('a component instance was entered while it called out'));
  try {
    return scalarLowerer(ft.params[k]!.type)(v);
  } catch (error) {
    return settled(owner, name, () => argumentError(name, ft, k, error));
  }
}

/** What `fail` throws goes to `owner.fail` (the checks outside a call's `try`: V8 keeps them cheaper there). */
function settled(owner: CallOwner, name: string, fail: () => never): unknown {
  try {
    return fail();
  } catch (error) {
    return owner.fail(error, name);
  }
}

/** The result `r` lifted (`rk`: its `resultKind`), then post-return, if any. */
function finish(ft: FuncType, rk: number, inst: InstanceState, slot: OptionSlot, r: unknown): unknown {
  // Literals (NONE, U32, SAME, BOOL): see the functions below.
  let value: unknown;
  if (rk === 1) value = (r as number) >>> 0;
  else if (rk === 2) value = r;
  else if (rk === 0) value = undefined;
  else if (rk === 3) value = r !== 0;
  else value = liftOther(ft.results[0]!.type, rk, r);
  const post = slot.postReturn;
  if (post !== undefined) postReturn(inst, post, r);
  return value;
}

function liftOther(t: ValType, rk: number, r: unknown): unknown {
  return rk === NARROW ? liftInt(t.kind, r as number) : scalarLifter(t)(r);
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
  purse?: FuelPurse,
): (...args: unknown[]) => unknown {
  const ft = x.type;
  const rk = resultKind(ft.results[0]?.type);
  const leaf = x.leaf;
  // A metered leaf's twin, when nothing after its call can throw (no post-return, a result
  // lifted inline): a throw is then the twin's trap, which paid nothing.
  if (purse !== undefined && leaf !== undefined && rk < LIFTER && x.slot.postReturn === undefined) {
    const twin: ScalarExport = { type: ft, core: leaf.core, inst: x.inst, slot: x.slot };
    // A leaf that costs nothing is charged nothing: the common functions, on the twin.
    if (leaf.cost === 0) return commonCall(twin, gate, owner, exportName, rk, finish);
    return leafCall(twin, gate, owner, exportName, rk, purse, leaf.cost);
  }
  // Any other metered export charges its own counter, and one without a loop or a call never
  // checks it: calls that each start with a little fuel went on past the budget without end.
  // After each, a counter below zero is what a check would find (`FuelPurse.settle`), inside the
  // call's `try`: out of fuel, the result is not returned.
  return commonCall(x, gate, owner, exportName, rk, purse === undefined ? finish : settling(purse));
}

/** `finish`, then the purse's look at the counter (`FuelPurse.settle`). */
function settling(purse: FuelPurse): typeof finish {
  return (ft, rk, inst, slot, r) => {
    const value = finish(ft, rk, inst, slot, r);
    purse.settle();
    return value;
  };
}

function commonCall(
  x: ScalarExport,
  gate: CallGate,
  owner: CallOwner,
  exportName: string,
  rk: number,
  // `finish` (or `settling`'s) through a constant of this function: a module's function is a
  // mutable binding, which TurboFan loads and checks at each call (0.35 ns a call, measured).
  done: typeof finish,
): (...args: unknown[]) => unknown {
  const ft = x.type;
  const { core, inst, slot } = x;
  const slow = (k: number, v?: unknown) => slowStep(ft, k, v, owner, exportName);
  const rare = (n: number, a?: unknown, b?: unknown, c?: unknown) =>
    rareCall(x, gate, owner, exportName, rk, n, a, b, c, undefined, 0, done);
  // Read by index, not with array patterns: those run the iterator protocol until this function
  // is optimized (1.1 KB of iterator results per spawn of the bench component, three `fn`s).
  const c0 = checkOf(ft, 0);
  const c1 = checkOf(ft, 1);
  const c2 = checkOf(ft, 2);
  const k0 = c0[0];
  const o0 = c0[1];
  const s0 = c0[2];
  const k1 = c1[0];
  const o1 = c1[1];
  const s1 = c1[2];
  const k2 = c2[0];
  const o2 = c2[1];
  const s2 = c2[2];
  // Each function: the gate's word read (anything but `GATE_OPEN` goes the marked way, `rare`),
  // the arguments (an integer's range as one unsigned comparison), then only the call and its
  // lifting in a `try`, and the word read again. Nothing written and no may-enter flag read (host
  // code the guest reaches marks the word instead, `markHost`): the two cost 0.19x of plain V8's
  // call together (bench/results/perf-calls-2026-12-07-13.md). The constants they compare with
  // are literals (GATE_OPEN 1; INT 0, FLOAT 1; ARITY -1): TurboFan loads a module's constant at
  // each use, with a hole check, a measurable share of a nanosecond-scale call. Keep each
  // function under V8's inlining limit (460 bytes of bytecode, `node --print-bytecode
  // --print-bytecode-filter=scalar2`): inlined into its caller, its context is a constant and the
  // core export's call is specialized; not inlined, it runs code shared by every sandbox (3.2x
  // plain instead of 1.8x, docs/abi.md "No code from data").
  switch (ft.params.length) {
    case 0:
      return function scalar0(this: unknown) {
        // biome-ignore lint/complexity/noArguments: the count, for the marked way's arity check
        if (gate.busy !== 1) return rare(arguments.length);
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 0) return slow(-1, arguments.length);
        let value: unknown;
        try {
          value = done(ft, rk, inst, slot, core());
        } catch (error) {
          return owner.fail(error, exportName);
        }
        if (gate.busy !== 1) owner.after(exportName);
        return value;
      };
    case 1:
      return function scalar1(this: unknown, a: unknown) {
        // biome-ignore lint/complexity/noArguments: the count, for the marked way's arity check
        if (gate.busy !== 1) return rare(arguments.length, a);
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 1) return slow(-1, arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow(0, a);
          } else a = slow(0, a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow(0, a);
        let value: unknown;
        try {
          value = done(ft, rk, inst, slot, core(a));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        if (gate.busy !== 1) owner.after(exportName);
        return value;
      };
    case 2:
      return function scalar2(this: unknown, a: unknown, b: unknown) {
        // biome-ignore lint/complexity/noArguments: the count, for the marked way's arity check
        if (gate.busy !== 1) return rare(arguments.length, a, b);
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 2) return slow(-1, arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow(0, a);
          } else a = slow(0, a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow(0, a);
        if (k1 === 0) {
          if (typeof b === 'number') {
            const d = b - o1;
            if (d >>> 0 !== d || d > s1) b = slow(1, b);
          } else b = slow(1, b);
        } else if (k1 !== 1 || typeof b !== 'number') b = slow(1, b);
        let value: unknown;
        try {
          value = done(ft, rk, inst, slot, core(a, b));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        if (gate.busy !== 1) owner.after(exportName);
        return value;
      };
    default:
      return function scalar3(this: unknown, a: unknown, b: unknown, c: unknown) {
        // biome-ignore lint/complexity/noArguments: the count, for the marked way's arity check
        if (gate.busy !== 1) return rare(arguments.length, a, b, c);
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 3) return slow(-1, arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow(0, a);
          } else a = slow(0, a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow(0, a);
        if (k1 === 0) {
          if (typeof b === 'number') {
            const d = b - o1;
            if (d >>> 0 !== d || d > s1) b = slow(1, b);
          } else b = slow(1, b);
        } else if (k1 !== 1 || typeof b !== 'number') b = slow(1, b);
        if (k2 === 0) {
          if (typeof c === 'number') {
            const d = c - o2;
            if (d >>> 0 !== d || d > s2) c = slow(2, c);
          } else c = slow(2, c);
        } else if (k2 !== 1 || typeof c !== 'number') c = slow(2, c);
        let value: unknown;
        try {
          value = done(ft, rk, inst, slot, core(a, b, c));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        if (gate.busy !== 1) owner.after(exportName);
        return value;
      };
  }
}

/**
 * `commonCall`'s functions for a metered constant-cost leaf (`x.core` its twin, which charges
 * nothing): each starts only when the fuel its sandbox's meter lent (`purse`) holds `cost`, and
 * takes `cost` from it once the twin returned (the pass charges a leaf at its end: a trap pays
 * nothing; a leaf reaches no host code, so nothing takes from the purse in between). A purse
 * short of `cost` sends the call the marked way (`rareCall`), which lends again or fails with
 * `fuel-exhausted` before anything runs: the fuel charged is the export's own, and a call the
 * budget cannot pay never starts.
 */
function leafCall(
  x: ScalarExport,
  gate: CallGate,
  owner: CallOwner,
  exportName: string,
  rk: number,
  purse: FuelPurse,
  cost: number,
): (...args: unknown[]) => unknown {
  const ft = x.type;
  const { core, inst, slot } = x;
  const slow = (k: number, v?: unknown) => slowStep(ft, k, v, owner, exportName);
  const rare = (n: number, a?: unknown, b?: unknown, c?: unknown) =>
    rareCall(x, gate, owner, exportName, rk, n, a, b, c, purse, cost);
  const done = finish;
  // Read by index, not with array patterns: those run the iterator protocol until this function
  // is optimized (1.1 KB of iterator results per spawn of the bench component, three `fn`s).
  const c0 = checkOf(ft, 0);
  const c1 = checkOf(ft, 1);
  const c2 = checkOf(ft, 2);
  const k0 = c0[0];
  const o0 = c0[1];
  const s0 = c0[2];
  const k1 = c1[0];
  const o1 = c1[1];
  const s1 = c1[2];
  const k2 = c2[0];
  const o2 = c2[1];
  const s2 = c2[2];
  // `commonCall`'s functions with the purse read with the gate's word and the cost taken after the
  // `try`, under V8's inlining limit too: `leaf2` is 440 bytes of bytecode (a refund in the `catch`
  // took it to 461: not inlined, 4.5x plain). One read of the purse up front and that less the
  // cost stored after read 1.42-1.48x plain, held and not, against 1.20-1.46x
  // (bench/results/perf-calls-2026-12-07-16.md).
  switch (ft.params.length) {
    case 0:
      return function leaf0(this: unknown) {
        // biome-ignore lint/complexity/noArguments: the count, for the marked way's arity check
        if (gate.busy !== 1 || purse.lent < cost) return rare(arguments.length);
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 0) return slow(-1, arguments.length);
        let value: unknown;
        try {
          value = done(ft, rk, inst, slot, core());
        } catch (error) {
          return owner.fail(error, exportName);
        }
        purse.lent -= cost;
        if (gate.busy !== 1) owner.after(exportName);
        return value;
      };
    case 1:
      return function leaf1(this: unknown, a: unknown) {
        // biome-ignore lint/complexity/noArguments: the count, for the marked way's arity check
        if (gate.busy !== 1 || purse.lent < cost) return rare(arguments.length, a);
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 1) return slow(-1, arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow(0, a);
          } else a = slow(0, a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow(0, a);
        let value: unknown;
        try {
          value = done(ft, rk, inst, slot, core(a));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        purse.lent -= cost;
        if (gate.busy !== 1) owner.after(exportName);
        return value;
      };
    case 2:
      return function leaf2(this: unknown, a: unknown, b: unknown) {
        // biome-ignore lint/complexity/noArguments: the count, for the marked way's arity check
        if (gate.busy !== 1 || purse.lent < cost) return rare(arguments.length, a, b);
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 2) return slow(-1, arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow(0, a);
          } else a = slow(0, a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow(0, a);
        if (k1 === 0) {
          if (typeof b === 'number') {
            const d = b - o1;
            if (d >>> 0 !== d || d > s1) b = slow(1, b);
          } else b = slow(1, b);
        } else if (k1 !== 1 || typeof b !== 'number') b = slow(1, b);
        let value: unknown;
        try {
          value = done(ft, rk, inst, slot, core(a, b));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        purse.lent -= cost;
        if (gate.busy !== 1) owner.after(exportName);
        return value;
      };
    default:
      return function leaf3(this: unknown, a: unknown, b: unknown, c: unknown) {
        // biome-ignore lint/complexity/noArguments: the count, for the marked way's arity check
        if (gate.busy !== 1 || purse.lent < cost) return rare(arguments.length, a, b, c);
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 3) return slow(-1, arguments.length);
        if (k0 === 0) {
          if (typeof a === 'number') {
            const d = a - o0;
            if (d >>> 0 !== d || d > s0) a = slow(0, a);
          } else a = slow(0, a);
        } else if (k0 !== 1 || typeof a !== 'number') a = slow(0, a);
        if (k1 === 0) {
          if (typeof b === 'number') {
            const d = b - o1;
            if (d >>> 0 !== d || d > s1) b = slow(1, b);
          } else b = slow(1, b);
        } else if (k1 !== 1 || typeof b !== 'number') b = slow(1, b);
        if (k2 === 0) {
          if (typeof c === 'number') {
            const d = c - o2;
            if (d >>> 0 !== d || d > s2) c = slow(2, c);
          } else c = slow(2, c);
        } else if (k2 !== 1 || typeof c !== 'number') c = slow(2, c);
        let value: unknown;
        try {
          value = done(ft, rk, inst, slot, core(a, b, c));
        } catch (error) {
          return owner.fail(error, exportName);
        }
        purse.lent -= cost;
        if (gate.busy !== 1) owner.after(exportName);
        return value;
      };
  }
}
