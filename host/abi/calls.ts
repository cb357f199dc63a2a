/**
 * Calls across the boundary (CanonicalABI.md, "canon lift", "canon lower"):
 * - `liftedFunction`: a core export as a host function (host values in, host value out), for
 *   the API and for adapters between components;
 * - `loweredFunction`: a host function as a core import (flat core values in and out), the
 *   trampoline a guest calls.
 * Both are built once per sandbox from Keel's own closures; the shapes that dominate real
 * calls (scalars only) get closures of their own so that V8 can inline them.
 */
import { KeelError } from '../kernel/errors.js';
import {
  type Codec,
  checkChar,
  checkFloat,
  checkInt,
  checkInt64,
  codecOf,
  liftChar,
  liftFloat,
  liftInt,
} from './codec.js';
import { type AdapterStrings, type Cx, trap, ValueError } from './context.js';
import { type HostMark, hostThrew, markHost, THREW, throwAgain } from './handles.js';
import { fixedHeapBytes } from './heap.js';
import { type FlatFunc, flattenFunc, layoutOf, tupleOf } from './layout.js';
import type { FuncType, ValType } from './types.js';
import { typeText } from './wit.js';

/** An export's `result::err`, thrown as jco's glue throws it (its payload as `payload`). */
export class ComponentError extends Error {
  override readonly name = 'ComponentError';
  declare readonly payload: unknown;
  constructor(payload: unknown) {
    super(typeof payload === 'string' ? payload : `${errorText(payload)} (see error.payload)`);
    Object.defineProperty(this, 'payload', { value: payload, enumerable: typeof payload !== 'string' });
  }
}

/**
 * A non-string payload's text for the message, made without rendering it: `String` of a list
 * joined every element (a 16 MiB byte list, seconds of the kernel's thread and 64 MB of heap,
 * unpriced, through `fn` too), and of a record called its fields (`to-string`, `value-of` are
 * `toString` and `valueOf`: a TypeError, the call refused as the embedder's `invalid-argument`;
 * hostile/abi/error-payload-message).
 */
function errorText(payload: unknown): string {
  if (Array.isArray(payload) || ArrayBuffer.isView(payload))
    return `a list of ${(payload as ArrayLike<unknown>).length} elements`;
  if (typeof payload === 'object' && payload !== null) return Object.prototype.toString.call(payload);
  return String(payload);
}

/** A core function as JavaScript sees it. */
export type CoreFunction = (...args: any[]) => any;

