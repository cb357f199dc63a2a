/**
 * The charge written before a counted loop (counted.ts finds them): all its turns and its last
 * test at once, then a check, then the chunks that keep the host's clock in view while a long
 * count runs. docs/fuel.md ("Counted loops") says why it is exact.
 */
import { CHUNK_FUEL, type CountedLoop, turnsFrom } from './counted.js';
import type { FuelEmitter } from './emit.js';
import {
  I32,
  I64,
  OP_BLOCK,
  OP_BR,
  OP_BR_IF,
  OP_DROP,
  OP_END,
  OP_I32_ADD,
  OP_I32_AND,
  OP_I32_CONST,
  OP_I32_GT_S,
  OP_I32_GT_U,
  OP_I32_LT_S,
  OP_I32_LT_U,
  OP_I32_SHR_U,
  OP_I32_SUB,
  OP_I64_ADD,
  OP_I64_CONST,
  OP_I64_EXTEND_I32_U,
  OP_I64_LE_U,
  OP_I64_MUL,
  OP_I64_SUB,
  OP_IF,
  OP_LOCAL_GET,
  OP_LOCAL_SET,
  OP_LOCAL_TEE,
  OP_LOOP,
  OP_SELECT,
  skipMemargReader,
  VOID,
} from './instructions.js';

const OP_I64_GE_S = 0x59;

/** What a counted loop that could not fuel a whole count costs: more than any budget (2^53). */
const UNENDING_LOOP_CHARGE = 2 ** 62;

const TEST_OPCODES = {
  lt_s: OP_I32_LT_S,
  lt_u: OP_I32_LT_U,
  gt_s: OP_I32_GT_S,
  gt_u: OP_I32_GT_U,
} as const;

/** What the chunks need of a loop: where its straight-line code is, and what a turn costs. */
export type ChunkedLoop = Pick<CountedLoop, 'bodyAt' | 'ifAt' | 'backAt' | 'perTurn'>;

/** Turns of a counted loop in one chunk (see `writeChunks`): `CHUNK_FUEL` of them, at least one. */
function chunkTurns(loop: ChunkedLoop): number {
  return Math.max(1, Math.floor(CHUNK_FUEL / loop.perTurn));
}

/**
 * Before a counted loop: charge all its turns and its last test, then check. The count is
 * computed in i32 from the values the loop starts with (see counted.ts for the tests):
 *
 *   i != n, c = ±2^s:  d = (n - v) or (v - n);  count = d >> s, or never ending if d's low s bits are set
 *   i < n (c = +1):    count = v < n ? n - v : 0        i > n (c = -1): v > n ? v - n : 0
 *
 * where v is the first value the test reads. A never-ending count is charged
 * `UNENDING_LOOP_CHARGE`, more than any budget: the check then fails at once, as the
 * loop's own checks would have at some turn.
 */
export function writePrecharge(
  e: FuelEmitter,
  loop: CountedLoop,
  before: number,
  start: number | undefined,
): void {
  if (start !== undefined) writeConstantPrecharge(e, loop, before, start);
  else writeComputedPrecharge(e, loop, before);
}

/** The variable's start is a constant: so is the charge. */
function writeConstantPrecharge(e: FuelEmitter, loop: CountedLoop, before: number, start: number): void {
  const code = e.code;
  // Past 2^53 (more than any budget, or never ending) the check fails whatever the amount.
  const turns = turnsFrom(loop, start);
  const charge = turns === undefined ? undefined : turns * BigInt(loop.perTurn) + BigInt(loop.last + before);
  const amount = charge === undefined || charge >= 2n ** 53n ? UNENDING_LOOP_CHARGE : Number(charge);
  e.fuelGet(code);
  code.byte(OP_I64_CONST);
  code.sleb(amount);
  code.byte(OP_I64_SUB);
  e.fuelSet(code);
  e.writeInlineCheck(code);
  if (turns !== undefined && turns > BigInt(chunkTurns(loop))) {
    const t = e.scratchLocal(I64, 4);
    code.byte(OP_I64_CONST);
    code.sleb(Number(turns));
    code.byte(OP_LOCAL_SET);
    code.u32(t);
    writeChunks(e, loop, t);
  }
}

