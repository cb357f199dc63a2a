/**
 * Counted loops: the innermost loops whose number of iterations is known when they start, so
 * that the metering can charge all of them once, before the loop, instead of at every turn.
 *
 * A counted loop has one of two shapes, where H and B are straight-line code (no branch, call,
 * block, grow or bulk operation; see `scan`):
 *
 *   while:  loop  H  if  B  br 1  [else ...]  end  ...  end   ;; turns while H's test holds
 *   do:     loop  B  br_if 0  ...  end                        ;; turns while B's test holds
 *
 * The test is a comparison of an i32 local `i` (the induction variable) with a constant or with
 * a local that H and B never write; H and B write `i` exactly once, `i = i + c` with a constant
 * `c`. The comparison reads `i` before the write (`while` shape, write in B) or after it.
 * Supported tests and steps, chosen so that the count is exact, wrap-around included:
 *
 *   i != n, c = ±2^s   n - i (or i - n) must be a multiple of 2^s, else the loop never ends
 *   i < n, i <= K      c = +1, signed or unsigned (K a constant below the type's maximum)
 *   i > n, i >= K      c = -1, signed or unsigned (K a constant above the type's minimum)
 *
 * Nothing else may branch to the loop's label: the metering checks that while it rewrites the
 * rest of the loop, and rewrites the function again without counted loops if it finds one.
 * What the metering then emits, and why it is exact: docs/fuel.md ("Counted loops").
 */
import { keepShapes, Reader } from './binary.js';
import type { CostTables } from './costs.js';

/** The comparison the loop continues on, with the induction variable on the left. */
export type CountedTest = 'ne' | 'lt_s' | 'lt_u' | 'gt_s' | 'gt_u';

export interface CountedLoop {
  /** Position of the loop's first instruction (H, or B in the `do` shape). */
  readonly bodyAt: number;
  /** Position of the `if` whose charge moves before the loop (`while` shape), or -1. */
  readonly ifAt: number;
  /** Position of the back edge (`br 1` or `br_if 0`) whose charge moves before the loop. */
  readonly backAt: number;
  /** The induction variable (local index in the input's numbering) and its step. */
  readonly variable: number;
  readonly step: number;
  /** The test reads the variable after its write (its first value is entry + step). */
  readonly afterWrite: boolean;
  readonly test: CountedTest;
  /** The other side of the test: a local (input numbering), or a constant when `boundLocal` is -1. */
  readonly boundLocal: number;
  readonly boundConst: number;
  /** Fuel of one turn (H, the `if` and B with its `br`; or B with its `br_if`). */
  readonly perTurn: number;
  /** Fuel of the last test, the one that leaves (H and the `if`; all of B in the `do` shape). */
  readonly last: number;
  /**
   * The loop likely turns a few times only: `<` or `>` against a constant within
   * ±`FEW_TURNS_BOUND`. Counting it from a start known only at run time costs about a dozen
   * instructions at each entry, more than a few turns of per-turn charging save.
   */
  readonly fewTurns: boolean;
}

/** See `CountedLoop.fewTurns`. */
export const FEW_TURNS_BOUND = 16;

/** Larger turn costs are left to per-turn charging, so that count × cost stays far inside i64. */
export const MAX_TURN_COST = 2 ** 29;

/**
 * Fuel of the turns a counted loop runs between two looks at the clock: a loop whose count is
 * larger runs its turns in chunks of this much fuel (at least one turn), and the host is
 * consulted between chunks, as at the end of a fuel slice (docs/fuel.md, "Slices").
 */
export const CHUNK_FUEL = 2 ** 17;

const OP_BR = 0x0c;
const OP_BR_IF = 0x0d;
const OP_IF = 0x04;
const OP_ELSE = 0x05;
const OP_END = 0x0b;
const OP_LOCAL_GET = 0x20;
const OP_LOCAL_SET = 0x21;
const OP_LOCAL_TEE = 0x22;
const OP_I32_CONST = 0x41;
const OP_I32_ADD = 0x6a;
const OP_I32_SUB = 0x6b;