const SCALARS = new Set(['bool', 'u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'char']);

function isScalar(t: ValType): boolean {
  return SCALARS.has(t.kind);
}

/** Scalar lowerers and lifters depend on the kind alone: one of each per kind, shared by every sandbox. */
const lowerers = new Map<string, (v: unknown) => unknown>();
const lifters = new Map<string, (x: any) => unknown>();

/** Host value → its one flat core value, checked (scalar types only). */
export function scalarLowerer(t: ValType): (v: unknown) => unknown {
  let f = lowerers.get(t.kind);
  if (!f) {
    f = makeScalarLowerer(t);
    lowerers.set(t.kind, f);
  }
  return f;
}

/** Flat core value → host value (scalar types only). */
export function scalarLifter(t: ValType): (x: any) => unknown {
  let f = lifters.get(t.kind);
  if (!f) {
    f = makeScalarLifter(t);
    lifters.set(t.kind, f);
  }
  return f;
}

function makeScalarLowerer(t: ValType): (v: unknown) => unknown {
  switch (t.kind) {
    case 'bool':
      return (v) => {
        if (typeof v !== 'boolean') throw new ValueError(`expected a boolean, got ${typeof v}`);
        return v ? 1 : 0;
      };
    case 'u32':
      return (v) => (typeof v === 'number' && v >>> 0 === v ? v : checkInt(v, 'u32'));
    case 's32':
      return (v) => (typeof v === 'number' && (v | 0) === v ? v : checkInt(v, 's32'));
    case 'u8':
    case 's8':
    case 'u16':
    case 's16': {
      const kind = t.kind;
      return (v) => checkInt(v, kind);
    }
    case 'u64':
    case 's64': {
      const kind = t.kind;
      return (v) => checkInt64(v, kind);
    }
    case 'f32':
    case 'f64': {
      const kind = t.kind;
      return (v) => (typeof v === 'number' ? v : checkFloat(v, kind));
    }
    case 'char':
      return checkChar;
    default:
      throw new Error(`not a scalar: ${t.kind}`);
  }
}

function makeScalarLifter(t: ValType): (x: any) => unknown {
  switch (t.kind) {
    case 'bool':
      return (x: number) => x !== 0;
    case 'u32':
      return (x: number) => x >>> 0;
    case 's32':
      return (x: number) => x;
    case 'u8':
    case 's8':
    case 'u16':
    case 's16': {
      const kind = t.kind;
      return (x: number) => liftInt(kind, x);
    }
    case 'u64':
      return (x: bigint) => BigInt.asUintN(64, x);
    case 's64':
      return (x: unknown) => x;
    case 'f32':
    case 'f64':
      return liftFloat;
    case 'char':
      return liftChar;
    default:
      throw new Error(`not a scalar: ${t.kind}`);
  }
}

/** How argument errors are reported: `argument 2 (y: u32) of "add": ...`. */
export function argumentError(name: string, ft: FuncType, k: number, error: unknown): never {
  if (error instanceof ValueError) {
    const p = ft.params[k]!;
    throw new KeelError(
      'invalid-argument',
      `argument ${k + 1} (${p.name}: ${typeText(p.type)}) of "${name}": ${error.message}`,
      { export: name, index: k, param: p.name, type: typeText(p.type) },
    );
  }
  throw error;
}

export function arityError(name: string, ft: FuncType, given: number): never {
  const params = ft.params.map((p) => `${p.name}: ${typeText(p.type)}`).join(', ');
  throw new KeelError(
    'invalid-argument',
    `"${name}" takes ${ft.params.length} argument(s) (${params}), got ${given}`,
    { export: name, expected: ft.params.length, got: given },
  );
}

function call(core: CoreFunction, flat: unknown[], n: number): unknown {
  switch (n) {
    case 0:
      return core();
    case 1:
      return core(flat[0]);
    case 2:
      return core(flat[0], flat[1]);
    case 3:
      return core(flat[0], flat[1], flat[2]);
    case 4:
      return core(flat[0], flat[1], flat[2], flat[3]);
    case 5:
      return core(flat[0], flat[1], flat[2], flat[3], flat[4]);
    case 6:
      return core(flat[0], flat[1], flat[2], flat[3], flat[4], flat[5]);
    default:
      return core(...flat.slice(0, n));
  }
}

/** Is `t` a top-level `result` whose error the export throws (jco's convention)? */
function throwsErr(ft: FuncType): boolean {
  return (
    ft.results.length === 1 && ft.results[0]!.name === undefined && ft.results[0]!.type.kind === 'result'
  );
}

export interface LiftedOptions {
  /** The name for errors (`docs:adder/add#add`). */
  readonly name: string;
  readonly type: FuncType;
  readonly core: CoreFunction;
  readonly cx: Cx;
  /** Its options' post-return, called after the results are lifted, with the core results (read at each call). */
  readonly slot: { readonly postReturn: ((...flat: unknown[]) => void) | undefined };
}

/** A scalar export's lowerers and lifter, by function type: shared by every sandbox of the module. */
interface ScalarShape {
  readonly l0: (v: unknown) => unknown;
  readonly l1: (v: unknown) => unknown;
  readonly l2: (v: unknown) => unknown;
  readonly lift: (x: any) => unknown;
}

const scalarShapes = new WeakMap<FuncType, ScalarShape>();
const noValue = (): undefined => undefined;

function scalarShape(ft: FuncType): ScalarShape {
  let shape = scalarShapes.get(ft);
  if (!shape) {
    const lower = ft.params.map((p) => scalarLowerer(p.type));
    shape = {
      l0: lower[0] ?? noValue,
      l1: lower[1] ?? noValue,
      l2: lower[2] ?? noValue,
      lift: ft.results.length === 1 ? scalarLifter(ft.results[0]!.type) : noValue,
    };
    scalarShapes.set(ft, shape);
  }
  return shape;
}

const enterError = () => trap('a component instance was entered while it called out');

/**
 * An export's post-return, given the core results (a function without results ignores them),
 * run with its instance's may-leave flag down (definitions.py): an import, `resource.new` or
 * `resource.drop` from it traps. Every lifted path (scalar, general, the fast path) calls this.
 */
export function postReturn(inst: Cx['inst'], post: (...flat: unknown[]) => void, r: unknown): void {
  inst.mayLeave = false;
  try {
    post(r);
  } finally {
    // Up again, unless host code threw into the call meanwhile (`hostThrew` keeps it down).
    inst.mayLeave = inst.gate.busy < THREW;
  }
}

/**
 * A lifted export as a host function. Arguments are checked strictly (arity, ranges, types);
 * a `result::err` is thrown as a `ComponentError`. A scalar export's function reaches only its
 * core function, its instance's state, its options' slot and the shape its type shares with
 * every sandbox (idle memory per sandbox, issue 12).
 */
export function liftedFunction(o: LiftedOptions): (...args: unknown[]) => unknown {
  const { type: ft, core, name } = o;
  const flat = flattenFunc(ft, 'lift');
  const scalar =
    !flat.paramsInMemory &&
    ft.params.every((p) => isScalar(p.type)) &&
    ft.results.length <= 1 &&
    ft.results.every((r) => isScalar(r.type) && r.name === undefined);
  if (scalar && ft.params.length <= 3) return scalarLifted(name, ft, core, o.cx.inst, o.slot);
  return generalLifted(o, flat);
}

function scalarLifted(
  name: string,
  ft: FuncType,
  core: CoreFunction,
  inst: Cx['inst'],
  slot: LiftedOptions['slot'],
): (...args: unknown[]) => unknown {
  const { l0, l1, l2, lift } = scalarShape(ft);
  switch (ft.params.length) {
    case 0:
      return function lifted0() {
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 0) arityError(name, ft, arguments.length);
        if (!inst.mayEnter) enterError();
        const r = core();
        const value = lift(r);
        const p = slot.postReturn;
        if (p) postReturn(inst, p, r);
        return value;
      };
    case 1:
      return function lifted1(a: unknown) {
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 1) arityError(name, ft, arguments.length);
        let x: unknown;
        try {
          x = l0(a);
        } catch (error) {
          argumentError(name, ft, 0, error);
        }
        if (!inst.mayEnter) enterError();
        const r = core(x);
        const value = lift(r);
        const p = slot.postReturn;
        if (p) postReturn(inst, p, r);
        return value;
      };
    case 2:
      return function lifted2(a: unknown, b: unknown) {
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 2) arityError(name, ft, arguments.length);
        let x: unknown;
        let y: unknown;
        let k = 0;
        try {
          x = l0(a);
          k = 1;
          y = l1(b);
        } catch (error) {
          argumentError(name, ft, k, error);
        }
        if (!inst.mayEnter) enterError();
        const r = core(x, y);
        const value = lift(r);
        const p = slot.postReturn;
        if (p) postReturn(inst, p, r);
        return value;
      };
    default:
      return function lifted3(a: unknown, b: unknown, c: unknown) {
        // biome-ignore lint/complexity/noArguments: the arity check without a rest parameter (an array per call)
        if (arguments.length !== 3) arityError(name, ft, arguments.length);
        let x: unknown;
        let y: unknown;
        let z: unknown;
        let k = 0;
        try {
          x = l0(a);
          k = 1;
          y = l1(b);
          k = 2;
          z = l2(c);
        } catch (error) {
          argumentError(name, ft, k, error);
        }
        if (!inst.mayEnter) enterError();
        const r = core(x, y, z);
        const value = lift(r);
        const p = slot.postReturn;
        if (p) postReturn(inst, p, r);
        return value;
      };
  }
}

