/**
 * Peeled loops: an outer loop whose every turn but a few skips its inner work, as a sieve's
 * (`for (i = 2; i < n; i++) if (!composite[i]) { ...inner loop... }`). Checked at its header,
 * the refill calls of the work it skips (the inner loop's) sit in every turn's code, and V8,
 * which keeps no value in a register across a call, spills the loop's values at every turn,
 * the turns that run no call too. So the turn that skips the work becomes a loop of its own,
 * with no call inside, checked at its back edge as a straight loop (straight.ts), and the work
 * runs outside it, in the outer loop, which keeps its check at its header
 * (docs/fuel.md, "Peeled loops"):
 *
 *   block $exit  loop $outer  block $refill
 *     br_if $refill (fuel < 0)
 *     block $work  loop $skip                      ;; the turns that skip the work
 *       H  fuel -= H, if  br_if $exit (eqz)       ;; (do: A, its charge, br_if $work (eqz))
 *       A  fuel -= A, if  br_if $work             ;;
 *       B  fuel -= B, br  br_if $refill (fuel < 0)  br $skip
 *     end end
 *     block  X  end                               ;; the work, metered as before
 *     B  fuel -= B, br  br $outer                 ;; (do: br_if $outer, br $exit)
 *   end  refill  br $outer  end  end
 *
 * from the two shapes (H, A and B straight-line code as in counted.ts, X anything whose
 * branches stay inside it or leave to its own end):
 *
 *   while:  loop  H  if  A  if  X  end  B  br 1  end  end       (AssemblyScript)
 *   do:     loop  block  A  br_if 0  X  end  B  br_if 0  end    (clang)
 *
 * Every turn checks the counter before it runs, as at the header: the skipping turn's back
 * edge checks before the next turn, a turn that did the work goes back to the header. Each path
 * pays what per-turn metering charges, to the unit: the same charges, at the same places in
 * the turn. Only B is written twice.
 */
import { MalformedError, Reader } from './binary.js';
import type { CostTables } from './costs.js';
import { scan } from './counted.js';
import type { FuelEmitter } from './emit.js';
import {
  OP_BLOCK,
  OP_BR,
  OP_BR_IF,
  OP_END,
  OP_IF,
  OP_LOOP,
  skipAtomic,
  skipBlockType,
  skipMemargReader,
  skipSimd,
  skipValueType,
  VOID,
} from './instructions.js';
import { copyStraight } from './precharge.js';

export interface PeeledLoop {
  /** The `do` shape (`block A br_if 0 X end B br_if 0`), else the `while` shape. */
  readonly isDo: boolean;
  /** The `while` shape's H: [bodyAt, headEnd) (empty in the `do` shape). */
  readonly bodyAt: number;
  readonly headEnd: number;
  /** A: [testAt, testEnd), its `if` or `br_if 0` at testEnd. */
  readonly testAt: number;
  readonly testEnd: number;
  /** X: from `workAt` to its `end` at `workEnd`. */
  readonly workAt: number;
  readonly workEnd: number;
  /** B: [workEnd + 1, backAt), the back edge (`br 1` or `br_if 0`) at `backAt`. */
  readonly backAt: number;
  /** Position just after the loop's `end`. */
  readonly after: number;
  /** Charges: H and its `if`; A and its `if` or `br_if`; B and the back edge; the loop's `end`. */
  readonly head: number;
  readonly test: number;
  readonly tail: number;
  readonly exit: number;
}

/** Larger charges stay where per-turn metering puts them (as counted.ts's `MAX_TURN_COST`). */
const MAX_COST = 2 ** 29;

/**
 * The peeled loop whose `loop` instruction is at `at` and whose body starts at `pos`, or
 * undefined if it is not one. Finding B reads X ahead of the rewriter, which then reads it
 * again (and a loop inside X may read ahead again): `budget.left` bytes of look ahead are
 * left for the body, and each look ahead spends what it read, so that a body's look aheads
 * together read at most its size, however the loops nest.
 */
