/**
 * A seeded generator of random, valid, terminating WebAssembly modules for differential
 * fuzzing: the same seed always gives the same bytes.
 *
 * Each module has functions with several parameters and results (multi-value), locals,
 * mutable globals, one memory (1 page, up to 4) with a data segment, a funcref table filled by
 * an element segment (with null slots), an imported host function `env.h`, and exports:
 * - `f0`, `f1`, ...: the functions the fuzzer calls;
 * - `state`: returns every user global (so their bits can be compared);
 * - `mem`: the memory; `loop_budget`, `call_budget`: mutable i32 globals the fuzzer sets before
 *   each call. Every loop iteration and every call spends one unit and traps (`unreachable`)
 *   when none is left, so every call terminates and the call depth stays far below V8's
 *   stack limit (stack exhaustion would depend on frame sizes, which a rewriter may change).
 *
 * Bodies are built type-directed, so they validate by construction: blocks, loops and ifs with
 * single or multiple results, `br`, `br_if`, `br_table`, `return`, direct and indirect calls,
 * integer and float arithmetic (division and truncation that can trap), conversions
 * (trapping and saturating), sign extension, loads and stores (in and out of bounds),
 * `memory.size/grow/fill/copy`, `select`, `local.tee`, a few SIMD operations and, rarely,
 * `unreachable`.
 */
import {
  type FuncSig,
  funcType,
  HEADER,
  name,
  section,
  sleb,
  uleb,
  VALTYPE_CODE,
  type ValType,
  vec,
} from '../spec/binary.js';
import { Rng } from './rng.js';

export type NumType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

export interface GenOptions {
  /** Functions besides the import (at least 1). */
  maxFuncs: number;
  maxParams: number;
  maxResults: number;
  maxLocals: number;
  maxGlobals: number;
  /** Statements per block. */
  maxStmts: number;
  /** Nesting of expressions and blocks. */
  maxDepth: number;
  simd: boolean;
}

export const DEFAULT_GEN: GenOptions = {
  maxFuncs: 6,
  maxParams: 4,
  maxResults: 3,
  maxLocals: 5,
  maxGlobals: 4,
  maxStmts: 4,
  maxDepth: 4,
  simd: true,
};

export interface FuzzModule {
  seed: number;
  bytes: Uint8Array;
}

/** Global indices fixed by the layout. */
const LOOP_BUDGET = 0;
const CALL_BUDGET = 1;
const FIRST_USER_GLOBAL = 2;
const MEMORY_PAGES = 1;
const MEMORY_MAX = 4;

interface Func {
  sig: FuncSig;
  typeIndex: number;
}

interface Label {
  types: ValType[];
}

interface FnCtx {
  /** This function's index: calls go mostly forward (to higher indices), rarely back. */
  self: number;
  locals: ValType[];
  labels: Label[];
  results: ValType[];
  out: number[];
}

const I32_BIN = [0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78];
const I64_BIN = [0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a];
const F32_BIN = [0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98];
const F64_BIN = [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6];
const I32_UN = [0x67, 0x68, 0x69, 0xc0, 0xc1];
const I64_UN = [0x79, 0x7a, 0x7b, 0xc2, 0xc3, 0xc4];
const F32_UN = [0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91];
const F64_UN = [0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f];