/** The i32 comparisons (`i32.ne` 0x47 to `i32.ge_u` 0x4f), and each with its operands swapped. */
const TESTS: Record<number, { test: string; swapped: string }> = {
  71: { test: 'ne', swapped: 'ne' },
  72: { test: 'lt_s', swapped: 'gt_s' },
  73: { test: 'lt_u', swapped: 'gt_u' },
  74: { test: 'gt_s', swapped: 'lt_s' },
  75: { test: 'gt_u', swapped: 'lt_u' },
  76: { test: 'le_s', swapped: 'ge_s' },
  77: { test: 'le_u', swapped: 'ge_u' },
  78: { test: 'ge_s', swapped: 'le_s' },
  79: { test: 'ge_u', swapped: 'le_u' },
};

/** One decoded straight-line instruction: its opcode and, for locals and i32.const, its operand. */
export interface Step {
  op: number;
  arg: number;
}

/**
 * A write of a local: where, which, and whether it is `i = i + c` (then `step` is c), or an i64
 * `i = i + s` with `s` a local or `i64.extend_i32_s|u` of one (then `stride` is that local and
 * `strideExtend` the extension's opcode, or 0; see strided.ts).
 */
export interface Write {
  local: number;
  step: number | undefined;
  stride: number;
  strideExtend: number;
  tee: boolean;
  segment: number;
  index: number;
}

/**
 * Decoded straight-line code: its last six instructions (all a test or an increment needs;
 * kept in six reused objects, the scan allocates nothing per instruction), how many there
 * were, the local writes, the fuel it costs, and where it stops.
 */
export class Segment {
  /** Values the code leaves on the stack (what it pushes less what it pops). */
  height = 0;
  readonly #ring: Step[] = [
    { op: 0, arg: 0 },
    { op: 0, arg: 0 },
    { op: 0, arg: 0 },
    { op: 0, arg: 0 },
    { op: 0, arg: 0 },
    { op: 0, arg: 0 },
  ];
  count = 0;
  writes: Write[] = [];
  cost = 0;
  stop = 0;

  push(op: number, arg: number): void {
    const step = this.#ring[this.count % 6]!;
    step.op = op;
    step.arg = arg;
    this.count++;
  }

  /** The `k`-th instruction from the end (1: the last), k <= 6 and k <= count. */
  back(k: number): Step {
    return this.#ring[(this.count - k) % 6]!;
  }
}

// Made per straight-line run of code: its map must outlive a full collection (binary.ts).
keepShapes(new Segment());

/**
 * Decode straight-line instructions from `pos` up to the first one that is not straight-line
 * (or `end`), which is where the segment stops.
 */