export function peeledLoop(
  bytes: Uint8Array,
  at: number,
  pos: number,
  end: number,
  costs: CostTables,
  budget: { left: number },
): PeeledLoop | undefined {
  if (bytes[at + 1] !== VOID) return undefined;
  const plain = costs.plain;
  const r = new Reader(bytes, pos, end);
  let isDo: boolean;
  let headEnd = pos;
  let head = 0;
  let testAt: number;
  if (bytes[pos] === OP_BLOCK && bytes[pos + 1] === VOID) {
    isDo = true;
    testAt = pos + 2;
  } else {
    isDo = false;
    const h = scan(r, costs, 0);
    headEnd = h.stop;
    if (h.height !== 1 || bytes[headEnd] !== OP_IF || bytes[headEnd + 1] !== VOID) return undefined;
    head = h.cost + plain[OP_IF]!;
    testAt = headEnd + 2;
  }
  r.pos = testAt;
  const a = scan(r, costs, 0);
  const testEnd = a.stop;
  if (a.height !== 1) return undefined;
  let workAt: number;
  let test: number;
  if (isDo) {
    if (bytes[testEnd] !== OP_BR_IF || bytes[testEnd + 1] !== 0) return undefined;
    workAt = testEnd + 2;
    // The `block` is charged with A: it flushes nothing.
    test = plain[OP_BLOCK]! + a.cost + plain[OP_BR_IF]!;
  } else {
    if (bytes[testEnd] !== OP_IF || bytes[testEnd + 1] !== VOID) return undefined;
    workAt = testEnd + 2;
    test = a.cost + plain[OP_IF]!;
  }
  const limit = Math.min(end, workAt + budget.left);
  const workEnd = endOf(r, workAt, limit);
  budget.left -= r.pos - workAt;
  if (workEnd < 0) return undefined;
  r.pos = workEnd + 1;
  const b = scan(r, costs, 0);
  const backAt = b.stop;
  let after: number;
  let tail: number;
  if (isDo) {
    if (b.height !== 1 || bytes[backAt] !== OP_BR_IF || bytes[backAt + 1] !== 0) return undefined;
    if (bytes[backAt + 2] !== OP_END) return undefined;
    after = backAt + 3;
    tail = b.cost + plain[OP_BR_IF]!;
  } else {
    if (b.height !== 0 || bytes[backAt] !== OP_BR || bytes[backAt + 1] !== 1) return undefined;
    if (bytes[backAt + 2] !== OP_END || bytes[backAt + 3] !== OP_END) return undefined;
    after = backAt + 4;
    tail = b.cost + plain[OP_BR]!;
  }
  if (head > MAX_COST || test > MAX_COST || tail > MAX_COST) return undefined;
  return {
    isDo,
    bodyAt: pos,
    headEnd,
    testAt,
    testEnd,
    workAt,
    workEnd,
    backAt,
    after,
    head,
    test,
    tail,
    exit: plain[OP_END]!,
  };
}

/**
 * Where the block whose body starts at `pos` ends (its `end`), or -1: an `else` of its own (an
 * `if` with two arms), a branch past its end (to the loop, or out of it), a `return` just
 * before its end (whose charge per-turn metering moves, `#sinkIf`), an instruction not known
 * here, or a malformed body, which the rewriter then reads as any other. The rewriter checks
 * all of it again as it reads X, and rewrites the body without counted loops if the guess was
 * wrong (a bug here costs speed, never fuel).
 */
function endOf(r: Reader, pos: number, end: number): number {
  r.pos = pos;
  let depth = 0;
  try {
    while (r.pos < end) {
      const at = r.pos;
      const op = r.byte();
      if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06) {
        r.pos = skipBlockType(r, r.pos);
        depth++;
      } else if (op === OP_END) {
        if (depth === 0) return at;
        depth--;
      } else if (op === 0x05 || op === 0x07 || op === 0x19 || op === 0x18) {
        // else, catch, catch_all, delegate: none of the block's own.
        if (depth === 0) return -1;
        if (op === 0x07) r.u32();
        if (op === 0x18) {
          depth--;
          if (r.u32() >= depth) return -1;
        }
      } else if (op === 0x0c || op === 0x0d || op === 0x09) {
        // br, br_if, rethrow: label `depth` is the block's own end.
        if (r.u32() > depth) return -1;
      } else if (op === 0x0e) {
        const count = r.u32();
        for (let i = 0; i <= count; i++) if (r.u32() > depth) return -1;
      } else if (op === 0x0f) {
        if (depth === 0 && r.bytes[r.pos] === OP_END) return -1;
      } else if (!skipImmediates(r, op)) {
        return -1;
      }
    }
  } catch (error) {
    if (error instanceof MalformedError) return -1;
    throw error;
  }
  return -1;
}