/** Conversions: [opcode bytes, from, to]. */
const CONVERSIONS: [number[], NumType, NumType][] = [
  [[0xa7], 'i64', 'i32'],
  [[0xa8], 'f32', 'i32'],
  [[0xa9], 'f32', 'i32'],
  [[0xaa], 'f64', 'i32'],
  [[0xab], 'f64', 'i32'],
  [[0xac], 'i32', 'i64'],
  [[0xad], 'i32', 'i64'],
  [[0xae], 'f32', 'i64'],
  [[0xaf], 'f32', 'i64'],
  [[0xb0], 'f64', 'i64'],
  [[0xb1], 'f64', 'i64'],
  [[0xb2], 'i32', 'f32'],
  [[0xb3], 'i32', 'f32'],
  [[0xb4], 'i64', 'f32'],
  [[0xb5], 'i64', 'f32'],
  [[0xb6], 'f64', 'f32'],
  [[0xb7], 'i32', 'f64'],
  [[0xb8], 'i32', 'f64'],
  [[0xb9], 'i64', 'f64'],
  [[0xba], 'i64', 'f64'],
  [[0xbb], 'f32', 'f64'],
  [[0xbc], 'f32', 'i32'],
  [[0xbd], 'f64', 'i64'],
  [[0xbe], 'i32', 'f32'],
  [[0xbf], 'i64', 'f64'],
  [[0xfc, 0], 'f32', 'i32'],
  [[0xfc, 1], 'f32', 'i32'],
  [[0xfc, 2], 'f64', 'i32'],
  [[0xfc, 3], 'f64', 'i32'],
  [[0xfc, 4], 'f32', 'i64'],
  [[0xfc, 5], 'f32', 'i64'],
  [[0xfc, 6], 'f64', 'i64'],
  [[0xfc, 7], 'f64', 'i64'],
];

/** Comparisons to i32: [opcode, operand type]; eqz ops are unary. */
const COMPARES: [number, NumType][] = [
  ...[0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f].map(
    (op) => [op, 'i32'] as [number, NumType],
  ),
  ...[0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a].map(
    (op) => [op, 'i64'] as [number, NumType],
  ),
  ...[0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60].map((op) => [op, 'f32'] as [number, NumType]),
  ...[0x61, 0x62, 0x63, 0x64, 0x65, 0x66].map((op) => [op, 'f64'] as [number, NumType]),
];

/** Loads: [opcode, result type, natural alignment log2]; stores likewise with the value type. */
const LOADS: [number, NumType, number][] = [
  [0x28, 'i32', 2],
  [0x29, 'i64', 3],
  [0x2a, 'f32', 2],
  [0x2b, 'f64', 3],
  [0x2c, 'i32', 0],
  [0x2d, 'i32', 0],
  [0x2e, 'i32', 1],
  [0x2f, 'i32', 1],
  [0x30, 'i64', 0],
  [0x31, 'i64', 0],
  [0x32, 'i64', 1],
  [0x33, 'i64', 1],
  [0x34, 'i64', 2],
  [0x35, 'i64', 2],
];
const STORES: [number, NumType, number][] = [
  [0x36, 'i32', 2],
  [0x37, 'i64', 3],
  [0x38, 'f32', 2],
  [0x39, 'f64', 3],
  [0x3a, 'i32', 0],
  [0x3b, 'i32', 1],
  [0x3c, 'i64', 0],
  [0x3d, 'i64', 1],
  [0x3e, 'i64', 2],
];

/** SIMD binary ops on v128 (opcode after 0xfd). */
const V128_BIN = [0x4e, 0x4f, 0x50, 0x51, 0xae, 0xb1, 0xb5, 0xe4, 0xe5, 0xe6, 0xe8, 0xe9, 0x37, 0x6e, 0x71];

class Generator {
  readonly rng: Rng;
  readonly opt: GenOptions;
  readonly types: FuncSig[] = [];
  readonly funcs: Func[] = [];
  readonly globals: ValType[] = [];
  tableSize = 0;
  private steps = 0;

  constructor(seed: number, opt: GenOptions) {
    this.rng = new Rng(seed);
    this.opt = opt;
  }

  typeIndex(sig: FuncSig): number {
    const key = `${sig.params.join()}>${sig.results.join()}`;
    const found = this.types.findIndex((t) => `${t.params.join()}>${t.results.join()}` === key);
    if (found >= 0) return found;
    this.types.push(sig);
    return this.types.length - 1;
  }

  valtype(): NumType {
    const r = this.rng;
    if (this.opt.simd && r.chance(0.08)) return 'v128';
    return r.pick(['i32', 'i32', 'i64', 'f32', 'f64'] as const);
  }

  // --- constants --------------------------------------------------------------------------

  i32Const(out: number[], v?: number): void {
    out.push(0x41, ...sleb(v ?? this.interestingI32()));
  }