/**
 * A scalar export's arguments between their check and its call: the JSON path checks and lowers
 * them (`scalarArguments`, host/abi/json.ts) into the kernel's record of the invocation, which
 * `loweredCall`'s function reads (no array made, no second check: issue 12).
 */
export interface LoweredArguments {
  x0: unknown;
  x1: unknown;
  x2: unknown;
}

/**
 * The call of a scalar export (at most 3 parameters) with arguments already checked and lowered
 * (`LoweredArguments`): the end of `scalarLifted`'s function, from the may-enter check on (the
 * same steps in the same order). One closure per arity; the export is data it holds.
 */
export function loweredCall(
  ft: FuncType,
  core: CoreFunction,
  inst: Cx['inst'],
  slot: LiftedOptions['slot'],
): (held: LoweredArguments) => unknown {
  const { lift } = scalarShape(ft);
  switch (ft.params.length) {
    case 0:
      return function lowered0() {
        if (!inst.mayEnter) enterError();
        const r = core();
        const value = lift(r);
        const p = slot.postReturn;
        if (p) postReturn(inst, p, r);
        return value;
      };
    case 1:
      return function lowered1(held: LoweredArguments) {
        if (!inst.mayEnter) enterError();
        const r = core(held.x0);
        const value = lift(r);
        const p = slot.postReturn;
        if (p) postReturn(inst, p, r);
        return value;
      };
    case 2:
      return function lowered2(held: LoweredArguments) {
        if (!inst.mayEnter) enterError();
        const r = core(held.x0, held.x1);
        const value = lift(r);
        const p = slot.postReturn;
        if (p) postReturn(inst, p, r);
        return value;
      };
    default:
      return function lowered3(held: LoweredArguments) {
        if (!inst.mayEnter) enterError();
        const r = core(held.x0, held.x1, held.x2);
        const value = lift(r);
        const p = slot.postReturn;
        if (p) postReturn(inst, p, r);
        return value;
      };
  }
}

