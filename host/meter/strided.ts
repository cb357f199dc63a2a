/**
 * Strided loops: innermost loops whose `i64` variable moves by a step known only at run time
 * (a local the loop never writes, or `i64.extend_i32_s|u` of one), tested with `<` against a
 * bound the loop never writes, as the sieves write `for (j = i * i; j < n; j += i)`. Their
 * count needs a division and holds only if the variable cannot wrap before it passes the bound,
 * so the metering writes the loop twice (docs/fuel.md, "Strided loops"):
 *
 *   if (v < bound)                       ;; v: the first value the test reads
 *   block $out  block $fallback
 *     br_if $fallback (not guard)        ;; bound + step > bound: no wrap-around
 *     t = v < bound ? (bound - v - 1) / step + 1 : 0    ;; v: the first value the test reads
 *     fuel -= t * perTurn + last (2^62 if that reaches 2^53)  check and chunks, one refill
 *     loop ... end                       ;; the loop as it was, uncharged
 *     br $out
 *   end
 *   a straight loop (straight.ts)        ;; charged per turn, checked at its back edge
 *   end
 *   else                                 ;; no back edge: H and the test (or B and the test)
 *   fuel -= last   H test drop           ;; once, as the loop would run them
 *   end
 *
 * Only whole loops of the minimal shapes are taken, so that both copies are the loop itself:
 *
 *   do:     loop  B  br_if 0  end
 *   while:  loop  H  if  B  br 1  end  end
 *
 * with H and B straight-line code as in counted.ts; the variable written once, `i = i + s`.
 */
import { Reader } from './binary.js';
import type { CostTables } from './costs.js';
import { type Segment, type Step, scan, type Write } from './counted.js';
import type { FuelEmitter } from './emit.js';
import {
  I64,
  OP_BLOCK,
  OP_BR,
  OP_BR_IF,
  OP_DROP,
  OP_ELSE,
  OP_END,
  OP_I64_ADD,
  OP_I64_CONST,
  OP_I64_DIV_U,
  OP_I64_MUL,
  OP_I64_SUB,
  OP_IF,
  OP_LOCAL_GET,
  OP_LOCAL_SET,
  OP_LOOP,
  OP_SELECT,
  VOID,
} from './instructions.js';
import { copyStraight, writeChunks } from './precharge.js';
import { writeStraight } from './straight.js';

export interface StridedLoop {
  /** Position of the loop's first instruction (H, or B in the `do` shape). */
  readonly bodyAt: number;
  /** Position of the `if` (`while` shape), or -1. */
  readonly ifAt: number;
  /** Position of the back edge (`br 1` or `br_if 0`). */
  readonly backAt: number;
  /** Position just after the loop's `end`. */
  readonly after: number;
  /** The variable, the bound and the step: locals (input numbering), each maybe extended. */
  readonly variable: number;
  readonly bound: number;
  readonly boundExtend: number;
  readonly stride: number;
  readonly strideExtend: number;
  /** The test is `i <s bound` (else `i <u bound`). */
  readonly signed: boolean;
  /** The test reads the variable after its write (its first value is entry + step). */
  readonly afterWrite: boolean;
  /** Fuel of one turn, of the last test (as in counted.ts), and of the loop's `end` (straight.ts). */
  readonly perTurn: number;
  readonly last: number;
  readonly exit: number;
}

/** Larger turn costs are charged per turn (as counted.ts's `MAX_TURN_COST`). */
const MAX_TURN_COST = 2 ** 29;

/** What a count that needs 2^53 fuel or more is charged: more than any budget. */
const UNENDING_LOOP_CHARGE = 2 ** 62;

const OP_I32_EQZ = 0x45;
const OP_I64_LT_S = 0x53;
const OP_I64_LT_U = 0x54;
const OP_I64_GT_S = 0x55;
const OP_I64_GT_U = 0x56;
const OP_I64_GE_U = 0x5a;
const OP_EXTEND_S = 0xac;
const OP_EXTEND_U = 0xad;

/**
 * The strided loop whose `loop` instruction is at `at` and whose body starts at `pos`, or
 * undefined if it is not one.
 */