  interestingI32(): number {
    const r = this.rng;
    return r.weighted([
      [4, r.range(-16, 16)],
      [2, r.pick([0x7fffffff, -0x80000000, -1, 0xffff, 0x8000, 255, 65536])],
      [3, r.u32() | 0],
    ]);
  }

  constOf(t: NumType, out: number[]): void {
    const r = this.rng;
    switch (t) {
      case 'i32':
        this.i32Const(out);
        return;
      case 'i64': {
        const v = r.weighted<bigint>([
          [4, BigInt(r.range(-16, 16))],
          [2, r.pick([0x7fffffffffffffffn, -0x8000000000000000n, -1n, 0xffffffffn, 0x80000000n])],
          [3, BigInt.asIntN(64, r.u64())],
        ]);
        out.push(0x42, ...sleb(v));
        return;
      }
      case 'f32': {
        const bits = r.weighted<number>([
          [3, r.u32()],
          [
            2,
            r.pick([
              0x7fc00000, 0xffc00000, 0x7fa00001, 0x7f800000, 0xff800000, 0x80000000, 0, 0x3f800000,
              0x4f000000, 0xcf000000,
            ]),
          ],
          [3, new Uint32Array(new Float32Array([r.range(-1000, 1000) / 8]).buffer)[0]!],
        ]);
        out.push(0x43, bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, bits >>> 24);
        return;
      }
      case 'f64': {
        const view = new DataView(new ArrayBuffer(8));
        const kind = r.int(3);
        if (kind === 0) view.setBigUint64(0, r.u64(), true);
        else if (kind === 1)
          view.setBigUint64(
            0,
            r.pick([
              0x7ff8000000000000n,
              0xfff8000000000000n,
              0x7ff4000000000001n,
              0x7ff0000000000000n,
              0x8000000000000000n,
              0x43e0000000000000n,
            ]),
            true,
          );
        else view.setFloat64(0, r.range(-100000, 100000) / 16, true);
        out.push(0x44, ...new Uint8Array(view.buffer));
        return;
      }
      case 'v128':
        out.push(0xfd, ...uleb(0x0c), ...r.bytes(16));
        return;
    }
  }

  // --- expressions ------------------------------------------------------------------------

  /** Emits code that pushes exactly one value of type `t`. */
  expr(ctx: FnCtx, t: NumType, depth: number): void {
    const r = this.rng;
    const out = ctx.out;
    this.steps++;
    if (depth <= 0 || this.steps > 4000) {
      this.leaf(ctx, t);
      return;
    }
    const d = depth - 1;
    const choice = r.weighted<string>([
      [6, 'leaf'],
      [t === 'v128' ? 4 : 10, 'arith'],
      [t === 'i32' ? 4 : 0, 'compare'],
      [t === 'v128' ? 0 : 4, 'convert'],
      [3, 'load'],
      [2, 'select'],
      [2, 'tee'],
      [2, 'block'],
      [2, 'if'],
      [2, 'call'],
      [1, 'call_indirect'],
      [t === 'i32' ? 1 : 0, 'memory'],
      [1, 'multi'],
    ]);
    switch (choice) {
      case 'arith':
        this.arith(ctx, t, d);
        return;
      case 'compare': {
        if (r.chance(0.2)) {
          const et = r.pick(['i32', 'i64'] as const);
          this.expr(ctx, et, d);
          out.push(et === 'i32' ? 0x45 : 0x50);
          return;
        }
        const [op, operand] = r.pick(COMPARES);
        this.expr(ctx, operand, d);
        this.expr(ctx, operand, d);
        out.push(op);
        return;
      }
      case 'convert': {
        const options = CONVERSIONS.filter(([, , to]) => to === t);
        const [ops, from] = r.pick(options);
        this.expr(ctx, from, d);
        out.push(...ops);
        return;
      }
      case 'load':
        this.load(ctx, t, d);
        return;
      case 'select':
        this.expr(ctx, t, d);
        this.expr(ctx, t, d);
        this.expr(ctx, 'i32', d);
        if (r.chance(0.5)) out.push(0x1b);
        else out.push(0x1c, 1, VALTYPE_CODE[t]);
        return;
      case 'tee': {
        const local = this.localOf(ctx, t);
        this.expr(ctx, t, d);
        out.push(0x22, ...uleb(local));
        return;
      }
      case 'block':
        this.block(ctx, [t], d);
        return;
      case 'if':
        this.ifElse(ctx, [t], d);
        return;
      case 'call':
      case 'call_indirect': {
        const candidates = this.callees(ctx).filter(([f]) => f.sig.results.includes(t));
        if (candidates.length === 0) {
          this.leaf(ctx, t);
          return;
        }
        const [f, index] = r.pick(candidates);
        this.call(ctx, f, index, choice === 'call_indirect', d);
        this.keepOne(ctx, f.sig.results, t);
        return;
      }
      case 'memory':
        if (r.chance(0.5)) out.push(0x3f, 0);
        else {
          this.i32Const(
            out,
            r.weighted([
              [6, r.range(0, 1)],
              [1, r.range(2, 5)],
              [1, -1],
            ]),
          );
          out.push(0x40, 0);
        }
        return;
      case 'multi': {
        // A block with two results; the second goes to a scratch local.
        const extra = this.valtype();
        this.block(ctx, [t, extra], d);
        const scratch = this.scratch(ctx, extra);
        out.push(0x21, ...uleb(scratch));
        return;
      }
      default:
        this.leaf(ctx, t);
    }
  }