/** Skip the immediates of a non-block instruction `op`; false for one not known here. */
function skipImmediates(r: Reader, op: number): boolean {
  if (op <= 0x01 || op === 0x1a || op === 0x1b || op === 0xd1) return true;
  if (op >= 0x45 && op <= 0xc4) return true;
  if (op >= 0x28 && op <= 0x3e) {
    skipMemargReader(r);
    return true;
  }
  switch (op) {
    case 0x08: // throw
    case 0x10: // call
    case 0x12: // return_call
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25: // table.get
    case 0x26: // table.set
    case 0x3f: // memory.size
    case 0x40: // memory.grow
    case 0xd2: // ref.func
      r.u32();
      return true;
    case 0x11: // call_indirect
    case 0x13: // return_call_indirect
      r.u32();
      r.u32();
      return true;
    case 0x1c: {
      // select t*
      const count = r.u32();
      for (let i = 0; i < count; i++) skipValueType(r);
      return true;
    }
    case 0x41:
      r.skipLeb(5);
      return true;
    case 0x42:
      r.skipLeb(10);
      return true;
    case 0x43:
      r.skip(4);
      return true;
    case 0x44:
      r.skip(8);
      return true;
    case 0xd0: // ref.null: a heap type
      r.skipLeb(5);
      return true;
    case 0xfc: {
      const sub = r.u32();
      if (sub <= 7) return true;
      if (sub === 8 || sub === 10 || sub === 12 || sub === 14) r.u32();
      if (sub > 17) return false;
      r.u32();
      return true;
    }
    case 0xfd:
      skipSimd(r, -1);
      return true;
    case 0xfe:
      skipAtomic(r, -1);
      return true;
    default:
      return false;
  }
}

/**
 * Write the loop's head (above) up to where X starts, `before` the charge of the code before
 * it: the rewriter then reads X inside a `block` of its own, and calls `writePeeledTail` at
 * X's `end`.
 */
export function writePeeledHead(e: FuelEmitter, loop: PeeledLoop): void {
  const code = e.code;
  const charge = (amount: number) => {
    if (amount === 0) return;
    e.fuelGet(code);
    code.byte(0x42); // i64.const
    code.sleb(amount);
    code.byte(0x7d); // i64.sub
    e.fuelSet(code);
  };
  const eqz = () => code.byte(0x45);
  const branch = (op: number, label: number) => {
    code.byte(op);
    code.byte(label);
  };
  // $skip 0, $work 1, $refill 2, $outer 3, $exit 4 (inside $skip)
  code.byte(OP_BLOCK);
  code.byte(VOID);
  code.byte(OP_LOOP);
  code.byte(VOID);
  code.byte(OP_BLOCK);
  code.byte(VOID);
  e.writeCheck(code, 0);
  code.byte(OP_BLOCK);
  code.byte(VOID);
  code.byte(OP_LOOP);
  code.byte(VOID);
  if (loop.isDo) {
    // A true skips X.
    copyStraight(e, loop.testAt, loop.testEnd);
    charge(loop.test);
    eqz();
    branch(OP_BR_IF, 1);
    copyStraight(e, loop.workEnd + 1, loop.backAt);
    charge(loop.tail);
    eqz();
    branch(OP_BR_IF, 4);
  } else {
    copyStraight(e, loop.bodyAt, loop.headEnd);
    charge(loop.head);
    eqz();
    branch(OP_BR_IF, 4);
    // A true runs X.
    copyStraight(e, loop.testAt, loop.testEnd);
    charge(loop.test);
    branch(OP_BR_IF, 1);
    copyStraight(e, loop.workEnd + 1, loop.backAt);
    charge(loop.tail);
  }
  e.writeCheck(code, 2);
  branch(OP_BR, 0);
  code.byte(OP_END);
  code.byte(OP_END);
  // X, in a block: its branches to the `if` or `block` it sat in land at that block's end.
  code.byte(OP_BLOCK);
  code.byte(VOID);
  e.copyFrom = loop.workAt;
}

/**
 * After X's `end` (written): B, the way back to the header, the refill, and the ends. The way
 * out owes the loop's `end`, returned for the rewriter to charge with the code after it.
 */
export function writePeeledTail(e: FuelEmitter, loop: PeeledLoop): number {
  const code = e.code;
  copyStraight(e, loop.workEnd + 1, loop.backAt);
  if (loop.tail !== 0) {
    e.fuelGet(code);
    code.byte(0x42);
    code.sleb(loop.tail);
    code.byte(0x7d);
    e.fuelSet(code);
  }
  // $refill 0, $outer 1, $exit 2
  if (loop.isDo) {
    code.byte(OP_BR_IF);
    code.byte(1);
    code.byte(OP_BR);
    code.byte(2);
  } else {
    code.byte(OP_BR);
    code.byte(1);
  }
  code.byte(OP_END);
  e.writeRefill(code);
  code.byte(OP_BR);
  code.byte(0);
  code.byte(OP_END);
  code.byte(OP_END);
  e.copyFrom = loop.after;
  return loop.exit;
}