/**
 * What a general lifted or lowered function needs of its type and direction: codecs, flat
 * offsets, the fixed bytes admitted, whether it throws `result::err`. Worked out once per function
 * type and direction, shared by every sandbox of the module, never written (a spawn made these
 * arrays, and a new codec for a tuple of parameters or results, for each such function).
 */
interface GeneralShape {
  readonly params: readonly Codec[];
  /** The parameters as one tuple in memory (too many to pass flat), if so. */
  readonly paramTuple: Codec | undefined;
  /** Each parameter's first flat value. */
  readonly offsets: readonly number[];
  /** The results' codec: the single result's, or their tuple's. */
  readonly result: Codec | undefined;
  /** More than one result (lowered as a tuple). */
  readonly many: boolean;
  /** Bytes admitted before a value in memory is read: results lifted (`lift`), parameters lifted (`lower`). */
  readonly fixed: number;
  readonly throwing: boolean;
}

const generalShapes = new WeakMap<FuncType, { lift?: GeneralShape; lower?: GeneralShape }>();

function generalShape(ft: FuncType, flat: FlatFunc, direction: 'lift' | 'lower'): GeneralShape {
  const known = generalShapes.get(ft);
  const cached = direction === 'lift' ? known?.lift : known?.lower;
  if (cached) return cached;
  const params = ft.params.map((p) => codecOf(p.type));
  const paramTypes = ft.params.map((p) => p.type);
  const paramTuple = flat.paramsInMemory ? codecOf(tupleOf(paramTypes)) : undefined;
  const offsets: number[] = [];
  let n = 0;
  for (const c of params) {
    offsets.push(n);
    n += c.flatCount;
  }
  const resultTypes = ft.results.map((r) => r.type);
  const single = resultTypes.length === 1 ? codecOf(resultTypes[0]!) : undefined;
  const many = resultTypes.length > 1 ? codecOf(tupleOf(resultTypes)) : undefined;
  // A huge fixed-size value in memory is admitted before it is read: an export's results when
  // returned in memory, a host function's parameters (flat ones too: 16 flags of 32 names cost
  // the host as much as a tuple of them, hostile/abi/flags-lift-underpriced).
  const fixed =
    direction === 'lift'
      ? flat.resultsInMemory
        ? fixedHeapBytes(resultTypes)
        : 0
      : fixedHeapBytes(paramTypes);
  const shape: GeneralShape = Object.freeze({
    params: Object.freeze(params),
    paramTuple,
    offsets: Object.freeze(offsets),
    result: many ?? single,
    many: many !== undefined,
    fixed,
    throwing: throwsErr(ft),
  });
  if (known) known[direction] = shape;
  else generalShapes.set(ft, direction === 'lift' ? { lift: shape } : { lower: shape });
  return shape;
}

