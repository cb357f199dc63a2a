/**
 * Fuel injection into one function body, in a single pass over its instructions.
 *
 * Most bytes are copied as they are. The pass adds up the cost of the instructions it reads
 * and writes that sum as one charge ("flush") just before any instruction that can leave the
 * straight line (a branch, a call, `if`, `else`, a loop header, a join `end`), so every path
 * pays exactly the instructions it ran. It checks the counter at function entry (functions
 * that call) and at every loop header, which is enough: without a loop or a call no path can
 * come back to an instruction it has run.
 *
 * Two strategies, same fuel counts. `local` (the default) keeps the counter in a local: a
 * function that never escapes gets it as an extra last parameter and hands it back as an extra
 * last result (`BodyContext.internal`); any other function loads it from the imported global
 * at entry and writes it back before anything that can leave the function or look at the
 * counter (calls that do not pass it, returns, throws, grows). `global` charges the imported
 * global directly. A check is `br_if $trap (fuel < 0)` to a cold exit at the end of the
 * function (see `#finish`). docs/fuel.md has the whole picture.
 */
import { malformed, Reader, Writer } from './binary.js';
import type { CostTables } from './costs.js';
import { CHUNK_FUEL, type CountedLoop, countedLoop, isShortBlockType, turnsFrom } from './counted.js';
import type { Leaks } from './module.js';

/** Everything about the module that a function body's rewriting needs. */
export interface BodyContext {
  readonly bytes: Uint8Array;
  readonly costs: CostTables;
  readonly strategy: 'local' | 'global';
  /** Charge counted loops once before they start (see counted.ts) instead of at every turn. */
  readonly countedLoops: boolean;
  /** Parameter count by type index. */
  readonly paramCounts: readonly number[];
  /** By type index: the block type (encoded) of a block that yields the function's results. */
  readonly resultBlockTypes: readonly Uint8Array[];
  /**
   * By defined function index: 1 if the function passes fuel (`local` strategy, never escapes):
   * its type gains an i64 parameter and an i64 result that carry the counter.
   */
  readonly internal: Uint8Array;
  /** The output index of the trampoline that refills and calls `func` again, if it has one. */
  readonly restartOf: (func: number) => number | undefined;
  /** The wrapper that stands for an exported function wherever it escapes (original numbering). */
  readonly wrapperOf: (func: number) => number | undefined;
  /** Whether `call_indirect (type)` through `table` passes fuel (all its targets do). */
  readonly indirectPasses: (table: number, type: number) => boolean;
  /** Whether `table` is one that only `call_indirect` uses (so far). */
  readonly closedTable: (table: number) => boolean;
  /** Type index of the fuel-passing twin of type 0. */
  readonly twinBase: number;
  /** Where the pass records what makes its fuel passing through tables unsafe (it then reruns). */
  readonly found: Leaks;
  /** Function indices at or above this move up by `funcShift`. */
  readonly funcImports: number;
  readonly funcShift: number;
  /** Global indices at or above this move up by one (the fuel global takes this index). */
  readonly globalImports: number;
  readonly fuelGlobal: number;
  readonly fnFuelSlice: number;
  readonly fnMemoryGrow: number;
  readonly fnTableGrow: number;
  /** Reference type (0x70 funcref, 0x6f externref) of each table. */
  readonly tableTypes: readonly number[];
}

/** V8's limit on locals per function. */
export const MAX_LOCALS = 50_000;

const FUNC = 0;
const BLOCK = 1;
const LOOP = 2;
const IF = 3;
const ELSE = 4;
const TRY = 5;
const CATCH = 6;

// Opcodes the pass writes.
const OP_BLOCK = 0x02;
const OP_BR = 0x0c;
const OP_IF = 0x04;
const OP_BR_IF = 0x0d;
const OP_RETURN = 0x0f;
const OP_ELSE = 0x05;
const OP_END = 0x0b;
const OP_CALL = 0x10;
const OP_RETURN_CALL = 0x12;
const OP_SELECT = 0x1b;
const OP_LOCAL_GET = 0x20;
const OP_LOCAL_SET = 0x21;
const OP_LOCAL_TEE = 0x22;
const OP_GLOBAL_GET = 0x23;
const OP_GLOBAL_SET = 0x24;
const OP_MEMORY_SIZE = 0x3f;
const OP_MEMORY_GROW = 0x40;
const OP_I32_CONST = 0x41;
const OP_I64_CONST = 0x42;
const OP_I32_NE = 0x47;
const OP_I32_LT_S = 0x48;
const OP_I32_LT_U = 0x49;
const OP_I32_GT_S = 0x4a;
const OP_I32_GT_U = 0x4b;
const OP_I32_ADD = 0x6a;
const OP_I32_SUB = 0x6b;
const OP_I32_AND = 0x71;
const OP_I32_SHR_U = 0x76;
const OP_I64_ADD = 0x7c;
const OP_I64_LT_S = 0x53;
const OP_I64_SUB = 0x7d;
const OP_I64_LE_U = 0x58;
const OP_DROP = 0x1a;
const OP_LOOP = 0x03;
const OP_I64_MUL = 0x7e;
const OP_I64_DIV_U = 0x80;
const OP_I64_SHR_U = 0x88;
const OP_I64_EXTEND_I32_U = 0xad;
const VOID = 0x40;
const I32 = 0x7f;
const I64 = 0x7e;

/** What a counted loop that could not fuel a whole count costs: more than any budget (2^53). */
const UNENDING_LOOP_CHARGE = 2 ** 62;

/**
 * Thrown when something other than its back edge branches to a loop charged as counted: the
 * body is rewritten again without counted loops.
 */
const NOT_COUNTED = Symbol('not counted');

/** Skip an unsigned or signed LEB128 at `pos`; returns the position after it. */
function leb(bytes: Uint8Array, pos: number): number {
  while (bytes[pos++]! & 0x80);
  return pos;
}