export function scan(r: Reader, costs: CostTables, segmentId: number): Segment {
  const s = new Segment();
  const bytes = r.bytes;
  const plain = costs.plain;
  for (;;) {
    if (r.pos >= r.end) {
      s.stop = r.end;
      return s;
    }
    const at = r.pos;
    const op = bytes[r.pos++]!;
    let arg = 0;
    if (op >= 0x45 && op <= 0xc4) {
      s.cost += plain[op]!;
      s.height -= NUMERIC_POPS[op - 0x45]!;
    } else if (op >= 0x20 && op <= 0x24) {
      s.cost += plain[op]!;
      s.height += op === 0x20 || op === 0x23 ? 1 : op === 0x22 ? 0 : -1;
      arg = r.u32();
      if (op === OP_LOCAL_SET || op === OP_LOCAL_TEE) {
        const stride = strideOf(s, arg);
        s.writes.push({
          local: arg,
          step: incrementOf(s, arg),
          stride: stride < 0 ? -1 : stride % 2 ** 32,
          strideExtend: stride < 0 ? 0 : Math.floor(stride / 2 ** 32),
          tee: op === OP_LOCAL_TEE,
          segment: segmentId,
          index: s.count,
        });
      }
    } else if (op >= 0x28 && op <= 0x3e) {
      s.cost += plain[op]!;
      if (op >= 0x36) s.height -= 2; // stores; loads replace their address
      if (r.u32() & 0x40) return stopAt(s, at); // a memory index follows: multi-memory
      r.skipLeb(10);
    } else if (op === 0x3f) {
      s.cost += plain[op]!;
      s.height++;
      r.u32();
    } else if (op === OP_I32_CONST) {
      s.cost += plain[op]!;
      s.height++;
      arg = r.s33() | 0;
    } else if (op === 0x42) {
      s.cost += plain[op]!;
      s.height++;
      r.skipLeb(10);
    } else if (op === 0x43) {
      s.cost += plain[op]!;
      s.height++;
      r.skip(4);
    } else if (op === 0x44) {
      s.cost += plain[op]!;
      s.height++;
      r.skip(8);
    } else if (op === 0x01 || op === 0x1a || op === 0x1b || op === 0xd1) {
      s.cost += plain[op]!; // nop, drop, select, ref.is_null
      s.height -= op === 0x1a ? 1 : op === 0x1b ? 2 : 0;
    } else if (op === 0xfc) {
      // Only the saturating truncations: the bulk operations are charged by their size.
      const sub = r.u32();
      if (sub > 7) return stopAt(s, at);
      s.cost += costs.fc[sub]!;
    } else {
      return stopAt(s, at);
    }
    s.push(op, arg);
  }
}

/**
 * By opcode from 0x45 (`i32.eqz`) to 0xc4 (`i64.extend32_s`): operands popped less one (every
 * one of them pushes one result): 0 for unary operators and conversions, 1 for binary ones.
 */
const NUMERIC_POPS = (() => {
  const pops = new Uint8Array(0xc5 - 0x45);
  const binary: [number, number][] = [
    [0x46, 0x4f], // i32 comparisons
    [0x51, 0x5a], // i64 comparisons
    [0x5b, 0x66], // f32, f64 comparisons
    [0x6a, 0x78], // i32 arithmetic
    [0x7c, 0x8a], // i64 arithmetic
    [0x92, 0x98], // f32 arithmetic
    [0xa0, 0xa6], // f64 arithmetic
  ];
  for (const [from, to] of binary) for (let op = from; op <= to; op++) pops[op - 0x45] = 1;
  return pops;
})();

function stopAt(s: Segment, at: number): Segment {
  s.stop = at;
  return s;
}

/** If the last three steps before a write of `local` compute `local ± constant`, that step. */
function incrementOf(steps: Segment, local: number): number | undefined {
  if (steps.count < 3) return undefined;
  const a = steps.back(3);
  const b = steps.back(2);
  const op = steps.back(1).op;
  const isVar = (x: Step) => x.op === OP_LOCAL_GET && x.arg === local;
  const isConst = (x: Step) => x.op === OP_I32_CONST;
  if (op === OP_I32_ADD) {
    if (isVar(a) && isConst(b)) return b.arg;
    if (isConst(a) && isVar(b)) return a.arg;
  } else if (op === OP_I32_SUB && isVar(a) && isConst(b)) {
    return b.arg === -0x8000_0000 ? b.arg : -b.arg;
  }
  return undefined;
}

const OP_I64_ADD = 0x7c;
const OP_I64_EXTEND_I32_S = 0xac;
const OP_I64_EXTEND_I32_U = 0xad;

/**
 * If the steps before a write of `local` compute the i64 `local + s` (either order), with `s` a
 * local other than `local` or `i64.extend_i32_s|u` of one: that local plus the extension's
 * opcode times 2^32 (0 for none); -1 otherwise. (i64.add guarantees both operands are i64.)
 */