  leaf(ctx: FnCtx, t: NumType): void {
    const r = this.rng;
    const locals = ctx.locals.map((lt, i) => [lt, i] as const).filter(([lt]) => lt === t);
    const globals = this.globals.map((gt, i) => [gt, i] as const).filter(([gt]) => gt === t);
    const kind = r.weighted([
      [3, 'const'],
      [locals.length ? 4 : 0, 'local'],
      [globals.length ? 1 : 0, 'global'],
    ]);
    if (kind === 'local') ctx.out.push(0x20, ...uleb(r.pick(locals)[1]));
    else if (kind === 'global') ctx.out.push(0x23, ...uleb(FIRST_USER_GLOBAL + r.pick(globals)[1]));
    else this.constOf(t, ctx.out);
  }

  arith(ctx: FnCtx, t: NumType, d: number): void {
    const r = this.rng;
    const out = ctx.out;
    const unary = r.chance(0.25);
    switch (t) {
      case 'i32':
      case 'i64': {
        const is32 = t === 'i32';
        this.expr(ctx, t, d);
        if (unary) {
          out.push(r.pick(is32 ? I32_UN : I64_UN));
          return;
        }
        const op = r.pick(is32 ? I32_BIN : I64_BIN);
        this.expr(ctx, t, d);
        // Division and remainder: mostly by a divisor made odd (so not zero), else as is.
        const divides = is32 ? op >= 0x6d && op <= 0x70 : op >= 0x7f && op <= 0x82;
        if (divides && r.chance(0.7)) out.push(is32 ? 0x41 : 0x42, 1, is32 ? 0x72 : 0x84);
        out.push(op);
        return;
      }
      case 'f32':
        this.expr(ctx, t, d);
        if (unary) out.push(r.pick(F32_UN));
        else {
          this.expr(ctx, t, d);
          out.push(r.pick(F32_BIN));
        }
        return;
      case 'f64':
        this.expr(ctx, t, d);
        if (unary) out.push(r.pick(F64_UN));
        else {
          this.expr(ctx, t, d);
          out.push(r.pick(F64_BIN));
        }
        return;
      case 'v128': {
        const kind = r.int(4);
        if (kind === 0) {
          const lane = r.pick(['i32', 'f32'] as const);
          this.expr(ctx, lane, d);
          out.push(0xfd, ...uleb(lane === 'i32' ? 0x11 : 0x13));
        } else if (kind === 1) {
          this.expr(ctx, 'v128', d);
          this.expr(ctx, 'v128', d);
          out.push(0xfd, ...uleb(0x0d), ...Array.from({ length: 16 }, () => r.int(32)));
        } else if (kind === 2) {
          this.expr(ctx, 'v128', d);
          this.expr(ctx, 'v128', d);
          this.expr(ctx, 'v128', d);
          out.push(0xfd, ...uleb(0x52));
        } else {
          this.expr(ctx, 'v128', d);
          this.expr(ctx, 'v128', d);
          out.push(0xfd, ...uleb(r.pick(V128_BIN)));
        }
        return;
      }
    }
  }