/** Rewrites function bodies; one per module, reused for every body. */
export class BodyRewriter {
  readonly #ctx: BodyContext;
  readonly #bytes: Uint8Array;
  readonly #plain: Uint32Array;
  readonly #fc: Uint32Array;
  readonly #r: Reader;
  readonly #code = new Writer(1 << 16);
  readonly #head = new Writer(256);
  #kinds = new Uint8Array(64);
  #targeted = new Uint8Array(64);
  /** By depth: 1 for a loop charged as counted (only its back edge may branch to it). */
  #counted = new Uint8Array(64);
  /**
   * By depth: how many blocks the pass added inside the frames up to this one (two in a loop
   * whose check refills out of line, see `#closeLoop`). A branch crosses those of every frame
   * from its own out to its target's, and its label moves out by as many.
   */
  #cum = new Int32Array(64);
  /** Whether this rewrite charges counted loops (off on the second try of a body). */
  #counting = false;
  /** The `if` and the back edge of the counted loop being read, whose charges were made before it. */
  #countIfAt = -1;
  #countBackAt = -1;
  /** Locals from this index move up by one (the counter parameter of a function that passes fuel). */
  #params = 0;
  /** Where the last `i32.const` starts and ends. */
  #constAt = -1;
  #constEnd = -1;
  /**
   * A local set from an `i32.const` (its opcode at `#knownAt`) in the straight-line code still
   * running (`#flushes` then was `#knownFlushes`), and not written since: a loop that starts
   * here starts with that value.
   */
  #knownLocal = -1;
  #knownAt = -1;
  #knownFlushes = -1;
  /** Calls to `#flush` so far in this body: each marks a branch, a call, a loop or a join. */
  #flushes = 0;
  /**
   * By depth, for an `if`: where the charge written just before it lies in `#code`, its amount,
   * `#flushes` after it, and whether the charge was moved into the arms (`#sinkIf`).
   */
  #ifFrom: number[] = [];
  #ifTo: number[] = [];
  #ifAmount: number[] = [];
  #ifFlushes: number[] = [];
  #ifSunk: number[] = [];
  #copyFrom = 0;
  /** The function being rewritten passes fuel (see `BodyContext.internal`). */
  #passes = false;
  /** Local index of the fuel counter (`local` strategy). */
  #fuelLocal = 0;
  /** Next free local index, and the locals added so far (their types, in index order). */
  #nextLocal = 0;
  #added: number[] = [];
  #scratch = new Map<number, number>();

  constructor(ctx: BodyContext) {
    this.#ctx = ctx;
    this.#bytes = ctx.bytes;
    this.#plain = ctx.costs.plain;
    this.#fc = ctx.costs.fc;
    this.#r = new Reader(ctx.bytes);
  }

  /** Rewrite the body at `bytes[start, end)` (after its size) and write it, sized, to `out`. */
  rewrite(
    start: number,
    end: number,
    typeIndex: number,
    funcIndex: number,
    passes: boolean,
    out: Writer,
  ): void {
    const found = this.#ctx.found;
    const tailCalls = found.tailCalls.length;
    const tailIndirect = found.tailIndirect.length;
    try {
      this.#rewriteBody(start, end, typeIndex, funcIndex, passes, out, this.#ctx.countedLoops);
    } catch (error) {
      if (error !== NOT_COUNTED) throw error;
      found.tailCalls.length = tailCalls;
      found.tailIndirect.length = tailIndirect;
      this.#rewriteBody(start, end, typeIndex, funcIndex, passes, out, false);
    }
  }