function strideOf(steps: Segment, local: number): number {
  if (steps.count < 3 || steps.back(1).op !== OP_I64_ADD) return -1;
  const isVar = (x: Step) => x.op === OP_LOCAL_GET && x.arg === local;
  const isOther = (x: Step) => x.op === OP_LOCAL_GET && x.arg !== local;
  const isExtend = (x: Step) => x.op === OP_I64_EXTEND_I32_S || x.op === OP_I64_EXTEND_I32_U;
  const a = steps.back(3);
  const b = steps.back(2);
  if (isVar(a) && isOther(b)) return b.arg;
  if (isOther(a) && isVar(b)) return a.arg;
  if (steps.count < 4) return -1;
  const c = steps.back(4);
  // local.get i; local.get s; extend; add  |  local.get s; extend; local.get i; add
  if (isVar(c) && isOther(a) && isExtend(b)) return a.arg + b.op * 2 ** 32;
  if (isOther(c) && isExtend(a) && isVar(b)) return c.arg + a.op * 2 ** 32;
  return -1;
}

/**
 * The counted loop whose body starts at `pos` (just after `loop` and its block type), or
 * undefined if it is not one. Reads only the straight-line code at the loop's head.
 */
export function countedLoop(
  bytes: Uint8Array,
  pos: number,
  end: number,
  costs: CostTables,
): CountedLoop | undefined {
  const r = new Reader(bytes, pos, end);
  const head = scan(r, costs, 0);
  const at = head.stop;
  if (at >= end) return undefined;
  const op = bytes[at]!;
  r.pos = at + 1;
  if (op === OP_BR_IF) {
    // do shape: `br_if 0` right after the test, which is all B leaves (its turns are run
    // again as straight-line code in chunks, see CHUNK_FUEL).
    if (r.u32() !== 0 || head.height !== 1) return undefined;
    // B runs once more than the back edge is taken: the last test leaves.
    const perTurn = head.cost + costs.plain[OP_BR_IF]!;
    return build(pos, head, head.writes, at, -1, perTurn, perTurn);
  }
  if (op !== OP_IF) return undefined;
  // while shape: the `if` turns when its test holds; its then arm is B and `br 1`.
  // (A block type that is a type index, with params, is left alone.)
  if (!isShortBlockType(bytes[r.pos])) return undefined;
  r.pos++;
  const arm = scan(r, costs, 1);
  const backAt = arm.stop;
  if (backAt >= end || bytes[backAt] !== OP_BR) return undefined;
  r.pos = backAt + 1;
  const label = r.u32();
  if (label !== 1 || (bytes[r.pos] !== OP_ELSE && bytes[r.pos] !== OP_END)) return undefined;
  // H leaves only the test and B nothing (see the `do` shape).
  if (head.height !== 1 || arm.height !== 0) return undefined;
  const last = head.cost + costs.plain[OP_IF]!;
  const perTurn = last + arm.cost + costs.plain[OP_BR]!;
  return build(pos, head, [...head.writes, ...arm.writes], backAt, at, perTurn, last);
}

/**
 * Match the test at the end of `testSteps` (the steps before the `if` or `br_if`) and the one
 * write of its variable among `writes`.
 */
function build(
  bodyAt: number,
  testSteps: Segment,
  writes: readonly Write[],
  backAt: number,
  ifAt: number,
  perTurn: number,
  last: number,
): CountedLoop | undefined {
  if (perTurn < 1 || perTurn > MAX_TURN_COST) return undefined;
  // `n > i` with both sides locals reads as `n` the variable first; only the one the loop
  // writes as an increment can be (AssemblyScript writes `for (i = 0; i < n; i++)` that way).
  for (const matched of matchTest(testSteps)) {
    const loop = fromTest(matched, bodyAt, writes, backAt, ifAt, perTurn, last);
    if (loop) return loop;
  }
  return undefined;
}

type Matched = { test: string; variableStep: Step; variableIndex: number; other: Step | undefined };