  /** An address: mostly in bounds, sometimes anywhere (a trap). */
  address(ctx: FnCtx, d: number): void {
    const r = this.rng;
    const out = ctx.out;
    const kind = r.weighted([
      [10, 'const'],
      [6, 'masked'],
      [1, 'any'],
    ]);
    if (kind === 'const')
      this.i32Const(
        out,
        r.weighted([
          [40, r.range(0, 1024)],
          [1, r.range(65536 - 16, 65536 + 16)],
          [1, r.u32() | 0],
        ]),
      );
    else if (kind === 'masked') {
      this.expr(ctx, 'i32', d);
      this.i32Const(out, 0xfff);
      out.push(0x71);
    } else this.expr(ctx, 'i32', d);
  }

  memarg(out: number[], naturalAlign: number): void {
    const r = this.rng;
    const align = r.chance(0.8) ? naturalAlign : r.int(naturalAlign + 1);
    const offset = r.weighted([
      [40, r.range(0, 64)],
      [1, r.range(65000, 70000)],
    ]);
    out.push(...uleb(align), ...uleb(offset));
  }

  load(ctx: FnCtx, t: NumType, d: number): void {
    const out = ctx.out;
    this.address(ctx, d);
    if (t === 'v128') {
      out.push(0xfd, ...uleb(0x00));
      this.memarg(out, 4);
      return;
    }
    const [op, , align] = this.rng.pick(LOADS.filter(([, lt]) => lt === t));
    out.push(op);
    this.memarg(out, align);
  }

  // --- control ----------------------------------------------------------------------------

  blockType(results: ValType[]): number[] {
    if (results.length === 0) return [0x40];
    if (results.length === 1) return [VALTYPE_CODE[results[0]!]];
    return sleb(this.typeIndex({ params: [], results }));
  }

  /** A body that leaves `results` on the stack, or ends in an unconditional branch. */
  body(ctx: FnCtx, results: ValType[], depth: number): void {
    const r = this.rng;
    const n = r.int(this.opt.maxStmts + 1);
    for (let i = 0; i < n; i++) this.stmt(ctx, depth);
    if (depth > 0 && r.chance(0.12)) this.terminator(ctx, depth - 1);
    else for (const t of results) this.expr(ctx, t as NumType, depth);
  }

  block(ctx: FnCtx, results: ValType[], depth: number): void {
    ctx.out.push(0x02, ...this.blockType(results));
    ctx.labels.push({ types: results });
    this.body(ctx, results, depth);
    ctx.labels.pop();
    ctx.out.push(0x0b);
  }

  ifElse(ctx: FnCtx, results: ValType[], depth: number): void {
    this.expr(ctx, 'i32', depth);
    ctx.out.push(0x04, ...this.blockType(results));
    ctx.labels.push({ types: results });
    this.body(ctx, results, depth);
    if (results.length > 0 || this.rng.chance(0.5)) {
      ctx.out.push(0x05);
      this.body(ctx, results, depth);
    }
    ctx.labels.pop();
    ctx.out.push(0x0b);
  }