export function stridedLoop(
  bytes: Uint8Array,
  at: number,
  pos: number,
  end: number,
  costs: CostTables,
): StridedLoop | undefined {
  if (bytes[at + 1] !== VOID) return undefined;
  const r = new Reader(bytes, pos, end);
  const head = scan(r, costs, 0);
  const stop = head.stop;
  if (stop + 3 >= end || head.height !== 1) return undefined;
  const endCost = costs.plain[OP_END]!;
  if (bytes[stop] === OP_BR_IF) {
    if (bytes[stop + 1] !== 0 || bytes[stop + 2] !== OP_END) return undefined;
    const perTurn = head.cost + costs.plain[OP_BR_IF]!;
    return build(pos, head, head.writes, -1, stop, stop + 3, perTurn, perTurn, endCost);
  }
  if (bytes[stop] !== OP_IF || bytes[stop + 1] !== VOID) return undefined;
  r.pos = stop + 2;
  const arm = scan(r, costs, 1);
  const backAt = arm.stop;
  if (backAt + 3 >= end || arm.height !== 0) return undefined;
  if (bytes[backAt] !== OP_BR || bytes[backAt + 1] !== 1) return undefined;
  if (bytes[backAt + 2] !== OP_END || bytes[backAt + 3] !== OP_END) return undefined;
  const last = head.cost + costs.plain[OP_IF]!;
  const perTurn = last + arm.cost + costs.plain[OP_BR]!;
  const writes = [...head.writes, ...arm.writes];
  return build(pos, head, writes, stop, backAt, backAt + 4, perTurn, last, endCost);
}

function build(
  bodyAt: number,
  test: Segment,
  writes: readonly Write[],
  ifAt: number,
  backAt: number,
  after: number,
  perTurn: number,
  last: number,
  exit: number,
): StridedLoop | undefined {
  if (perTurn < 1 || perTurn > MAX_TURN_COST) return undefined;
  const matched = matchTest(test);
  if (!matched) return undefined;
  const { variable } = matched;
  const mine = writes.filter((w) => w.local === variable);
  if (mine.length !== 1) return undefined;
  const write = mine[0]!;
  // (A tee that the test reads is a write of the variable: this one.)
  if (write.stride < 0) return undefined;
  // The bound and the step hold still while the loop runs.
  if (writes.some((w) => w.local === matched.bound || w.local === write.stride)) return undefined;
  return {
    bodyAt,
    ifAt,
    backAt,
    after,
    variable,
    bound: matched.bound,
    boundExtend: matched.boundExtend,
    stride: write.stride,
    strideExtend: write.strideExtend,
    signed: matched.signed,
    // The `do` shape's test always follows the write; the `while` shape's follows it if the
    // write is in H (segment 0).
    afterWrite: write.segment === 0,
    perTurn,
    last,
    exit,
  };
}

/**
 * The test at the end of `steps`: `i < bound` or `bound > i` on i64 (signed or not), `i` read
 * by `local.get` or `local.tee`, the bound a `local.get` or `i64.extend_i32_s|u` of one.
 */
function matchTest(
  steps: Segment,
): { variable: number; bound: number; boundExtend: number; signed: boolean } | undefined {
  const n = steps.count;
  if (n < 3) return undefined;
  const op = steps.back(1).op;
  // The variable first (`i < bound`) or second (`bound > i`).
  let first: boolean;
  let signed: boolean;
  if (op === OP_I64_LT_S || op === OP_I64_LT_U) {
    first = true;
    signed = op === OP_I64_LT_S;
  } else if (op === OP_I64_GT_S || op === OP_I64_GT_U) {
    first = false;
    signed = op === OP_I64_GT_S;
  } else {
    return undefined;
  }
  const isRead = (s: Step) => s.op === OP_LOCAL_GET || s.op === 0x22;
  const isExtend = (s: Step) => s.op === OP_EXTEND_S || s.op === OP_EXTEND_U;
  const b2 = steps.back(2);
  const b3 = steps.back(3);
  const found = (v: Step, bound: Step, boundExtend: number) =>
    bound.op === OP_LOCAL_GET && bound.arg !== v.arg
      ? { variable: v.arg, bound: bound.arg, boundExtend, signed }
      : undefined;
  if (first) {
    // i; bound; lt   |   i; bound; extend; lt
    if (isRead(b3) && !isExtend(b2)) return found(b3, b2, 0);
    if (n >= 4 && isExtend(b2) && isRead(steps.back(4))) return found(steps.back(4), b3, b2.op);
    return undefined;
  }
  // bound; i; gt   |   bound; extend; i; gt
  if (!isRead(b2)) return undefined;
  if (isExtend(b3)) return n >= 4 ? found(b2, steps.back(4), b3.op) : undefined;
  return found(b2, b3, 0);
}

/**
 * Write the loop at `loop` as both copies (see the top of this file), `before` the charge of
 * the code before it; the rewriter then goes on after the loop's `end`.
 */