/** The counted loop of one reading of its test, or undefined (see `build`). */
function fromTest(
  matched: Matched,
  bodyAt: number,
  writes: readonly Write[],
  backAt: number,
  ifAt: number,
  perTurn: number,
  last: number,
): CountedLoop | undefined {
  const { variableStep, variableIndex, other } = matched;
  const variable = variableStep.arg;
  const mine = writes.filter((w) => w.local === variable);
  if (mine.length !== 1) return undefined;
  const write = mine[0]!;
  const step = write.step;
  if (step === undefined || step === 0) return undefined;
  // A tee read by the test must be the write itself.
  if (
    variableStep.op === OP_LOCAL_TEE &&
    !(write.tee && write.segment === 0 && write.index === variableIndex)
  )
    return undefined;
  let boundLocal = -1;
  let boundConst = 0;
  if (other) {
    if (other.op === OP_LOCAL_GET) {
      boundLocal = other.arg;
      if (writes.some((w) => w.local === boundLocal)) return undefined;
    } else {
      boundConst = other.arg;
    }
  }
  const normal = normalTest(matched.test, step, boundLocal, boundConst);
  if (!normal) return undefined;
  const finalTest = normal.test;
  boundConst = normal.boundConst;
  // The `do` shape's test always follows the write; the `while` shape's follows it if the
  // write is in H (segment 0), precedes it if the write is in B.
  const afterWrite = write.segment === 0;
  const fewTurns =
    boundLocal === -1 &&
    finalTest !== 'ne' &&
    boundConst >= -FEW_TURNS_BOUND &&
    boundConst <= FEW_TURNS_BOUND;
  return {
    bodyAt,
    ifAt,
    backAt,
    variable,
    step,
    afterWrite,
    test: finalTest,
    boundLocal,
    boundConst,
    perTurn,
    last,
    fewTurns,
  };
}

/**
 * The readings of the test at the end of `testSteps`: `if (i)` / `br_if (i)` (i != 0), or a
 * comparison of the variable with a bound (a constant or another local), either side; which
 * step reads the variable, at which index, and the bound's step. A comparison of two locals
 * has two readings, either side the variable (`build` takes the one the loop's writes fit).
 */
function matchTest(testSteps: Segment): Matched[] {
  const n = testSteps.count;
  if (n === 0) return [];
  const top = testSteps.back(1);
  if (top.op === OP_LOCAL_GET || top.op === OP_LOCAL_TEE) {
    return [{ test: 'ne', variableStep: top, variableIndex: n - 1, other: undefined }];
  }
  const kind = TESTS[top.op];
  if (!kind || n < 3) return [];
  const a = testSteps.back(3);
  const b = testSteps.back(2);
  const readings: Matched[] = [];
  if (isVariableRead(a) && isBound(b, a.arg)) {
    readings.push({ test: kind.test, variableStep: a, variableIndex: n - 3, other: b });
  }
  if (isVariableRead(b) && isBound(a, b.arg)) {
    readings.push({ test: kind.swapped, variableStep: b, variableIndex: n - 2, other: a });
  }
  if (readings.length > 0) return readings;
  // clang's rotated loops: `bound; local.get i; i32.const c; i32.add; local.tee i; cmp`, the
  // bound pushed before the increment whose tee the test reads. The three steps between them
  // are exactly that increment (they take nothing from below the bound on the stack), so the
  // bound is the comparison's first operand. (The bound is never written in the loop, so its
  // value is the same read before the write or after.)
  if (n >= 6 && b.op === OP_LOCAL_TEE && isIncrement(testSteps, b.arg)) {
    const bound = testSteps.back(6);
    if (isBound(bound, b.arg)) {
      return [{ test: kind.swapped, variableStep: b, variableIndex: n - 2, other: bound }];
    }
  }
  return [];
}

/** Whether the three steps before the last two are `local.get i; i32.const c; i32.add` (or `c; i`, or `i32.sub`). */
function isIncrement(steps: Segment, variable: number): boolean {
  const a = steps.back(5);
  const b = steps.back(4);
  const op = steps.back(3).op;
  const isVar = (x: Step) => x.op === OP_LOCAL_GET && x.arg === variable;
  const isConst = (x: Step) => x.op === OP_I32_CONST;
  if (op === OP_I32_ADD) return (isVar(a) && isConst(b)) || (isConst(a) && isVar(b));
  return op === OP_I32_SUB && isVar(a) && isConst(b);
}