  /** A loop that spends the loop budget each iteration and repeats while a condition holds. */
  loop(ctx: FnCtx, depth: number): void {
    const out = ctx.out;
    // Mostly a counted loop (1 to 8 iterations), else one that repeats on a random condition.
    const counter = this.rng.chance(0.7) ? this.scratch(ctx, 'i32') : -1;
    if (counter >= 0) {
      this.i32Const(out, this.rng.range(1, 8));
      out.push(0x21, ...uleb(counter));
    }
    out.push(0x03, 0x40);
    ctx.labels.push({ types: [] });
    this.spend(out, LOOP_BUDGET);
    const n = this.rng.range(1, this.opt.maxStmts);
    for (let i = 0; i < n; i++) this.stmt(ctx, depth);
    if (counter >= 0) out.push(0x20, ...uleb(counter), 0x41, 1, 0x6b, 0x22, ...uleb(counter));
    else this.expr(ctx, 'i32', depth);
    out.push(0x0d, 0);
    ctx.labels.pop();
    out.push(0x0b);
  }

  /** `if (budget == 0) unreachable; budget -= 1`. */
  spend(out: number[], global: number): void {
    out.push(0x23, global, 0x45, 0x04, 0x40, 0x00, 0x0b, 0x23, global, 0x41, 1, 0x6b, 0x24, global);
  }

  /** Pushes values for a label's branch types. */
  branchValues(ctx: FnCtx, label: Label, depth: number): void {
    for (const t of label.types) this.expr(ctx, t as NumType, depth);
  }

  terminator(ctx: FnCtx, depth: number): void {
    const r = this.rng;
    const out = ctx.out;
    const kind = r.weighted([
      [10, 'br'],
      [4, 'br_table'],
      [4, 'return'],
      [1, 'unreachable'],
    ]);
    if (kind === 'unreachable') {
      out.push(0x00); // rare: 1 in 10 terminators
    } else if (kind === 'return') {
      for (const t of ctx.results) this.expr(ctx, t as NumType, depth);
      out.push(0x0f);
    } else {
      const li = r.int(ctx.labels.length);
      const label = ctx.labels[li]!;
      this.branchValues(ctx, label, depth);
      const rel = ctx.labels.length - 1 - li;
      if (kind === 'br') {
        out.push(0x0c, ...uleb(rel));
      } else {
        const key = label.types.join();
        const same = ctx.labels.map((l, i) => [l, i] as const).filter(([l]) => l.types.join() === key);
        const targets = Array.from({ length: r.int(5) }, () => ctx.labels.length - 1 - r.pick(same)[1]);
        this.expr(ctx, 'i32', depth);
        out.push(0x0e, ...uleb(targets.length), ...targets.flatMap((t) => uleb(t)), ...uleb(rel));
      }
    }
  }

  // --- statements -------------------------------------------------------------------------

  stmt(ctx: FnCtx, depth: number): void {
    const r = this.rng;
    const out = ctx.out;
    this.steps++;
    const d = Math.max(0, depth - 1);
    const kind = r.weighted([
      [4, 'local.set'],
      [this.globals.length ? 2 : 0, 'global.set'],
      [3, 'store'],
      [2, 'drop'],
      [depth > 0 ? 2 : 0, 'block'],
      [depth > 0 ? 2 : 0, 'loop'],
      [depth > 0 ? 2 : 0, 'if'],
      [depth > 0 ? 2 : 0, 'br_if'],
      [2, 'call'],
      [1, 'bulk'],
      [1, 'host'],
      [this.steps > 4000 ? 0 : 0.05, 'unreachable'],
    ]);
    switch (kind) {
      case 'local.set': {
        const t = this.valtype();
        const local = this.localOf(ctx, t);
        this.expr(ctx, t, d);
        out.push(0x21, ...uleb(local));
        return;
      }
      case 'global.set': {
        const g = r.int(this.globals.length);
        this.expr(ctx, this.globals[g] as NumType, d);
        out.push(0x24, ...uleb(FIRST_USER_GLOBAL + g));
        return;
      }
      case 'store': {
        const t = this.valtype();
        this.address(ctx, d);
        this.expr(ctx, t, d);
        if (t === 'v128') {
          out.push(0xfd, ...uleb(0x0b));
          this.memarg(out, 4);
        } else {
          const [op, , align] = r.pick(STORES.filter(([, st]) => st === t));
          out.push(op);
          this.memarg(out, align);
        }
        return;
      }
      case 'drop':
        this.expr(ctx, this.valtype(), d);
        out.push(0x1a);
        return;
      case 'block': {
        const results = r.chance(0.6) ? [] : [this.valtype()];
        this.block(ctx, results, d);
        for (const _ of results) out.push(0x1a);
        return;
      }
      case 'loop':
        this.loop(ctx, d);
        return;
      case 'if':
        this.ifElse(ctx, [], d);
        return;
      case 'br_if': {
        const li = r.int(ctx.labels.length);
        const label = ctx.labels[li]!;
        this.branchValues(ctx, label, d);
        this.expr(ctx, 'i32', d);
        out.push(0x0d, ...uleb(ctx.labels.length - 1 - li));
        for (const _ of label.types) out.push(0x1a);
        return;
      }
      case 'call': {
        const [f, index] = r.pick(this.callees(ctx));
        this.call(ctx, f, index, r.chance(0.3), d);
        for (const _ of f.sig.results) out.push(0x1a);
        return;
      }
      case 'bulk': {
        const fill = r.chance(0.5);
        this.address(ctx, d);
        if (fill) this.expr(ctx, 'i32', d);
        else this.address(ctx, d);
        this.i32Const(
          out,
          r.weighted([
            [20, r.range(0, 256)],
            [1, r.range(60000, 70000)],
          ]),
        );
        out.push(0xfc, ...uleb(fill ? 11 : 10), 0);
        if (!fill) out.push(0);
        return;
      }
      case 'host':
        this.expr(ctx, 'i32', d);
        this.expr(ctx, 'i64', d);
        out.push(0x10, 0, 0x1a);
        return;
      case 'unreachable':
        out.push(0x00);
        return;
    }
  }