function generalLifted(
  o: LiftedOptions,
  flat: ReturnType<typeof flattenFunc>,
): (...args: unknown[]) => unknown {
  const { type: ft, core, cx, name } = o;
  const inst = cx.inst;
  const mem = cx.opts.mem;
  const shape = generalShape(ft, flat, 'lift');
  const { params, paramTuple, offsets, fixed, throwing } = shape;
  const resultLayout = shape.result;
  const flatCount = flat.params.length;
  const inMemory = flat.resultsInMemory;
  const out: unknown[] = new Array(flatCount);
  const ret: unknown[] = [undefined];
  return function lifted(...args: unknown[]) {
    if (args.length !== params.length) arityError(name, ft, args.length);
    if (!inst.mayEnter) trap('a component instance was entered while it called out');
    cx.borrowCount = 0;
    cx.admitted = 0;
    if (mem.memory) mem.refresh();
    cx.beginLowering();
    try {
      if (paramTuple) {
        const ptr = cx.alloc(paramTuple.align, paramTuple.size);
        try {
          paramTuple.store(cx, args, ptr);
        } catch (error) {
          const k = /^element (\d+)/.exec((error as Error).message);
          if (error instanceof ValueError && k) {
            argumentError(
              name,
              ft,
              Number(k[1]),
              new ValueError((error as Error).message.replace(/^element \d+: /, '')),
            );
          }
          throw error;
        }
        out[0] = ptr;
      } else {
        for (let k = 0; k < params.length; k++) {
          try {
            params[k]!.lowerFlat(cx, args[k], out, offsets[k]!);
          } catch (error) {
            argumentError(name, ft, k, error);
          }
        }
      }
    } catch (error) {
      cx.undoLowering();
      throw error;
    }
    cx.endLowering();
    const r = call(core, out, flatCount);
    let value: unknown;
    if (resultLayout) {
      if (mem.memory) mem.refresh();
      if (inMemory) {
        const ptr = (r as number) >>> 0;
        cx.range(ptr, resultLayout.size, resultLayout.align);
        if (fixed > 0) cx.admit(fixed);
        value = resultLayout.load(cx, ptr);
      } else {
        ret[0] = r;
        value = resultLayout.liftFlat(cx, ret, 0);
        ret[0] = undefined;
      }
    }
    const post = o.slot.postReturn;
    if (post) postReturn(inst, post, r);
    if (cx.borrowCount !== 0)
      trap(`"${name}" returned without dropping ${cx.borrowCount} borrowed handle(s)`);
    if (throwing) {
      const result = value as { tag: string; val: unknown };
      if (result.tag === 'err') throw new ComponentError(result.val);
      return result.val;
    }
    return value;
  };
}

/** The callee of a lowered function, as the host (a provider, another component) implements it. */
export type HostCallee = (args: unknown[]) => unknown;