/**
 * The test the precharge computes turns by, for a variable moved by `step` each turn: `<=` and
 * `>=` against a constant become `<` and `>` against the next one; never against a local, whose
 * value could be the type's extreme (then the loop wraps and never ends). Undefined when the
 * step cannot reach the bound in a known number of turns.
 */
function normalTest(
  test: string,
  step: number,
  boundLocal: number,
  boundConst: number,
): { test: CountedTest; boundConst: number } | undefined {
  switch (test) {
    case 'ne':
      return isPowerOfTwoMagnitude(step) ? { test: 'ne', boundConst } : undefined;
    case 'lt_s':
    case 'lt_u':
      return step === 1 ? { test, boundConst } : undefined;
    case 'gt_s':
    case 'gt_u':
      return step === -1 ? { test, boundConst } : undefined;
    case 'le_s':
    case 'le_u': {
      if (step !== 1 || boundLocal !== -1) return undefined;
      const max = test === 'le_s' ? 0x7fff_ffff : -1;
      if (boundConst === max) return undefined;
      return { test: test === 'le_s' ? 'lt_s' : 'lt_u', boundConst: (boundConst + 1) | 0 };
    }
    case 'ge_s':
    case 'ge_u': {
      if (step !== -1 || boundLocal !== -1) return undefined;
      const min = test === 'ge_s' ? -0x8000_0000 : 0;
      if (boundConst === min) return undefined;
      return { test: test === 'ge_s' ? 'gt_s' : 'gt_u', boundConst: (boundConst - 1) | 0 };
    }
    default:
      return undefined;
  }
}

/**
 * The number of turns of `loop` when its variable starts at `start` (and a constant bound), as
 * the code `#writePrecharge` emits computes it at run time; undefined for a loop that never
 * ends.
 */
export function turnsFrom(loop: CountedLoop, start: number): bigint | undefined {
  const first = loop.afterWrite ? (start + loop.step) | 0 : start | 0;
  const bound = loop.boundConst | 0;
  const u = (x: number) => BigInt(x >>> 0);
  const s = (x: number) => BigInt(x | 0);
  switch (loop.test) {
    case 'ne': {
      const magnitude = loop.step === -0x8000_0000 ? 0x8000_0000 : Math.abs(loop.step);
      const d = u(loop.step > 0 ? bound - first : first - bound);
      const m = BigInt(magnitude);
      return d % m === 0n ? d / m : undefined;
    }
    case 'lt_s':
      return first < bound ? s(bound) - s(first) : 0n;
    case 'lt_u':
      return u(first) < u(bound) ? u(bound) - u(first) : 0n;
    case 'gt_s':
      return first > bound ? s(first) - s(bound) : 0n;
    default:
      return u(first) > u(bound) ? u(first) - u(bound) : 0n;
  }
}

function isVariableRead(s: Step): boolean {
  return s.op === OP_LOCAL_GET || s.op === OP_LOCAL_TEE;
}

function isBound(s: Step, variable: number): boolean {
  return s.op === OP_I32_CONST || (s.op === OP_LOCAL_GET && s.arg !== variable);
}

function isPowerOfTwoMagnitude(step: number): boolean {
  const m = step === -0x8000_0000 ? 0x8000_0000 : Math.abs(step);
  return (m & (m - 1)) === 0;
}

/** Whether `b` is a block type of one byte: empty (0x40) or one value type. */
export function isShortBlockType(b: number | undefined): boolean {
  return (
    b === 0x40 ||
    b === 0x7f ||
    b === 0x7e ||
    b === 0x7d ||
    b === 0x7c ||
    b === 0x7b ||
    b === 0x70 ||
    b === 0x6f
  );
}
