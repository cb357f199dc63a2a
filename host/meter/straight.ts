/**
 * Straight loops: innermost loops of straight-line code that are neither counted nor strided,
 * such as a quicksort's partition scans (`while (a[i] < p) i++`), whose turns end on the data.
 * They stay charged at every turn; what changes is where they check the counter. At the header,
 * the check is on the way in as well, and its refill, a call inside the loop, keeps V8 from
 * unrolling it and makes it spill the loop's values at every turn. So the check moves to the
 * back edge and the refill out of the loop (docs/fuel.md, "Straight loops"):
 *
 *   block $out  loop $again  block $refill
 *     loop                                  ;; the loop, its test and back edge rewritten
 *       H  fuel -= H and the if  br_if $out (not test)  B  fuel -= B and the br
 *       br_if $refill (fuel < 0)  br 0
 *     end
 *   end  refill  br $again  end  end
 *
 * (the `do` shape: B, its charge, `br_if $out (not test)`, the check, `br 0`). Only whole loops
 * of the minimal shapes of strided.ts are taken, `loop B br_if 0 end` and
 * `loop H if B br 1 end end`, with H and B straight-line code as in counted.ts: no call, no
 * branch but the back edge, so every turn after the first passes the check, and the first is
 * straight-line code run from the last check, as any code before a loop is.
 */
import { Reader } from './binary.js';
import type { CostTables } from './costs.js';
import { scan } from './counted.js';
import type { FuelEmitter } from './emit.js';
import { OP_BLOCK, OP_BR, OP_BR_IF, OP_END, OP_IF, OP_LOOP, VOID } from './instructions.js';
import { copyStraight } from './precharge.js';

export interface StraightLoop {
  /** Position of the loop's first instruction (H, or B in the `do` shape). */
  readonly bodyAt: number;
  /** Position of the `if` (`while` shape), or -1. */
  readonly ifAt: number;
  /** Position of the back edge (`br 1` or `br_if 0`). */
  readonly backAt: number;
  /** Position just after the loop's `end`. */
  readonly after: number;
  /** Fuel of a turn that goes round (H, the `if`, B and its `br`; or B and its `br_if`). */
  readonly perTurn: number;
  /** Fuel of the last test, the one that leaves (H and the `if`; all of B in the `do` shape). */
  readonly last: number;
  /**
   * Fuel of the `end` the way out runs: the loop's. A false test leaves the `if` past its `end`,
   * which per-turn metering charges in the arm, after the `br`, where it never runs (review16 L1).
   */
  readonly exit: number;
}

const OP_I32_EQZ = 0x45;

/**
 * The straight loop whose `loop` instruction is at `at` and whose body starts at `pos`, or
 * undefined if it is not one.
 */
export function straightLoop(
  bytes: Uint8Array,
  at: number,
  pos: number,
  end: number,
  costs: CostTables,
): StraightLoop | undefined {
  if (bytes[at + 1] !== VOID) return undefined;
  const r = new Reader(bytes, pos, end);
  const head = scan(r, costs, 0);
  const stop = head.stop;
  if (stop + 3 >= end || head.height !== 1) return undefined;
  const endCost = costs.plain[OP_END]!;
  if (bytes[stop] === OP_BR_IF) {
    if (bytes[stop + 1] !== 0 || bytes[stop + 2] !== OP_END) return undefined;
    const perTurn = head.cost + costs.plain[OP_BR_IF]!;
    return { bodyAt: pos, ifAt: -1, backAt: stop, after: stop + 3, perTurn, last: perTurn, exit: endCost };
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
  return { bodyAt: pos, ifAt: stop, backAt, after: backAt + 4, perTurn, last, exit: endCost };
}

/**
 * Write `loop` as above, `before` the charge of the code before it. The way out owes what it
 * ran of the last turn (the `while` shape's H and `if`) and the `end`s: returned, for the
 * rewriter to charge with the code after the loop. It goes on after the loop's `end`. With
 * `marks`, where the loop starts, its way out, its check and its end are pushed there, for an
 * outer loop to write it again (outlined.ts).
 */
export function writeStraight(e: FuelEmitter, loop: StraightLoop, before: number, marks?: number[]): number {
  const code = e.code;
  const charge = (amount: number) => {
    if (amount === 0) return;
    e.fuelGet(code);
    code.byte(0x42); // i64.const
    code.sleb(amount);
    code.byte(0x7d); // i64.sub
    e.fuelSet(code);
  };
  let leave = 0;
  const leaveIfNot = () => {
    leave = code.len;
    code.byte(OP_I32_EQZ);
    code.byte(OP_BR_IF);
    code.byte(3); // $out
  };
  charge(before);
  const start = code.len;
  code.byte(OP_BLOCK);
  code.byte(VOID);
  code.byte(OP_LOOP);
  code.byte(VOID);
  code.byte(OP_BLOCK);
  code.byte(VOID);
  code.byte(OP_LOOP);
  code.byte(VOID);
  let owed: number;
  if (loop.ifAt >= 0) {
    // H and the test; the way out pays for them after the loop, a turn in the arm.
    copyStraight(e, loop.bodyAt, loop.ifAt);
    leaveIfNot();
    copyStraight(e, loop.ifAt + 2, loop.backAt);
    charge(loop.perTurn);
    owed = loop.last + loop.exit;
  } else {
    // B and the test, charged on both ways as per-turn metering charges them.
    copyStraight(e, loop.bodyAt, loop.backAt);
    charge(loop.perTurn);
    leaveIfNot();
    owed = loop.exit;
  }
  const check = code.len;
  e.writeCheck(code, 1);
  code.byte(OP_BR);
  code.byte(0);
  code.byte(OP_END);
  code.byte(OP_END);
  e.writeRefill(code);
  code.byte(OP_BR);
  code.byte(0);
  code.byte(OP_END);
  code.byte(OP_END);
  marks?.push(start, leave, check, code.len);
  e.copyFrom = loop.after;
  return owed;
}