export interface LoweredOptions {
  /** The import's name for errors (`wasi:cli/stdout@0.2.3#get-stdout`). */
  readonly name: string;
  readonly type: FuncType;
  /** The callee taking the arguments as an array; made from `direct` when absent. */
  readonly callee: HostCallee | undefined;
  /** A plain function taking the arguments as they are (for the scalar fast path), if the callee is one. */
  readonly direct: ((...args: unknown[]) => unknown) | undefined;
  /** The instance state of the core instance that imports it. */
  readonly inst: Cx['inst'];
  /** Its call context, made only when the function needs one (not a scalar import's: spawn time, issue 12). */
  readonly cx: () => Cx;
  /**
   * What a host value that does not fit the result type is (an `internal` error naming the
   * provider): one function for every import, given the import's name and type.
   */
  readonly badResult: (name: string, type: FuncType, error: ValueError) => never;
  /** What the host function's failure is (`hostFailure` when absent; an untyped provider's differs). */
  readonly failure?: ((error: unknown, name: string) => unknown) | undefined;
  /** An adapter to another component whose type holds strings: their sources, both ways (strings.ts). */
  readonly carry?: AdapterStrings | undefined;
}

const leaveError = () => trap('the guest called an import while realloc or post-return ran');

/**
 * A host function as a core import: lifts its arguments from the guest, lowers its result. A
 * scalar import's trampoline reaches only the host function, its instance's state and what its
 * type shares with every sandbox (idle memory per sandbox, issue 12).
 */
export function loweredFunction(o: LoweredOptions): CoreFunction {
  const ft = o.type;
  const flat = flattenFunc(ft, 'lower');
  const scalar =
    !flat.paramsInMemory &&
    !flat.resultsInMemory &&
    ft.params.every((p) => isScalar(p.type)) &&
    ft.results.every((r) => isScalar(r.type));
  if (scalar && o.direct && ft.params.length <= 2)
    return scalarLowered(o.name, ft, o.direct, o.inst, o.badResult, o.failure ?? hostFailure);
  return generalLowered(o, o.cx(), flat);
}

/** A scalar import's result, lowered; a host value that does not fit is the provider's bug (`badResult`). */
function lowerResult(
  lower: (v: unknown) => unknown,
  r: unknown,
  name: string,
  ft: FuncType,
  badResult: LoweredOptions['badResult'],
  gate: HostMark,
): unknown {
  try {
    return lower(r);
  } catch (error) {
    throw hostThrew(
      gate,
      r instanceof Promise ? asyncRefused(r, name) : badValue(error, name, ft, badResult),
    );
  }
}

/**
 * A host function answered a guest's synchronous call with a promise (an `async` function served
 * inline, where nothing can await it): refused as a worker refuses it (`invalid-argument`, thrown
 * into the guest), and the promise's rejection marked handled: its outcome is never used, and
 * unhandled it would end the host process (Node's default), a guest choosing the arguments.
 */
function asyncRefused(answer: Promise<unknown>, name: string): KeelError {
  answer.catch(() => {});
  return new KeelError(
    'invalid-argument',
    `${name} is asynchronous and was called during a synchronous call; serve it to a sandbox placed in a worker (placement: 'worker') and call with sandbox.invoke`,
    { import: name },
  );
}

/** What a result that does not fit its type is: `badResult`'s error for a `ValueError`, else the error. */
function badValue(
  error: unknown,
  name: string,
  ft: FuncType,
  badResult: LoweredOptions['badResult'],
): unknown {
  if (!(error instanceof ValueError)) return error;
  try {
    return badResult(name, ft, error);
  } catch (bad) {
    return bad;
  }
}

/**
 * The may-leave flag was down: host code threw into the call before (`hostThrew` puts every
 * instance's flag down: the scalar imports find the refusal on the flag they read anyway, not
 * on a second test of the word), refused with that error; else the guest called an import while
 * realloc or post-return ran, a trap thrown into it.
 */
function leaveRefused(gate: HostMark): never {
  if (gate.busy >= THREW) throwAgain(gate);
  let refusal: unknown;
  try {
    leaveError();
  } catch (error) {
    refusal = error;
  }
  throw hostThrew(gate, refusal);
}