  #rewriteBody(
    start: number,
    end: number,
    typeIndex: number,
    funcIndex: number,
    passes: boolean,
    out: Writer,
    counting: boolean,
  ): void {
    const ctx = this.#ctx;
    const bytes = this.#bytes;
    const r = this.#r;
    const plain = this.#plain;
    const local = ctx.strategy === 'local';
    const code = this.#code;
    code.reset();
    r.pos = start;
    r.end = end;

    // Locals: keep the declarations, append ours after them.
    const groups = r.u32();
    let locals = ctx.paramCounts[typeIndex] ?? malformed(`function ${funcIndex} has an unknown type`);
    for (let i = 0; i < groups; i++) {
      locals += r.u32();
      if (locals > MAX_LOCALS) malformed(`function ${funcIndex} declares more than ${MAX_LOCALS} locals`);
      skipValueType(r);
    }
    const groupsEnd = r.pos;
    this.#nextLocal = locals;
    this.#added.length = 0;
    this.#scratch.clear();
    this.#passes = passes;
    // A function that passes fuel gets it as its last parameter: locals from there move up by one.
    const params = passes ? ctx.paramCounts[typeIndex]! : MAX_LOCALS + 1;
    this.#params = params;
    this.#counting = counting;
    this.#countIfAt = -1;
    this.#countBackAt = -1;
    this.#constEnd = -1;
    this.#knownLocal = -1;
    if (passes) {
      this.#fuelLocal = params;
      this.#nextLocal++;
    } else if (local) this.#fuelLocal = this.#addLocal(I64);
    const internal = ctx.internal;
    const funcImports = ctx.funcImports;

    let pos = groupsEnd;
    this.#copyFrom = pos;
    let pending = 0;
    let depth = 1;
    this.#kinds[0] = FUNC;
    let hasCall = false;

    for (;;) {
      if (pos >= end) malformed(`function ${funcIndex}: body ends without "end"`);
      const at = pos;
      const op = bytes[pos++]!;
      if (op >= 0x45 && op <= 0xc4) {
        pending += plain[op]!;
        continue;
      }
      switch (op) {
        case 0x20:
        case 0x21:
        case 0x22: {
          pending += plain[op]!;
          const b = bytes[pos]!;
          if (b < 0x80 && b < params) {
            pos++;
            if (op !== 0x20) this.#noteWrite(op, b, at);
            continue;
          }
          r.pos = pos;
          const index = r.u32();
          if (op !== 0x20) this.#noteWrite(op, index, at);
          if (index >= params) {
            this.#copyTo(at);
            code.byte(op);
            code.u32(index + 1);
            this.#copyFrom = r.pos;
          }
          pos = r.pos;
          continue;
        }
        case 0x23:
        case 0x24: {
          pending += plain[op]!;
          r.pos = pos;
          const index = r.u32();
          if (index >= ctx.globalImports) {
            this.#copyTo(at);
            code.byte(op);
            code.u32(index + 1);
            this.#copyFrom = r.pos;
          }
          pos = r.pos;
          continue;
        }
        case 0x28:
        case 0x29:
        case 0x2a:
        case 0x2b:
        case 0x2c:
        case 0x2d:
        case 0x2e:
        case 0x2f:
        case 0x30:
        case 0x31:
        case 0x32:
        case 0x33:
        case 0x34:
        case 0x35:
        case 0x36:
        case 0x37:
        case 0x38:
        case 0x39:
        case 0x3a:
        case 0x3b:
        case 0x3c:
        case 0x3d:
        case 0x3e:
          pending += plain[op]!;
          pos = skipMemarg(bytes, pos);
          continue;
        case 0x41:
          pending += plain[op]!;
          this.#constAt = at;
          pos = this.#constEnd = leb(bytes, pos);
          continue;
        case 0x42:
          pending += plain[op]!;
          pos = leb(bytes, pos);
          continue;
        case 0x43:
          pending += plain[op]!;
          pos += 4;
          continue;
        case 0x44:
          pending += plain[op]!;
          pos += 8;
          continue;
        case 0x00: // unreachable
        case 0x01: // nop
        case 0x1a: // drop
        case 0x1b: // select
        case 0xd1: // ref.is_null
          pending += plain[op]!;
          continue;
        case 0x02: // block
          pending += plain[op]!;
          pos = skipBlockType(r, pos);
          depth = this.#push(depth, BLOCK);
          continue;
        case 0x03: {
          // loop: a join point; check the counter at its header, or charge a counted loop's
          // every turn before it and check then
          pending += plain[op]!;
          pos = skipBlockType(r, pos);
          const found = this.#counting ? countedLoop(bytes, pos, end, ctx.costs) : undefined;
          const start = found?.boundLocal === -1 ? this.#knownStart(found.variable) : undefined;
          // A few-turn loop is worth counting only when its count is a constant.
          const counted = found && (start !== undefined || !found.fewTurns) ? found : undefined;
          if (counted) {
            // The charge of the code before the loop joins the loop's.
            this.#flushes++;
            this.#copyTo(at);
            this.#writePrecharge(counted, pending, start);
          } else {
            this.#flush(at, pending);
          }
          pending = 0;
          if (counted) {
            depth = this.#push(depth, LOOP);
            this.#copyTo(pos);
            this.#counted[depth - 1] = 1;
            this.#countIfAt = counted.ifAt;
            this.#countBackAt = counted.backAt;
          } else if (isShortBlockType(bytes[at + 1])) {
            // loop  block $done (result)  block $refill  br_if $refill (fuel < 0) ...: see `#closeLoop`.
            depth = this.#push(depth, LOOP, 2);
            this.#copyTo(pos);
            code.reserve(4);
            code.byte(OP_BLOCK);
            code.byte(bytes[at + 1]!);
            code.byte(OP_BLOCK);
            code.byte(VOID);
            this.#writeCheck(code, 0);
          } else {
            // A loop with parameters cannot be entered again: its check refills inline.
            depth = this.#push(depth, LOOP);
            this.#copyTo(pos);
            this.#writeInlineCheck(code);
          }
          continue;
        }
        case 0x04: {
          // if: charged before it, unless `#sinkIf` moves the charge into its arms later (or
          // the counted loop it tests was charged for it)
          pending += plain[op]!;
          this.#copyTo(at);
          this.#ifFrom[depth] = code.len;
          if (at === this.#countIfAt) pending = 0;
          else this.#flush(at, pending);
          this.#ifTo[depth] = code.len;
          this.#ifAmount[depth] = pending;
          this.#ifFlushes[depth] = this.#flushes;
          this.#ifSunk[depth] = 0;
          pending = 0;
          pos = skipBlockType(r, pos);
          depth = this.#push(depth, IF);
          continue;
        }
        case 0x06: // try
          pending += plain[op]!;
          this.#flush(at, pending);
          pending = 0;
          pos = skipBlockType(r, pos);
          depth = this.#push(depth, TRY);
          continue;
        case 0x05: {
          // else
          if (this.#kinds[depth - 1] !== IF) malformed(`function ${funcIndex}: "else" outside "if"`);
          pending += plain[op]!;
          const d = depth - 1;
          // The then arm paid the if's charge (at its `br`), or pays it now; then so does the
          // else arm, with its own first charge.
          let sunk = this.#ifSunk[d] === 1;
          if (!sunk && this.#sinkIf(d)) {
            pending += this.#ifAmount[d]!;
            sunk = true;
          }
          this.#flush(at, pending);
          pending = sunk ? this.#ifAmount[d]! : 0;
          this.#ifSunk[d] = 0;
          this.#kinds[d] = ELSE;
          continue;
        }
        case 0x07: // catch tag
        case 0x19: {
          // catch_all
          const kind = this.#kinds[depth - 1];
          if (kind !== TRY && kind !== CATCH) malformed(`function ${funcIndex}: "catch" outside "try"`);
          pending += plain[op]!;
          this.#flush(at, pending);
          pending = 0;
          if (op === 0x07) pos = leb(bytes, pos);
          this.#kinds[depth - 1] = CATCH;
          if (local) {
            // A callee may have charged the global before it threw.
            this.#copyTo(pos);
            this.#reload();
          }
          continue;
        }
        case 0x18: // delegate label
          if (this.#kinds[depth - 1] !== TRY) malformed(`function ${funcIndex}: "delegate" outside "try"`);
          pending += plain[op]!;
          this.#flush(at, pending);
          pending = 0;
          depth--;
          r.pos = pos;
          {
            // The label counts from outside the `try`.
            const label = r.u32();
            if (label >= depth) malformed(`function ${funcIndex}: delegate depth ${label} out of range`);
            const out = this.#outLabel(depth, label);
            if (out !== label) {
              code.byte(op);
              code.u32(out);
              this.#copyFrom = r.pos;
            }
          }
          pos = r.pos;
          continue;
        case 0x08: // throw tag
        case 0x09: {
          // rethrow label
          pending += plain[op]!;
          this.#flush(at, pending);
          pending = 0;
          if (local) this.#save();
          r.pos = pos;
          const index = r.u32();
          if (op === 0x09) {
            if (index >= depth) malformed(`function ${funcIndex}: rethrow depth ${index} out of range`);
            const out = this.#outLabel(depth, index);
            if (out !== index) {
              this.#copyTo(at);
              code.byte(op);
              code.u32(out);
              this.#copyFrom = r.pos;
            }
          }
          pos = r.pos;
          continue;
        }
        case 0x0b: {
          // end
          pending += plain[op]!;
          const kind = this.#kinds[depth - 1]!;
          if (depth === 1) {
            this.#flush(at, pending);
            this.#copyTo(pos);
            if (pos !== end) malformed(`function ${funcIndex}: code after the final "end"`);
            this.#finish(start, groupsEnd, groups, typeIndex, funcIndex, hasCall, out);
            return;
          }
          if (kind !== LOOP && (kind !== BLOCK || this.#targeted[depth - 1] === 1)) {
            this.#flush(at, pending);
            pending = 0;
          }
          // The then arm paid the if's charge and branched away: only the way around it comes
          // here, and it pays the charge with what follows.
          if (kind === IF && this.#ifSunk[depth - 1] === 1) pending = this.#ifAmount[depth - 1]!;
          if (kind === LOOP && this.#cum[depth - 1] !== this.#cum[depth - 2]) {
            this.#copyTo(at);
            this.#closeLoop();
          }
          depth--;
          continue;
        }
        case 0x0c: // br
        case 0x0d: {
          // br_if
          pending += plain[op]!;
          r.pos = pos;
          const label = r.u32();
          pos = r.pos;
          if (label >= depth) malformed(`function ${funcIndex}: branch depth ${label} out of range`);
          const target = depth - 1 - label;
          if (at === this.#countBackAt) {
            // A counted loop's back edge: its turns were charged before the loop.
            pending = 0;
            continue;
          }
          if (this.#counted[target] === 1) throw NOT_COUNTED;
          // A then arm of straight-line code that ends with `br`: it pays the if's charge here.
          const d = depth - 1;
          const last = bytes[pos];
          if (op === 0x0c && label !== 0 && (last === 0x0b || last === 0x05) && this.#sinkIf(d)) {
            pending += this.#ifAmount[d]!;
            this.#ifSunk[d] = 1;
          }
          this.#flush(at, pending);
          pending = 0;
          const out = this.#outLabel(depth, label);
          if (out !== label) {
            code.byte(op);
            code.u32(out);
            this.#copyFrom = pos;
          }
          // Branches to the function's label land after the body block, where the counter is saved.
          if (target !== 0) this.#targeted[target] = 1;
          continue;
        }
        case 0x0e: {
          // br_table
          pending += plain[op]!;
          this.#flush(at, pending);
          pending = 0;
          r.pos = pos;
          const count = r.u32();
          let shifted = false;
          for (let i = 0; i <= count; i++) {
            const label = r.u32();
            if (label >= depth) malformed(`function ${funcIndex}: branch depth ${label} out of range`);
            const target = depth - 1 - label;
            if (this.#counted[target] === 1) throw NOT_COUNTED;
            if (target !== 0) this.#targeted[target] = 1;
            if (this.#outLabel(depth, label) !== label) shifted = true;
          }
          if (shifted) {
            // Written again with every label moved out past the wrappers it crosses.
            r.pos = pos;
            r.u32();
            code.byte(op);
            code.u32(count);
            for (let i = 0; i <= count; i++) code.u32(this.#outLabel(depth, r.u32()));
            this.#copyFrom = r.pos;
          }
          pos = r.pos;
          continue;
        }
        case 0x0f: {
          // return
          pending += plain[op]!;
          const d = depth - 1;
          if ((bytes[pos] === 0x0b || bytes[pos] === 0x05) && this.#sinkIf(d)) {
            pending += this.#ifAmount[d]!;
            this.#ifSunk[d] = 1;
          }
          this.#flush(at, pending);
          pending = 0;
          if (passes) this.#fuelGet(code);
          else if (local) this.#save();
          continue;
        }
        case 0x10: // call
        case 0x12: {
          // return_call
          pending += plain[op]!;
          this.#flush(at, pending);
          pending = 0;
          hasCall = true;
          r.pos = pos;
          const index = r.u32();
          pos = r.pos;
          this.#copyFrom = pos;
          const target = index >= funcImports ? index + ctx.funcShift : index;
          const calleePasses = index >= funcImports && internal[index - funcImports] === 1;
          const tail = op === 0x12;
          if (tail && local) {
            ctx.found.tailCalls.push([funcIndex, index]);
            if (calleePasses !== passes) ctx.found.mismatch = true;
          }
          if (calleePasses) {
            // The counter travels as the last argument and comes back as the last result.
            this.#fuelGet(code);
            if (tail && passes) {
              code.byte(op);
              code.u32(target);
              continue;
            }
            code.byte(OP_CALL);
            code.u32(target);
            this.#fuelSet(code);
          } else if (!local) {
            code.byte(op);
            code.u32(target);
            continue;
          } else {
            this.#save();
            if (tail && !passes) {
              code.byte(op);
              code.u32(target);
              continue;
            }
            code.byte(OP_CALL);
            code.u32(target);
            this.#reload();
          }
          // A tail call across conventions becomes a call and a return here, but only in a
          // pass whose output is thrown away: `found.mismatch` makes the module pass run again
          // with both sides on one convention.
          if (tail) this.#writeReturn();
          continue;
        }
        case 0x11: // call_indirect
        case 0x13: {
          // return_call_indirect
          pending += plain[op]!;
          this.#flush(at, pending);
          pending = 0;
          hasCall = true;
          r.pos = pos;
          const type = r.u32();
          const table = r.u32();
          pos = r.pos;
          if (op === 0x13 && local) {
            ctx.found.tailIndirect.push([funcIndex, table, type]);
            if (ctx.indirectPasses(table, type) !== passes) ctx.found.mismatch = true;
          }
          if (local && ctx.indirectPasses(table, type)) {
            // Every function this can reach passes fuel: slip the counter under the index.
            const index = this.#scratchLocal(I32);
            code.byte(OP_LOCAL_SET);
            code.u32(index);
            this.#fuelGet(code);
            code.byte(OP_LOCAL_GET);
            code.u32(index);
            const tail = op === 0x13 && passes;
            code.byte(tail ? 0x13 : 0x11);
            code.u32(ctx.twinBase + type);
            code.u32(table);
            this.#copyFrom = pos;
            if (tail) continue;
            this.#fuelSet(code);
            if (op === 0x13) this.#writeReturn();
            continue;
          }
          if (local) this.#save();
          if (op === 0x13 && passes) {
            // Across conventions (a discarded pass, as for return_call): call, then return.
            code.byte(0x11);
            this.#copyFrom = at + 1;
            this.#copyTo(pos);
            this.#reload();
            this.#writeReturn();
            continue;
          }
          this.#copyTo(pos);
          if (local && op === 0x11) this.#reload();
          continue;
        }
        case 0x1c: {
          // select with types
          pending += plain[op]!;
          r.pos = pos;
          const count = r.u32();
          for (let i = 0; i < count; i++) skipValueType(r);
          pos = r.pos;
          continue;
        }
        case 0x25: // table.get
        case 0x26: {
          // table.set
          pending += plain[op]!;
          r.pos = pos;
          this.#tableUse(r.u32());
          pos = r.pos;
          continue;
        }
        case 0x3f: // memory.size
          pending += plain[op]!;
          pos = leb(bytes, pos);
          continue;
        case 0x40: {
          // memory.grow
          pending += plain[op]!;
          this.#flush(at, pending);
          pending = 0;
          r.pos = pos;
          const memory = r.u32();
          pos = r.pos;
          this.#memoryGrow(memory);
          this.#copyFrom = pos;
          continue;
        }
        case 0xd0: // ref.null heaptype
          pending += plain[op]!;
          r.pos = pos;
          r.s33();
          pos = r.pos;
          continue;
        case 0xd2: {
          // ref.func
          pending += plain[op]!;
          r.pos = pos;
          let index = r.u32();
          // An exported function's reference is its wrapper's. Any other reference to a
          // function that passes fuel could reach JavaScript or another table.
          index = ctx.wrapperOf(index) ?? index;
          if (index >= funcImports && internal[index - funcImports] === 1) ctx.found.functions.add(index);
          this.#copyTo(at);
          code.byte(op);
          code.u32(index >= ctx.funcImports ? index + ctx.funcShift : index);
          pos = this.#copyFrom = r.pos;
          continue;
        }
        case 0xfc: {
          r.pos = pos;
          const sub = r.u32();
          if (sub > 17) malformed(`function ${funcIndex}: unsupported instruction 0xfc ${sub}`);
          pending += this.#fc[sub]!;
          const model = ctx.costs.model;
          switch (sub) {
            case 8: // memory.init data mem
            case 10: // memory.copy mem mem
              r.u32();
              r.u32();
              this.#bulkCharge(at, model.bulkMemoryBytesPerFuel);
              break;
            case 11: // memory.fill mem
              r.u32();
              this.#bulkCharge(at, model.bulkMemoryBytesPerFuel);
              break;
            case 12: // table.init elem table
              r.u32();
              this.#tableUse(r.u32());
              this.#bulkCharge(at, model.bulkTableElementsPerFuel);
              break;
            case 14: // table.copy table table
              this.#tableUse(r.u32());
              this.#tableUse(r.u32());
              this.#bulkCharge(at, model.bulkTableElementsPerFuel);
              break;
            case 17: // table.fill table
              this.#tableUse(r.u32());
              this.#bulkCharge(at, model.bulkTableElementsPerFuel);
              break;
            case 15: {
              // table.grow table
              this.#flush(at, pending);
              pending = 0;
              const table = r.u32();
              this.#tableUse(table);
              this.#tableGrow(table, funcIndex);
              this.#copyFrom = r.pos;
              break;
            }
            case 9: // data.drop
            case 13: // elem.drop
            case 16: // table.size
              r.u32();
              break;
            default:
              break;
          }
          pos = r.pos;
          continue;
        }
        case 0xfd:
          pending += ctx.costs.simd;
          r.pos = pos;
          skipSimd(r, funcIndex);
          pos = r.pos;
          continue;
        case 0xfe:
          pending += ctx.costs.atomic;
          r.pos = pos;
          skipAtomic(r, funcIndex);
          pos = r.pos;
          continue;
        default:
          malformed(`function ${funcIndex}: unsupported opcode 0x${op.toString(16)}`);
      }
    }
  }

  /**
   * Write the body: local declarations (ours appended), the entry sequence, the code, the exit.
   * The original body runs inside two added blocks, `$trap` and `$body` (which takes the place
   * of the function's own label), so that a check is one `br_if` to the cold exhaustion path:
   *
   *   block $trap  block $body (result ...)  [entry check]  ...body...  end  [save] return  end
   *   [save] call $keel.fuel_exhausted  unreachable  end
   */
  #finish(
    start: number,
    groupsEnd: number,
    groups: number,
    typeIndex: number,
    funcIndex: number,
    hasCall: boolean,
    out: Writer,
  ): void {
    const ctx = this.#ctx;
    const head = this.#head;
    const local = ctx.strategy === 'local';
    head.reset();
    const added = this.#added;
    if (this.#nextLocal > MAX_LOCALS) malformed(`a function has too many locals to add the fuel counter`);
    head.u32(groups + added.length);
    // Original local groups, after their count.
    const r = this.#r;
    r.pos = start;
    r.u32();
    head.copy(this.#bytes, r.pos, groupsEnd);
    for (const type of added) {
      head.byte(1);
      head.byte(type);
    }
    if (local && !this.#passes) this.#reload(head);
    const restart = hasCall ? ctx.restartOf(funcIndex) : undefined;
    if (restart !== undefined) {
      head.byte(OP_BLOCK);
      head.byte(VOID);
    }
    head.byte(OP_BLOCK);
    const blockType = ctx.resultBlockTypes[typeIndex]!;
    head.copy(blockType, 0, blockType.length);
    if (restart !== undefined) this.#writeCheck(head, 1);
    else if (hasCall) this.#writeInlineCheck(head);

    const code = this.#code;
    this.#writeReturn();
    if (restart !== undefined) {
      // The entry check's refill: nothing has run yet, so the function starts again, through
      // a trampoline that refills and tail-calls it with the same arguments.
      code.byte(OP_END);
      if (local) this.#save();
      const params = ctx.paramCounts[typeIndex]! + (this.#passes ? 1 : 0);
      for (let i = 0; i < params; i++) {
        code.byte(OP_LOCAL_GET);
        code.u32(i);
      }
      code.byte(OP_RETURN_CALL);
      code.u32(restart);
    }
    code.byte(OP_END);

    out.u32(head.len + code.len);
    out.append(head);
    out.append(code);
  }

  /** Return from the function (results on the stack): with the counter, or after saving it. */
  #writeReturn(): void {
    if (this.#passes) this.#fuelGet(this.#code);
    else if (this.#ctx.strategy === 'local') this.#save();
    this.#code.byte(OP_RETURN);
  }

  /**
   * Whether the charge written before the `if` at depth `d` can move into its arms, and if so,
   * turn it into `nop`s: the caller then adds its amount to the charge it is about to write
   * (the then arm's first, and so far only, one) and the other way past the arm pays it too:
   * the `else` arm with its first charge, or, when the then arm ends with a branch away (`br`
   * to a label other than the `if`'s, or `return`) and has no `else`, the code after the `if`,
   * which then only the way around reaches. Only when no charge, branch, call or loop came
   * since the `if` (straight-line code), and only where that saves a charge on the arm's path
   * without adding code elsewhere: a then arm that ends with `br` or `return`, as in
   * `loop (if cond (then ... (br $loop)))`, the shape AssemblyScript and binaryen give loops,
   * or one that runs into an `else`. Every path pays exactly what it paid before.
   */
  #sinkIf(d: number): boolean {
    if (this.#kinds[d] !== IF || this.#flushes !== this.#ifFlushes[d] || this.#ifAmount[d] === 0)
      return false;
    this.#code.buf.fill(0x01, this.#ifFrom[d], this.#ifTo[d]);
    return true;
  }

  /** The code reads or changes `table`: it cannot be one whose calls pass fuel. */
  #tableUse(table: number): void {
    if (this.#ctx.closedTable(table)) this.#ctx.found.tables.add(table);
  }

  #push(depth: number, kind: number, added = 0): number {
    if (depth >= this.#kinds.length) {
      const kinds = new Uint8Array(this.#kinds.length * 2);
      kinds.set(this.#kinds);
      this.#kinds = kinds;
      const targeted = new Uint8Array(this.#targeted.length * 2);
      targeted.set(this.#targeted);
      this.#targeted = targeted;
      const counted = new Uint8Array(this.#counted.length * 2);
      counted.set(this.#counted);
      this.#counted = counted;
      const cum = new Int32Array(this.#cum.length * 2);
      cum.set(this.#cum);
      this.#cum = cum;
    }
    this.#kinds[depth] = kind;
    this.#targeted[depth] = 0;
    this.#counted[depth] = 0;
    this.#cum[depth] = this.#cum[depth - 1]! + added;
    return depth + 1;
  }

  #addLocal(type: number): number {
    this.#added.push(type);
    return this.#nextLocal++;
  }

  /** A scratch local of `type`, one per function and `slot` (for two of one type at once). */
  #scratchLocal(type: number, slot = 0): number {
    const key = type | (slot << 8);
    let index = this.#scratch.get(key);
    if (index === undefined) {
      index = this.#addLocal(type);
      this.#scratch.set(key, index);
    }
    return index;
  }

  /** Copy the input from the last copy point up to `to`. */
  #copyTo(to: number): void {
    this.#code.copy(this.#bytes, this.#copyFrom, to);
    this.#copyFrom = to;
  }

  /** Copy up to `at`, then charge `amount`. */
  #flush(at: number, amount: number): void {
    this.#flushes++;
    this.#copyTo(at);
    if (amount === 0) return;
    const code = this.#code;
    const local = this.#ctx.strategy === 'local';
    const index = local ? this.#fuelLocal : this.#ctx.fuelGlobal;
    if (index < 0x80 && amount < 0x40) {
      // The common case, written in one go: get, i64.const, i64.sub, set.
      code.reserve(7);
      const buf = code.buf;
      let len = code.len;
      buf[len++] = local ? OP_LOCAL_GET : OP_GLOBAL_GET;
      buf[len++] = index;
      buf[len++] = OP_I64_CONST;
      buf[len++] = amount;
      buf[len++] = OP_I64_SUB;
      buf[len++] = local ? OP_LOCAL_SET : OP_GLOBAL_SET;
      buf[len++] = index;
      code.len = len;
      return;
    }
    this.#fuelGet(code);
    code.byte(OP_I64_CONST);
    code.sleb(amount);
    code.byte(OP_I64_SUB);
    this.#fuelSet(code);
  }

  #fuelGet(w: Writer): void {
    if (this.#ctx.strategy === 'local') {
      w.byte(OP_LOCAL_GET);
      w.u32(this.#fuelLocal);
    } else {
      w.byte(OP_GLOBAL_GET);
      w.u32(this.#ctx.fuelGlobal);
    }
  }

  #fuelSet(w: Writer): void {
    if (this.#ctx.strategy === 'local') {
      w.byte(OP_LOCAL_SET);
      w.u32(this.#fuelLocal);
    } else {
      w.byte(OP_GLOBAL_SET);
      w.u32(this.#ctx.fuelGlobal);
    }
  }

  /** `local` strategy: write the counter back to the global. */
  #save(w: Writer = this.#code): void {
    w.byte(OP_LOCAL_GET);
    w.u32(this.#fuelLocal);
    w.byte(OP_GLOBAL_SET);
    w.u32(this.#ctx.fuelGlobal);
  }

  /** `local` strategy: read the counter from the global. */
  #reload(w: Writer = this.#code): void {
    w.byte(OP_GLOBAL_GET);
    w.u32(this.#ctx.fuelGlobal);
    w.byte(OP_LOCAL_SET);
    w.u32(this.#fuelLocal);
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
  #writePrecharge(loop: CountedLoop, before: number, start: number | undefined): void {
    const code = this.#code;
    if (start !== undefined) {
      // The variable's start is a constant: so is the charge.
      // Past 2^53 (more than any budget, or never ending) the check fails whatever the amount.
      const turns = turnsFrom(loop, start);
      const charge =
        turns === undefined ? undefined : turns * BigInt(loop.perTurn) + BigInt(loop.last + before);
      const amount = charge === undefined || charge >= 2n ** 53n ? UNENDING_LOOP_CHARGE : Number(charge);
      this.#fuelGet(code);
      code.byte(OP_I64_CONST);
      code.sleb(amount);
      code.byte(OP_I64_SUB);
      this.#fuelSet(code);
      this.#writeInlineCheck(code);
      if (turns !== undefined && turns > BigInt(chunkTurns(loop))) {
        const t = this.#scratchLocal(I64, 4);
        code.byte(OP_I64_CONST);
        code.sleb(Number(turns));
        code.byte(OP_LOCAL_SET);
        code.u32(t);
        this.#writeChunks(loop, t);
      }
      return;
    }
    const variable = this.#mapLocal(loop.variable);
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
        code.u32(this.#mapLocal(loop.boundLocal));
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
    const t = this.#scratchLocal(I64, 4);
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
    this.#fuelGet(code);
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
    this.#fuelSet(code);
    this.#writeInlineCheck(code);
    this.#writeChunks(loop, t);
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
   */
  #writeChunks(loop: CountedLoop, t: number): void {
    const code = this.#code;
    const turns = chunkTurns(loop);
    const k = this.#scratchLocal(I32, 5);
    code.byte(OP_BLOCK);
    code.byte(VOID);
    code.byte(OP_LOOP);
    code.byte(VOID);
    code.byte(OP_LOCAL_GET);
    code.u32(t);
    code.byte(OP_I64_CONST);
    code.sleb(turns);
    code.byte(OP_I64_LE_U);
    code.byte(OP_BR_IF);
    code.byte(1);
    code.byte(OP_I32_CONST);
    code.sleb(turns);
    code.byte(OP_LOCAL_SET);
    code.u32(k);
    code.byte(OP_LOOP);
    code.byte(VOID);
    if (loop.ifAt >= 0) {
      // while shape: H, the test it leaves, then B (the `if` and its block type are skipped).
      this.#copyStraight(loop.bodyAt, loop.ifAt);
      code.byte(OP_DROP);
      this.#copyStraight(loop.ifAt + 2, loop.backAt);
    } else {
      this.#copyStraight(loop.bodyAt, loop.backAt);
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
    this.#writeRefill(code);
    code.byte(OP_BR);
    code.byte(0);
    code.byte(OP_END);
    code.byte(OP_END);
  }

  /**
   * Copy straight-line code (what `countedLoop` accepted as H or B) from the input to the
   * output, its local and global indices renumbered as the rest of the body's are.
   */
  #copyStraight(from: number, to: number): void {
    const code = this.#code;
    const bytes = this.#bytes;
    const r = this.#r; // free here: the main loop reads through `pos`
    r.pos = from;
    while (r.pos < to) {
      const at = r.pos;
      const op = bytes[r.pos++]!;
      if (op === 0x20 || op === 0x21 || op === 0x22) {
        code.byte(op);
        code.u32(this.#mapLocal(r.u32()));
        continue;
      }
      if (op === 0x23 || op === 0x24) {
        const index = r.u32();
        code.byte(op);
        code.u32(index >= this.#ctx.globalImports ? index + 1 : index);
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

  /** A local is written (`local.set` or `local.tee` at `at`): track constants set to locals. */
  #noteWrite(op: number, index: number, at: number): void {
    if (op === OP_LOCAL_SET && at === this.#constEnd) {
      this.#knownLocal = index;
      this.#knownAt = this.#constAt;
      this.#knownFlushes = this.#flushes;
    } else if (index === this.#knownLocal) {
      this.#knownLocal = -1;
    }
  }

  /** The value `local` holds here if it was set from a constant in this straight line. */
  #knownStart(local: number): number | undefined {
    if (local !== this.#knownLocal || this.#knownFlushes !== this.#flushes) return undefined;
    const r = this.#r; // free here: the main loop reads through `pos`
    r.pos = this.#knownAt + 1;
    return r.s33() | 0;
  }

  /** A local's index in the output (see `#params`). */
  #mapLocal(index: number): number {
    return index >= this.#params ? index + 1 : index;
  }

  /** `br_if $refill (fuel < 0)`; `label` is the label index of the refill block where this is written. */
  #writeCheck(w: Writer, label: number): void {
    this.#fuelGet(w);
    w.byte(OP_I64_CONST);
    w.byte(0);
    w.byte(OP_I64_LT_S);
    w.byte(OP_BR_IF);
    w.u32(label);
  }

  /** `if (fuel < 0) refill`, in line: where a refill out of line would cost more than it saves. */
  #writeInlineCheck(w: Writer): void {
    this.#fuelGet(w);
    w.byte(OP_I64_CONST);
    w.byte(0);
    w.byte(OP_I64_LT_S);
    w.byte(OP_IF);
    w.byte(VOID);
    this.#writeRefill(w);
    w.byte(OP_END);
  }

  /** Call `keel.fuel_slice`, which refills the counter or throws, with the counter saved and reloaded. */
  #writeRefill(w: Writer): void {
    const local = this.#ctx.strategy === 'local';
    if (local) this.#save(w);
    w.byte(OP_CALL);
    w.u32(this.#ctx.fnFuelSlice);
    if (local) this.#reload(w);
  }

  /**
   * The label index, from `depth`, of what input label `label` names there: moved out past the
   * blocks the pass added inside the frames it crosses, its target's included.
   */
  #outLabel(depth: number, label: number): number {
    const target = depth - 1 - label;
    return label + this.#cum[depth - 1]! - (target > 0 ? this.#cum[target - 1]! : 0);
  }

  /**
   * Before the `end` of a loop whose check refills out of line:
   *
   *   loop  block $done (result)  block $refill  br_if $refill (fuel < 0)  ...body...
   *   br $done  end  refill  br $loop  end  end
   *
   * The check at the loop's header leaves the body for a refill out of line, then takes the
   * loop's own back edge to its header, where nothing of the body has run. No loop is added
   * (V8 compiles each with a stack check and treats it as a loop nest), and a hot loop keeps a
   * check of one branch.
   */
  #closeLoop(): void {
    const code = this.#code;
    code.byte(OP_BR);
    code.byte(1);
    code.byte(OP_END);
    this.#writeRefill(code);
    code.byte(OP_BR);
    code.byte(1);
    code.byte(OP_END);
  }

  /**
   * Charge for the operand count on top of the stack (an i32), one fuel per `unitsPerFuel`
   * units, and leave the operands as they were.
   */
  #bulkCharge(at: number, unitsPerFuel: number): void {
    if (unitsPerFuel === 0) return;
    this.#copyTo(at);
    const code = this.#code;
    const n = this.#scratchLocal(I32);
    code.byte(OP_LOCAL_TEE);
    code.u32(n);
    this.#fuelGet(code);
    code.byte(OP_LOCAL_GET);
    code.u32(n);
    code.byte(OP_I64_EXTEND_I32_U);
    if (unitsPerFuel > 1) {
      code.byte(OP_I64_CONST);
      if ((unitsPerFuel & (unitsPerFuel - 1)) === 0) {
        code.sleb(Math.log2(unitsPerFuel));
        code.byte(OP_I64_SHR_U);
      } else {
        code.sleb(unitsPerFuel);
        code.byte(OP_I64_DIV_U);
      }
    }
    code.byte(OP_I64_SUB);
    this.#fuelSet(code);
  }

  /**
   * After a grow whose result (`memory.grow`, `table.grow`: the old size, or -1) is on top of
   * the stack, charge `perUnit` fuel for each of the `delta` units it added: all of them if it
   * succeeded, none if it failed. The result stays on the stack.
   *
   * Only what was added is charged: a grow that fails does no work, and charging the units it
   * asked for would turn `memory.grow(-1)` (2^32 - 1 pages, which plain V8 answers with -1) into
   * 4.4 * 10^12 fuel, exhausting any budget where plain V8 goes on. A grow that succeeds adds
   * at most the sandbox's limit, so the charge stays far from the i64 range.
   */
  #growCharge(delta: number, perUnit: number): void {
    if (perUnit === 0) return;
    const code = this.#code;
    const result = this.#scratchLocal(I32, 1);
    code.byte(OP_LOCAL_TEE);
    code.u32(result);
    this.#fuelGet(code);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(OP_I32_CONST);
    code.byte(0);
    code.byte(OP_LOCAL_GET);
    code.u32(result);
    code.byte(OP_I32_CONST);
    code.byte(0x7f); // -1
    code.byte(OP_I32_NE);
    code.byte(OP_SELECT);
    code.byte(OP_I64_EXTEND_I32_U);
    if (perUnit !== 1) {
      code.byte(OP_I64_CONST);
      code.sleb(perUnit);
      code.byte(OP_I64_MUL);
    }
    code.byte(OP_I64_SUB);
    this.#fuelSet(code);
  }

  /**
   * `memory.grow` becomes: ask the host whether the new size is within the sandbox's limit,
   * grow or push -1, and charge per page added.
   */
  #memoryGrow(memory: number): void {
    const code = this.#code;
    const local = this.#ctx.strategy === 'local';
    const delta = this.#scratchLocal(I32);
    code.byte(OP_LOCAL_SET);
    code.u32(delta);
    if (local) this.#save();
    code.byte(OP_MEMORY_SIZE);
    code.u32(memory);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(OP_CALL);
    code.u32(this.#ctx.fnMemoryGrow);
    code.byte(OP_IF);
    code.byte(I32);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(OP_MEMORY_GROW);
    code.u32(memory);
    this.#growCharge(delta, this.#ctx.costs.model.memoryGrowPerPage);
    code.byte(OP_ELSE);
    code.byte(OP_I32_CONST);
    code.byte(0x7f); // -1
    code.byte(OP_END);
  }

  /** `table.grow` likewise, against the sandbox's table limit, charged per element added. */
  #tableGrow(table: number, funcIndex: number): void {
    const code = this.#code;
    const local = this.#ctx.strategy === 'local';
    const type =
      this.#ctx.tableTypes[table] ?? malformed(`function ${funcIndex}: table ${table} out of range`);
    const delta = this.#scratchLocal(I32);
    const init = this.#scratchLocal(type);
    code.byte(OP_LOCAL_SET);
    code.u32(delta);
    code.byte(OP_LOCAL_SET);
    code.u32(init);
    if (local) this.#save();
    code.byte(0xfc);
    code.u32(16); // table.size
    code.u32(table);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(OP_CALL);
    code.u32(this.#ctx.fnTableGrow);
    code.byte(OP_IF);
    code.byte(I32);
    code.byte(OP_LOCAL_GET);
    code.u32(init);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(0xfc);
    code.u32(15); // table.grow
    code.u32(table);
    this.#growCharge(delta, this.#ctx.costs.model.tableGrowPerElement);
    code.byte(OP_ELSE);
    code.byte(OP_I32_CONST);
    code.byte(0x7f);
    code.byte(OP_END);
  }
}

/** Turns of a counted loop in one chunk (see `#writeChunks`): `CHUNK_FUEL` of them, at least one. */
function chunkTurns(loop: CountedLoop): number {
  return Math.max(1, Math.floor(CHUNK_FUEL / loop.perTurn));
}

const TEST_OPCODES = {
  lt_s: OP_I32_LT_S,
  lt_u: OP_I32_LT_U,
  gt_s: OP_I32_GT_S,
  gt_u: OP_I32_GT_U,
} as const;

function skipMemarg(bytes: Uint8Array, pos: number): number {
  const align = bytes[pos]!;
  pos = leb(bytes, pos);
  if (align & 0x40) pos = leb(bytes, pos); // multi-memory: a memory index follows
  return leb(bytes, pos);
}

/** A block type: empty (0x40), one value type, or a type index (s33). */
function skipBlockType(r: Reader, pos: number): number {
  const b = r.bytes[pos];
  if (isShortBlockType(b)) return pos + 1;
  if (b === 0x63 || b === 0x64) malformed('typed references are not supported');
  r.pos = pos;
  const index = r.s33();
  if (index < 0) malformed(`unknown block type ${index}`);
  return r.pos;
}

/** Numeric, vector and reference value types (typed references and GC are not enabled in Node 20). */
export function skipValueType(r: Reader): number {
  const b = r.byte();
  if ((b >= 0x7b && b <= 0x7f) || b === 0x70 || b === 0x6f) return b;
  if (b === 0x63 || b === 0x64) malformed('typed references are not supported');
  return malformed(`unknown value type 0x${b.toString(16)}`);
}

function skipSimd(r: Reader, funcIndex: number): void {
  const sub = r.u32();
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) {
    skipMemargReader(r);
  } else if (sub === 0x0c || sub === 0x0d) {
    r.skip(16);
  } else if (sub >= 0x15 && sub <= 0x22) {
    r.skip(1);
  } else if (sub >= 0x54 && sub <= 0x5b) {
    skipMemargReader(r);
    r.skip(1);
  } else if (sub > 0x113) {
    malformed(`function ${funcIndex}: unsupported instruction 0xfd ${sub}`);
  }
}

function skipAtomic(r: Reader, funcIndex: number): void {
  const sub = r.u32();
  if (sub === 0x03) {
    r.skip(1);
  } else if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) {
    skipMemargReader(r);
  } else {
    malformed(`function ${funcIndex}: unsupported instruction 0xfe ${sub}`);
  }
}

function skipMemargReader(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32();
  r.skipLeb(10);
}