  /** Functions this one may call: the host and later functions, or rarely any (recursion). */
  callees(ctx: FnCtx): (readonly [Func, number])[] {
    const all = this.funcs.map((f, i) => [f, i] as const);
    if (this.rng.chance(0.05)) return all;
    return all.filter(([, i]) => i === 0 || i > ctx.self);
  }

  /** Calls function `index` (0 is the host import), directly or through the table. */
  call(ctx: FnCtx, f: Func, index: number, indirect: boolean, d: number): void {
    const out = ctx.out;
    for (const p of f.sig.params) this.expr(ctx, p as NumType, d);
    if (!indirect || index === 0) {
      out.push(0x10, ...uleb(index));
      return;
    }
    // Table slot i holds function i + 1; a few slots are null or hold other signatures.
    const r = this.rng;
    this.i32Const(
      out,
      r.weighted([
        [8, index - 1],
        [1, r.int(this.tableSize + 2)],
      ]),
    );
    out.push(0x11, ...uleb(f.typeIndex), 0);
  }

  /** Reduces a call's results to the one of type `t` (through scratch locals). */
  keepOne(ctx: FnCtx, results: ValType[], t: ValType): void {
    if (results.length === 1) return;
    const which = results.lastIndexOf(t);
    const scratch = results.map((rt) => this.scratch(ctx, rt));
    for (let i = results.length - 1; i >= 0; i--) ctx.out.push(0x21, ...uleb(scratch[i]!));
    ctx.out.push(0x20, ...uleb(scratch[which]!));
  }

  scratch(ctx: FnCtx, t: ValType): number {
    ctx.locals.push(t);
    return ctx.locals.length - 1;
  }

  localOf(ctx: FnCtx, t: NumType): number {
    const existing = ctx.locals.map((lt, i) => [lt, i] as const).filter(([lt]) => lt === t);
    if (existing.length && this.rng.chance(0.8)) return this.rng.pick(existing)[1];
    return this.scratch(ctx, t);
  }

  // --- module -----------------------------------------------------------------------------