function scalarLowered(
  name: string,
  ft: FuncType,
  f: (...args: unknown[]) => unknown,
  inst: Cx['inst'],
  badResult: LoweredOptions['badResult'],
  failure: (error: unknown, name: string) => unknown,
): CoreFunction {
  const lift = ft.params.map((p) => scalarLifter(p.type));
  const l0 = lift[0] ?? noValue;
  const l1 = lift[1] ?? noValue;
  const lower = ft.results.length === 1 ? scalarLowerer(ft.results[0]!.type) : noValue;
  // Each marks its sandbox first (`markHost`'s test written out: TurboFan's code for a call of an
  // imported function loads its binding and compares it twice, `--print-opt-code` of `lowered1`),
  // then writes the may-enter flag around the host function as before: the fast path's common
  // call reads neither (host/abi/fast.ts). `lowerResult` stays a module function: through a
  // constant of this function (as fast.ts's `done`) the guest-to-host row read 0.1x more with two
  // sandboxes alive (bench/results/perf-calls-2026-12-07-14.md). What they throw into the guest
  // is kept on the mark (`hostThrew`); a later host call of the same call is refused with it
  // through the may-leave flag (`leaveRefused`): a second test of the word here cost the
  // guest-to-host row 4 ns (25 -> 29 ns, bench/results/trap-2026-12-07-15.md).
  const gate = inst.gate;
  switch (ft.params.length) {
    case 0:
      return function lowered0() {
        if (gate.busy === 1) gate.busy = 65; // markHost (GATE_OPEN, GATE_OPEN | HOST)
        if (!inst.mayLeave) leaveRefused(gate);
        inst.mayEnter = false;
        let r: unknown;
        try {
          r = f();
        } catch (error) {
          inst.mayEnter = true;
          throw hostThrew(gate, failure(error, name));
        }
        inst.mayEnter = true;
        if (lower !== noValue) return lowerResult(lower, r, name, ft, badResult, gate);
        if (r instanceof Promise) throw hostThrew(gate, asyncRefused(r, name));
        return undefined;
      };
    case 1:
      return function lowered1(a: unknown) {
        if (gate.busy === 1) gate.busy = 65; // markHost (GATE_OPEN, GATE_OPEN | HOST)
        if (!inst.mayLeave) leaveRefused(gate);
        inst.mayEnter = false;
        let r: unknown;
        try {
          r = f(l0(a));
        } catch (error) {
          inst.mayEnter = true;
          throw hostThrew(gate, failure(error, name));
        }
        inst.mayEnter = true;
        if (lower !== noValue) return lowerResult(lower, r, name, ft, badResult, gate);
        if (r instanceof Promise) throw hostThrew(gate, asyncRefused(r, name));
        return undefined;
      };
    default:
      return function lowered2(a: unknown, b: unknown) {
        if (gate.busy === 1) gate.busy = 65; // markHost (GATE_OPEN, GATE_OPEN | HOST)
        if (!inst.mayLeave) leaveRefused(gate);
        inst.mayEnter = false;
        let r: unknown;
        try {
          r = f(l0(a), l1(b));
        } catch (error) {
          inst.mayEnter = true;
          throw hostThrew(gate, failure(error, name));
        }
        inst.mayEnter = true;
        if (lower !== noValue) return lowerResult(lower, r, name, ft, badResult, gate);
        if (r instanceof Promise) throw hostThrew(gate, asyncRefused(r, name));
        return undefined;
      };
  }
}