/** The count computed at run time from the variable's start and the bound. */
function writeComputedPrecharge(e: FuelEmitter, loop: CountedLoop, before: number): void {
  const code = e.code;
  const variable = e.mapLocal(loop.variable);
  const first = (): void => {
    code.byte(OP_LOCAL_GET);
    code.u32(variable);
    if (loop.afterWrite) {
      code.byte(OP_I32_CONST);
      code.sleb(loop.step);
      code.byte(OP_I32_ADD);
    }
  };
  const bound = (): void => {
    if (loop.boundLocal >= 0) {
      code.byte(OP_LOCAL_GET);
      code.u32(e.mapLocal(loop.boundLocal));
    } else {
      code.byte(OP_I32_CONST);
      code.sleb(loop.boundConst);
    }
  };
  // d: the distance from the first value to the bound, in the direction of the step.
  const distance = (): void => {
    if (loop.step > 0) {
      bound();
      first();
    } else {
      first();
      bound();
    }
    code.byte(OP_I32_SUB);
  };
  const magnitude = loop.step === -0x8000_0000 ? 0x8000_0000 : Math.abs(loop.step);
  const shift = Math.log2(magnitude);
  const unending = loop.test === 'ne' && shift > 0;

  // t: the count, kept for the chunks below.
  const t = e.scratchLocal(I64, 4);
  distance();
  if (loop.test === 'ne') {
    if (shift > 0) {
      code.byte(OP_I32_CONST);
      code.sleb(shift);
      code.byte(OP_I32_SHR_U);
    }
  } else {
    // A test that fails at once turns no time.
    code.byte(OP_I32_CONST);
    code.byte(0);
    first();
    bound();
    code.byte(TEST_OPCODES[loop.test as keyof typeof TEST_OPCODES]);
    code.byte(OP_SELECT);
  }
  code.byte(OP_I64_EXTEND_I32_U);
  code.byte(OP_LOCAL_SET);
  code.u32(t);
  e.fuelGet(code);
  if (unending) {
    code.byte(OP_I64_CONST);
    code.sleb(UNENDING_LOOP_CHARGE);
  }
  code.byte(OP_LOCAL_GET);
  code.u32(t);
  if (loop.perTurn !== 1) {
    code.byte(OP_I64_CONST);
    code.sleb(loop.perTurn);
    code.byte(OP_I64_MUL);
  }
  if (loop.last + before !== 0) {
    code.byte(OP_I64_CONST);
    code.sleb(loop.last + before);
    code.byte(OP_I64_ADD);
  }
  if (unending) {
    distance();
    code.byte(OP_I32_CONST);
    code.sleb(magnitude - 1);
    code.byte(OP_I32_AND);
    code.byte(OP_SELECT);
  }
  code.byte(OP_I64_SUB);
  e.fuelSet(code);
  e.writeInlineCheck(code);
  writeChunks(e, loop, t);
}

/**
 * After a counted loop's charge: while more than a chunk of turns is left (`t`, an i64
 * local), run a chunk of them in a copy of the loop's straight-line code, with its test
 * dropped (it holds for these turns), and consult the host (`keel.fuel_slice`, which looks at
 * the deadline and gives the counter a new slice) between chunks. The loop itself then runs
 * the turns left, which its charge already paid for, as everything the chunks ran. A loop of
 * 2^32 turns thus still sees the clock every `CHUNK_FUEL` of turns.
 *
 *   block  loop  br_if 1 (t <= chunk)  k = chunk
 *     loop  H drop B | B drop  br_if 0 (--k)  end
 *     t -= chunk  fuel_slice  br 0  end  end
 *
 * With `checkFirst`, this is also the check after the charge, with one call of `fuel_slice`
 * for both (a strided loop's code sits in its outer loop's every turn, where each call site
 * costs registers): `block loop (if (fuel >= 0) br_if 2 (t <= chunk) ... t -= chunk end)
 * fuel_slice br 0 end end`. Below zero after the charge, it refills (or throws) before any
 * chunk runs, as the check did.
 */