  module(): Uint8Array {
    const r = this.rng;
    const host: FuncSig = { params: ['i32', 'i64'], results: ['i32'] };
    this.funcs.push({ sig: host, typeIndex: this.typeIndex(host) });
    const nFuncs = r.range(1, this.opt.maxFuncs);
    for (let i = 0; i < nFuncs; i++) {
      const sig: FuncSig = {
        params: Array.from({ length: r.int(this.opt.maxParams + 1) }, () => this.valtype()),
        results: Array.from({ length: r.int(this.opt.maxResults + 1) }, () => this.valtype()),
      };
      this.funcs.push({ sig, typeIndex: this.typeIndex(sig) });
    }
    this.tableSize = nFuncs + 2;
    for (let g = r.int(this.opt.maxGlobals + 1); g > 0; g--) this.globals.push(this.valtype());
    const bodies = this.funcs.slice(1).map((f, i) => this.function(f.sig, i + 1));
    const stateSig: FuncSig = { params: [], results: [...this.globals] };
    const stateType = this.typeIndex(stateSig);
    const stateBody = [0, ...this.globals.flatMap((_, i) => [0x23, ...uleb(FIRST_USER_GLOBAL + i)]), 0x0b];
    const globalInits = [
      [0x7f, 0x01, 0x41, ...sleb(1000), 0x0b],
      [0x7f, 0x01, 0x41, ...sleb(100), 0x0b],
      ...this.globals.map((t) => {
        const init: number[] = [];
        this.constOf(t as NumType, init);
        return [VALTYPE_CODE[t], 0x01, ...init, 0x0b];
      }),
    ];
    const exports = [
      ...this.funcs.slice(1).map((_, i) => [...name(`f${i}`), 0x00, ...uleb(i + 1)]),
      [...name('state'), 0x00, ...uleb(this.funcs.length)],
      [...name('mem'), 0x02, 0],
      [...name('loop_budget'), 0x03, LOOP_BUDGET],
      [...name('call_budget'), 0x03, CALL_BUDGET],
    ];
    const elems = Array.from({ length: nFuncs }, (_, i) => uleb(i + 1));
    const data = r.bytes(r.range(0, 64));
    const code = [...bodies, stateBody].map((b) => [...uleb(b.length), ...b]);
    return new Uint8Array([
      ...HEADER,
      ...section(1, vec(this.types.map(funcType))),
      ...section(2, vec([[...name('env'), ...name('h'), 0x00, ...uleb(this.funcs[0]!.typeIndex)]])),
      ...section(3, vec([...this.funcs.slice(1).map((f) => uleb(f.typeIndex)), uleb(stateType)])),
      ...section(4, vec([[0x70, 0x00, ...uleb(this.tableSize)]])),
      ...section(5, vec([[0x01, MEMORY_PAGES, MEMORY_MAX]])),
      ...section(6, vec(globalInits)),
      ...section(7, vec(exports)),
      ...section(9, vec([[0x00, 0x41, 0x00, 0x0b, ...vec(elems)]])),
      ...section(10, vec(code)),
      ...section(11, vec([[0x00, 0x41, ...sleb(r.range(0, 512)), 0x0b, ...uleb(data.length), ...data]])),
    ]);
  }

  function(sig: FuncSig, self: number): number[] {
    const ctx: FnCtx = {
      self,
      locals: [...sig.params],
      labels: [{ types: sig.results }],
      results: sig.results,
      out: [],
    };
    for (let i = this.rng.int(this.opt.maxLocals + 1); i > 0; i--) ctx.locals.push(this.valtype());
    this.steps = 0;
    this.spend(ctx.out, CALL_BUDGET);
    this.body(ctx, sig.results, this.opt.maxDepth);
    ctx.out.push(0x0b);
    const declared = ctx.locals.slice(sig.params.length);
    const groups: number[][] = [];
    for (const t of declared) {
      const last = groups[groups.length - 1];
      if (last && last[1] === VALTYPE_CODE[t]) last[0]!++;
      else groups.push([1, VALTYPE_CODE[t]]);
    }
    return [...vec(groups.map(([n, code]) => [...uleb(n!), code!])), ...ctx.out];
  }
}

/** Generates the module for `seed`. */
export function generate(seed: number, options: Partial<GenOptions> = {}): FuzzModule {
  const g = new Generator(seed, { ...DEFAULT_GEN, ...options });
  return { seed, bytes: g.module() };
}