function generalLowered(o: LoweredOptions, cx: Cx, flat: ReturnType<typeof flattenFunc>): CoreFunction {
  const ft = o.type;
  const direct = o.direct;
  const callee: HostCallee = o.callee ?? ((args) => Reflect.apply(direct!, undefined, args));
  const inst = cx.inst;
  const mem = cx.opts.mem;
  const shape = generalShape(ft, flat, 'lower');
  const { params, paramTuple, offsets, result, many, fixed } = shape;
  const catching = shape.throwing;
  const inMemory = flat.resultsInMemory;
  const out: unknown[] = [undefined];
  const hasMemory = () => mem.memory !== undefined;
  const failure = o.failure ?? hostFailure;
  const gate = inst.gate;
  const carry = o.carry;
  return function lowered(...flatArgs: unknown[]) {
    // First: the arguments' lifting (byte charges, a limit's event) is host code too.
    markHost(gate);
    // Whatever it throws goes into the guest (a bad pointer or string in the arguments, the
    // host function's failure, a result that does not fit, realloc's refusal): kept on the mark.
    try {
      if (!inst.mayLeave) trap('the guest called an import while realloc or post-return ran');
      cx.lenders = [];
      cx.admitted = 0;
      if (hasMemory()) mem.refresh();
      if (carry !== undefined) cx.carry = carry.args.begin(cx.opts.encoding);
      let args: unknown[];
      if (paramTuple) {
        const ptr = (flatArgs[0] as number) >>> 0;
        cx.range(ptr, paramTuple.size, paramTuple.align);
        if (fixed > 0) cx.admit(fixed);
        args = paramTuple.load(cx, ptr) as unknown[];
      } else {
        if (fixed > 0) cx.admit(fixed);
        args = new Array(params.length);
        for (let k = 0; k < params.length; k++) args[k] = params[k]!.liftFlat(cx, flatArgs, offsets[k]!);
      }
      cx.carry = undefined;
      inst.mayEnter = false;
      let value: unknown;
      try {
        if (catching) {
          try {
            value = { tag: 'ok', val: callee(args) };
          } catch (error) {
            value = { tag: 'err', val: errorPayload(error) };
          }
        } else {
          value = callee(args);
        }
      } catch (error) {
        throw failure(error, o.name);
      } finally {
        inst.mayEnter = true;
        const lenders = cx.lenders;
        for (let k = 0; k < lenders.length; k++) lenders[k]!.lendCount--;
        cx.lenders = [];
      }
      const answer = catching ? (value as { val: unknown }).val : value;
      if (answer instanceof Promise) throw asyncRefused(answer, o.name);
      if (!result) return undefined;
      if (carry !== undefined) cx.source = carry.results.rewind();
      try {
        if (inMemory) {
          const ptr = (flatArgs[flatArgs.length - 1] as number) >>> 0;
          if (hasMemory()) mem.refresh();
          cx.range(ptr, result.size, result.align);
          result.store(cx, many ? value : value, ptr);
          return undefined;
        }
        result.lowerFlat(cx, value, out, 0);
        const r = out[0];
        out[0] = undefined;
        return r;
      } catch (error) {
        if (error instanceof ValueError) o.badResult(o.name, ft, error);
        throw error;
      } finally {
        cx.source = undefined;
      }
    } catch (error) {
      cx.carry = undefined;
      // Borrows lent by arguments lifted before one failed: given back (the call never ran).
      const lenders = cx.lenders;
      for (let k = 0; k < lenders.length; k++) lenders[k]!.lendCount--;
      cx.lenders = [];
      throw hostThrew(gate, error);
    }
  };
}

/**
 * What a host function's failure during a guest's call is. A `RangeError` other than a stack
 * overflow is a guest's value the host could not take (a length, a count or a size past what
 * JavaScript holds): `trap`, the guest's fault. A `TypeError` is a provider's bug: `internal`,
 * naming the import (it is never the embedder's `invalid-argument`). Anything else as it is.
 */
export function hostFailure(error: unknown, name: string): unknown {
  if (error instanceof RangeError && !/call stack/i.test(error.message)) {
    return new KeelError('trap', `${name} could not take the guest's arguments: ${error.message}`, {
      import: name,
      reason: error.message,
    });
  }
  if (error instanceof TypeError) {
    return new KeelError('internal', `${name} failed: ${error.message}`, { import: name });
  }
  return error;
}

/**
 * What a host function threw, as a `result` error: a `{ payload }` (Keel's `wasiError`, jco's
 * `ComponentError`) gives its payload, another non-Error value is the error itself, and an
 * `Error` is a failure that unwinds the guest (rethrown).
 */
export function errorPayload(error: unknown): unknown {
  if (error !== null && typeof error === 'object' && Object.hasOwn(error, 'payload')) {
    return (error as { payload: unknown }).payload;
  }
  if (error instanceof Error) throw error;
  return error;
}

/** Layout of a function's results in memory (for tests). */
export function resultsLayout(ft: FuncType): { size: number; align: number } {
  return layoutOf(tupleOf(ft.results.map((r) => r.type)));
}