export function writeChunks(e: FuelEmitter, loop: ChunkedLoop, t: number, checkFirst = false): void {
  const code = e.code;
  const turns = chunkTurns(loop);
  const k = e.scratchLocal(I32, 5);
  code.byte(OP_BLOCK);
  code.byte(VOID);
  code.byte(OP_LOOP);
  code.byte(VOID);
  if (checkFirst) {
    // The charge's check in the same refill (one call, not two): below zero, refill first.
    e.fuelGet(code);
    code.byte(OP_I64_CONST);
    code.byte(0);
    code.byte(OP_I64_GE_S);
    code.byte(OP_IF);
    code.byte(VOID);
  }
  code.byte(OP_LOCAL_GET);
  code.u32(t);
  code.byte(OP_I64_CONST);
  code.sleb(turns);
  code.byte(OP_I64_LE_U);
  code.byte(OP_BR_IF);
  code.byte(checkFirst ? 2 : 1);
  code.byte(OP_I32_CONST);
  code.sleb(turns);
  code.byte(OP_LOCAL_SET);
  code.u32(k);
  code.byte(OP_LOOP);
  code.byte(VOID);
  if (loop.ifAt >= 0) {
    // while shape: H, the test it leaves, then B (the `if` and its block type are skipped).
    copyStraight(e, loop.bodyAt, loop.ifAt);
    code.byte(OP_DROP);
    copyStraight(e, loop.ifAt + 2, loop.backAt);
  } else {
    copyStraight(e, loop.bodyAt, loop.backAt);
    code.byte(OP_DROP);
  }
  code.byte(OP_LOCAL_GET);
  code.u32(k);
  code.byte(OP_I32_CONST);
  code.byte(1);
  code.byte(OP_I32_SUB);
  code.byte(OP_LOCAL_TEE);
  code.u32(k);
  code.byte(OP_BR_IF);
  code.byte(0);
  code.byte(OP_END);
  code.byte(OP_LOCAL_GET);
  code.u32(t);
  code.byte(OP_I64_CONST);
  code.sleb(turns);
  code.byte(OP_I64_SUB);
  code.byte(OP_LOCAL_SET);
  code.u32(t);
  if (checkFirst) code.byte(OP_END);
  e.writeRefill(code);
  code.byte(OP_BR);
  code.byte(0);
  code.byte(OP_END);
  code.byte(OP_END);
}

/**
 * Copy straight-line code (what `countedLoop` accepted as H or B) from the input to the
 * output, its local and global indices renumbered as the rest of the body's are.
 */
export function copyStraight(e: FuelEmitter, from: number, to: number): void {
  const code = e.code;
  const bytes = e.bytes;
  const r = e.r; // free here: the main loop reads through `pos`
  r.pos = from;
  while (r.pos < to) {
    const at = r.pos;
    const op = bytes[r.pos++]!;
    if (op === 0x20 || op === 0x21 || op === 0x22) {
      code.byte(op);
      code.u32(e.mapLocal(r.u32()));
      continue;
    }
    if (op === 0x23 || op === 0x24) {
      const index = r.u32();
      code.byte(op);
      code.u32(index >= e.ctx.globalImports ? index + 1 : index);
      continue;
    }
    if (op >= 0x28 && op <= 0x3e) skipMemargReader(r);
    else if (op === 0x3f || op === 0xfc) r.u32();
    else if (op === 0x41 || op === 0x42) r.skipLeb(10);
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    code.copy(bytes, at, r.pos);
  }
}