export function writeStrided(e: FuelEmitter, loop: StridedLoop, before: number): void {
  const code = e.code;
  const local = (index: number, extend: number): void => {
    code.byte(OP_LOCAL_GET);
    code.u32(e.mapLocal(index));
    if (extend !== 0) code.byte(extend);
  };
  const bound = () => local(loop.bound, loop.boundExtend);
  const stride = () => local(loop.stride, loop.strideExtend);
  const first = () => {
    local(loop.variable, 0);
    if (loop.afterWrite) {
      stride();
      code.byte(OP_I64_ADD);
    }
  };
  const constant = (value: number) => {
    code.byte(OP_I64_CONST);
    code.sleb(value);
  };
  const charge = (amount: number) => {
    if (amount === 0) return;
    e.fuelGet(code);
    constant(amount);
    code.byte(OP_I64_SUB);
    e.fuelSet(code);
  };
  // A loop whose test fails at its first reading (a sieve's inner loop for every prime above
  // the square root of the bound) takes no back edge: it runs H and the test (or B and the
  // test) once and costs `last`, a constant, as straight-line code does; the count, its
  // checks and the per-turn copy stay behind this test, out of the common way.
  first();
  bound();
  code.byte(loop.signed ? OP_I64_LT_S : OP_I64_LT_U);
  code.byte(OP_IF);
  code.byte(VOID);
  code.byte(OP_BLOCK);
  code.byte(VOID);
  code.byte(OP_BLOCK);
  code.byte(VOID);
  // The guard: bound + step > bound (signed or not, as the test), so the step is above zero
  // and the sum does not wrap: no value the test reads until it fails wraps either (each is
  // below bound + step). A signed step below zero passes only when the sum wraps below the
  // minimum; then v < bound turns once (v + step wraps above the bound) and the count gives 1,
  // the step being above 2^63 unsigned and bound - v - 1 below it.
  bound();
  stride();
  code.byte(OP_I64_ADD);
  bound();
  code.byte(loop.signed ? OP_I64_GT_S : OP_I64_GT_U);
  code.byte(OP_I32_EQZ);
  code.byte(OP_BR_IF);
  code.byte(0);
  // t: the back edges taken, from the first value the test reads.
  const t = e.scratchLocal(I64, 4);
  first();
  bound();
  code.byte(loop.signed ? OP_I64_LT_S : OP_I64_LT_U);
  code.byte(OP_IF);
  code.byte(I64);
  bound();
  first();
  code.byte(OP_I64_SUB);
  constant(1);
  code.byte(OP_I64_SUB);
  stride();
  code.byte(OP_I64_DIV_U);
  constant(1);
  code.byte(OP_I64_ADD);
  code.byte(OP_ELSE);
  constant(0);
  code.byte(OP_END);
  code.byte(OP_LOCAL_SET);
  code.u32(t);
  // fuel -= t >= L ? 2^62 : t * perTurn + last + before, L the least count whose turns cost 2^53.
  e.fuelGet(code);
  constant(UNENDING_LOOP_CHARGE);
  code.byte(OP_LOCAL_GET);
  code.u32(t);
  if (loop.perTurn !== 1) {
    constant(loop.perTurn);
    code.byte(OP_I64_MUL);
  }
  if (loop.last + before !== 0) {
    constant(loop.last + before);
    code.byte(OP_I64_ADD);
  }
  code.byte(OP_LOCAL_GET);
  code.u32(t);
  constant(Math.ceil(2 ** 53 / loop.perTurn));
  code.byte(OP_I64_GE_U);
  code.byte(OP_SELECT);
  code.byte(OP_I64_SUB);
  e.fuelSet(code);
  writeChunks(e, loop, t, true);
  // The loop as it was: its turns are paid for.
  writeLoop(e, loop);
  code.byte(OP_BR);
  code.byte(1);
  code.byte(OP_END);
  // The guard failed: the loop charged at every turn, as the rewriter would, and checked at its
  // back edge with its refill outside it (straight.ts); the way out pays the rest of the last
  // turn here, so that both ways leave owing the same `exit`.
  charge(writeStraight(e, loop, before) - loop.exit);
  code.byte(OP_END);
  code.byte(OP_ELSE);
  charge(before + loop.last);
  copyStraight(e, loop.bodyAt, loop.ifAt >= 0 ? loop.ifAt : loop.backAt);
  code.byte(OP_DROP);
  code.byte(OP_END);
  e.copyFrom = loop.after;
}

/** The loop as it was, uncharged: `loop` H `if` B `br 1` `end` `end`, or `loop` B `br_if 0` `end`. */
function writeLoop(e: FuelEmitter, loop: StridedLoop): void {
  const code = e.code;
  code.byte(OP_LOOP);
  code.byte(VOID);
  if (loop.ifAt >= 0) {
    copyStraight(e, loop.bodyAt, loop.ifAt);
    code.byte(OP_IF);
    code.byte(VOID);
    copyStraight(e, loop.ifAt + 2, loop.backAt);
    code.byte(OP_BR);
    code.byte(1);
    code.byte(OP_END);
  } else {
    copyStraight(e, loop.bodyAt, loop.backAt);
    code.byte(OP_BR_IF);
    code.byte(0);
  }
  code.byte(OP_END);
}
