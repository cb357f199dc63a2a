/**
 * Fuel injection into one function body, in a single pass over its instructions.
 *
 * Most bytes are copied as they are. The pass adds up the cost of the instructions it reads
 * and writes that sum as one charge ("flush") just before any instruction that can leave the
 * straight line (a branch, a call, `if`, `else`, a loop header, a join `end`), so every path
 * pays exactly the instructions it ran. It checks the counter at every loop header (an innermost
 * loop of straight-line code at its back edge: straight.ts; the turns of an outer loop that skip
 * its work, in a loop of their own, at its back edge: peeled.ts) and at the entry of a function
 * that calls outside any loop it checks at its header, which is enough: without a loop or a call no
 * path can come back to an instruction it has run, and a call inside a checked loop comes after
 * that loop's check in the same frame.
 *
 * Two strategies, same fuel counts. `local` (the default) keeps the counter in a local: a
 * function that never escapes gets it as an extra last parameter and hands it back as an extra
 * last result (`BodyContext.internal`); any other function loads it from the imported global
 * at entry and writes it back before anything that can leave the function or look at the
 * counter (calls that do not pass it, returns, throws, grows). `global` charges the imported
 * global directly. A check is `br_if $trap (fuel < 0)` to a cold exit at the end of the
 * function (see `#finish`). docs/fuel.md has the whole picture.
 */
import { keepShapes, malformed, Writer } from './binary.js';
import { DEFAULT_COSTS } from './costs.js';
import { countedLoop, isShortBlockType } from './counted.js';
import { type BodyContext, FuelEmitter } from './emit.js';
import {
  I32,
  I64,
  leb,
  OP_BLOCK,
  OP_CALL,
  OP_END,
  OP_LOCAL_GET,
  OP_LOCAL_SET,
  OP_RETURN_CALL,
  skipAtomic,
  skipBlockType,
  skipMemarg,
  skipSimd,
  skipValueType,
  VOID,
} from './instructions.js';
import { OUTLINE_FLOOR, outlineLoop } from './outlined.js';
import { noLeaks } from './passing.js';
import { type PeeledLoop, peeledLoop, writePeeledHead, writePeeledTail } from './peeled.js';
import { writePrecharge } from './precharge.js';
import { straightLoop, writeStraight } from './straight.js';
import { stridedLoop, writeStrided } from './strided.js';

export type { BodyContext } from './emit.js';

/** V8's limit on locals per function. */
export const MAX_LOCALS = 50_000;

// Kinds of frame on the control stack.
const FUNC = 0;
const BLOCK = 1;
const LOOP = 2;
const IF = 3;
const ELSE = 4;
const TRY = 5;
const CATCH = 6;

/**
 * Thrown when something other than its back edge branches to a loop charged as counted: the
 * body is rewritten again without counted loops.
 */
const NOT_COUNTED = Symbol('not counted');

/** Rewrites function bodies; one per module, reused for every body. */
export class BodyRewriter extends FuelEmitter {
  readonly #plain: Uint32Array;
  readonly #fc: Uint32Array;
  readonly #head = new Writer(256);
  #kinds = new Uint8Array(64);
  #targeted = new Uint8Array(64);
  /** By depth: 1 for a loop charged as counted (only its back edge may branch to it). */
  #counted = new Uint8Array(64);
  /**
   * By depth: how many blocks the pass added inside the frames up to this one (two in a loop
   * whose check refills out of line, see `closeLoop`). A branch crosses those of every frame
   * from its own out to its target's, and its label moves out by as many.
   */
  #cum = new Int32Array(64);
  /**
   * By depth: the peeled loop (peeled.ts) whose X this frame holds, and the floor it replaced.
   * No branch inside X may leave X's frame (`#floor`): one that does, or an `else` of X's `if`,
   * rewrites the body again without counted loops, as a branch into a counted loop does.
   */
  #peel: (PeeledLoop | undefined)[] = [];
  #floors: number[] = [];
  #floor = 0;
  /**
   * The straight loops written in this body (`writeStraight`'s marks) and, by depth, for a loop
   * checked at its header: where it starts in `code` (-1 if it cannot be outlined), where its
   * body starts, and its first mark (outlined.ts).
   */
  readonly #marks: number[] = [];
  readonly #outlineScratch = new Writer(256);
  #loopAt: number[] = [];
  #loopBodyAt: number[] = [];
  #marksFrom: number[] = [];
  /** Bytes the peeled loops' look aheads may still read in this body (peeled.ts). */
  readonly #lookAhead = { left: 0 };
  /**
   * Bytes the outlined loops' copies may still add to this module (outlined.ts): its own size,
   * at least `OUTLINE_FLOOR`. Per pass: the same input always gets the same output.
   */
  readonly #outlineBudget = { left: 0 };
  /** Whether this rewrite charges counted loops (off on the second try of a body). */
  #counting = false;
  /** The `if` and the back edge of the counted loop being read, whose charges were made before it. */
  #countIfAt = -1;
  #countBackAt = -1;
  /** Where the last `i32.const` starts and ends. */
  #constAt = -1;
  #constEnd = -1;
  /**
   * A local set from an `i32.const` (its opcode at `#knownAt`) in the straight-line code still
   * running (`flushes` then was `#knownFlushes`), and not written since: a loop that starts
   * here starts with that value.
   */
  #knownLocal = -1;
  #knownAt = -1;
  #knownFlushes = -1;
  /**
   * By depth, for an `if`: where the charge written just before it lies in `code`, its amount,
   * `flushes` after it, and whether the charge was moved into the arms (`#sinkIf`).
   */
  #ifFrom: number[] = [];
  #ifTo: number[] = [];
  #ifAmount: number[] = [];
  #ifFlushes: number[] = [];
  #ifSunk: number[] = [];
  /**
   * The body being read: the cost of what was read since the last charge (the main loop keeps
   * it in a local and hands it over here around the instructions it does not handle in line),
   * the depth of the control stack, which function it is, where it ends.
   */
  #pending = 0;
  #depth = 0;
  /**
   * Loops around the instruction being read whose header checks the counter (not counted), and
   * whether a call stands outside all of them: only then does the function check at its entry.
   */
  #checkedLoops = 0;
  #uncheckedCall = false;
  #funcIndex = 0;
  #end = 0;
  /** Local declaration groups of the body, and where they end. */
  #groups = 0;
  #groupsEnd = 0;

  constructor(ctx: BodyContext) {
    super(ctx);
    this.#outlineBudget.left = Math.max(OUTLINE_FLOOR, ctx.bytes.length);
    this.#plain = ctx.costs.plain;
    this.#fc = ctx.costs.fc;
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
    const found = this.ctx.found;
    const tailCalls = found.tailCalls.length;
    const tailIndirect = found.tailIndirect.length;
    try {
      this.#rewriteBody(start, end, typeIndex, funcIndex, passes, out, this.ctx.countedLoops);
    } catch (error) {
      if (error !== NOT_COUNTED) throw error;
      found.tailCalls.length = tailCalls;
      found.tailIndirect.length = tailIndirect;
      this.#rewriteBody(start, end, typeIndex, funcIndex, passes, out, false);
    }
  }

  /** Read the local declarations and reset the state for a body; returns where its code starts. */
  #begin(
    start: number,
    end: number,
    typeIndex: number,
    funcIndex: number,
    passes: boolean,
    counting: boolean,
  ): number {
    const ctx = this.ctx;
    const r = this.r;
    this.code.reset();
    r.pos = start;
    r.end = end;

    // Locals: keep the declarations, append ours after them.
    const groups = r.u32();
    const paramCount = ctx.paramCounts[typeIndex] ?? malformed(`function ${funcIndex} has an unknown type`);
    let locals = paramCount;
    for (let i = 0; i < groups; i++) {
      locals += r.u32();
      if (locals > MAX_LOCALS) malformed(`function ${funcIndex} declares more than ${MAX_LOCALS} locals`);
      skipValueType(r);
    }
    this.#groups = groups;
    this.#groupsEnd = r.pos;
    this.added.length = 0;
    this.scratch.clear();
    this.passes = passes;
    // A function that passes fuel gets it as its last parameter (its locals from there move up by
    // one); any other, under the local strategy, a local of its own. Both kinds run the same
    // loads, stores and additions here: V8 optimizes the main loop (this is inlined there) having
    // seen one kind, and a site only the other reached had no type feedback, so the first function
    // of the other kind deoptimized the loop.
    const params = passes ? paramCount : MAX_LOCALS + 1;
    this.params = params;
    this.nextLocal = locals + (passes ? 1 : 0);
    this.fuelLocal = passes ? params : ctx.strategy === 'local' ? this.addLocal(I64) : this.fuelLocal;
    this.#counting = counting;
    this.#countIfAt = -1;
    this.#countBackAt = -1;
    this.#constEnd = -1;
    this.#knownLocal = -1;
    this.copyFrom = r.pos;
    this.#pending = 0;
    this.#depth = 1;
    this.#kinds[0] = FUNC;
    this.#checkedLoops = 0;
    this.#uncheckedCall = false;
    this.#floor = 0;
    this.#lookAhead.left = end - start;
    this.#marks.length = 0;
    this.#funcIndex = funcIndex;
    this.#end = end;
    return r.pos;
  }

  /**
   * The main loop: instructions that only add to the pending charge are handled in line;
   * the others (control, calls, grows, bulk operations) by `#instruction`. The one function of
   * host/meter over two screens, on purpose: one flat switch is the pass's speed (a version with
   * loads and stores and rare immediates moved out could not be shown as fast, issue 17).
   */
  #rewriteBody(
    start: number,
    end: number,
    typeIndex: number,
    funcIndex: number,
    passes: boolean,
    out: Writer,
    counting: boolean,
  ): void {
    let pos = this.#begin(start, end, typeIndex, funcIndex, passes, counting);
    const ctx = this.ctx;
    const bytes = this.bytes;
    const r = this.r;
    const plain = this.#plain;
    const code = this.code;
    const params = this.params;
    const globalImports = ctx.globalImports;
    let pending = 0;

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
        case 0x22:
        case 0x23:
        case 0x24: {
          // Locals from `params` on move up by one, globals from the imported ones on. One case
          // for both: V8 optimizes this loop after the first bodies, and a case none of them had
          // (a module's first `global.get` after bodies without one) deoptimized the whole loop.
          pending += plain[op]!;
          const moved = op < 0x23 ? params : globalImports;
          const writes = op === 0x21 || op === 0x22;
          const b = bytes[pos]!;
          if (b < 0x80 && b < moved) {
            pos++;
            if (writes) this.#noteWrite(op, b, at);
            continue;
          }
          r.pos = pos;
          const index = r.u32();
          if (writes) this.#noteWrite(op, index, at);
          if (index >= moved) {
            this.copyTo(at);
            code.byte(op);
            code.u32(index + 1);
            this.copyFrom = r.pos;
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
        case 0x42:
        case 0x43:
        case 0x44:
        case 0x3f: {
          // The constants and memory.size in one case, for the reason above: a body's first
          // i64.const, f32.const, f64.const or memory.size runs the sites i32.const has run.
          pending += plain[op]!;
          const after = pos + (op === 0x43 ? 4 : op === 0x44 ? 8 : leb(bytes, pos) - pos);
          if (op === 0x41) {
            this.#constAt = at;
            this.#constEnd = after;
          }
          pos = after;
          continue;
        }
        case 0x00: // unreachable
        case 0x01: // nop
        case 0x1a: // drop
        case 0x1b: // select
        case 0xd1: // ref.is_null
          pending += plain[op]!;
          continue;
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
          this.tableUse(r.u32());
          pos = r.pos;
          continue;
        }
        case 0xd0: // ref.null heaptype
          pending += plain[op]!;
          r.pos = pos;
          r.s33();
          pos = r.pos;
          continue;
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
          this.#pending = pending + (op === 0xfc ? 0 : plain[op]!);
          pos = this.#instruction(op, at, pos);
          pending = this.#pending;
          if (this.#depth === 0) {
            this.#finish(start, typeIndex, funcIndex, out);
            return;
          }
      }
    }
  }

  /** One instruction that can leave the straight line, or that the pass rewrites. */
  #instruction(op: number, at: number, pos: number): number {
    switch (op) {
      case 0x02: // block
        pos = skipBlockType(this.r, pos);
        this.#push(BLOCK);
        return pos;
      case 0x03:
        return this.#loop(at, pos);
      case 0x04:
        return this.#if(at, pos);
      case 0x05:
        this.#else(at);
        return pos;
      case 0x06: // try
        this.flush(at, this.#pending);
        this.#pending = 0;
        pos = skipBlockType(this.r, pos);
        this.#push(TRY);
        return pos;
      case 0x07: // catch tag
      case 0x19: // catch_all
        return this.#catch(op, at, pos);
      case 0x08: // throw tag
      case 0x09: // rethrow label
        return this.#throw(op, at, pos);
      case 0x18:
        return this.#delegate(op, at, pos);
      case 0x0b:
        return this.#endOf(at, pos);
      case 0x0c: // br
      case 0x0d: // br_if
        return this.#br(op, at, pos);
      case 0x0e:
        return this.#brTable(op, at, pos);
      case 0x0f:
        this.#return(at, pos);
        return pos;
      case 0x10: // call
      case 0x12: // return_call
        return this.#call(op, at, pos);
      case 0x11: // call_indirect
      case 0x13: // return_call_indirect
        return this.#callIndirect(op, at, pos);
      case 0x40:
        return this.#memoryGrowAt(at, pos);
      case 0xd2:
        return this.#refFunc(op, at, pos);
      case 0xfc:
        return this.#prefixedFC(at, pos);
      default:
        return malformed(`function ${this.#funcIndex}: unsupported opcode 0x${op.toString(16)}`);
    }
  }

  /**
   * `loop`: a join point; check the counter at its header, or charge a counted loop's every
   * turn before it and check then.
   */
  #loop(at: number, pos: number): number {
    const bytes = this.bytes;
    const code = this.code;
    pos = skipBlockType(this.r, pos);
    const found = this.#counting ? countedLoop(bytes, pos, this.#end, this.ctx.costs) : undefined;
    const strided =
      this.#counting && !found ? stridedLoop(bytes, at, pos, this.#end, this.ctx.costs) : undefined;
    if (strided) {
      // The whole loop is written here, twice (strided.ts); the walk goes on after its `end`.
      this.flushes++;
      this.copyTo(at);
      writeStrided(this, strided, this.#pending);
      this.#pending = strided.exit;
      return strided.after;
    }
    const start = found?.boundLocal === -1 ? this.#knownStart(found.variable) : undefined;
    // A few-turn loop is worth counting only when its count is a constant.
    const counted = found && (start !== undefined || !found.fewTurns) ? found : undefined;
    const straight = counted ? undefined : straightLoop(bytes, at, pos, this.#end, this.ctx.costs);
    if (straight) {
      // Written whole, checked at its back edge with the refill outside it (straight.ts).
      this.flushes++;
      this.copyTo(at);
      this.#pending = writeStraight(this, straight, this.#pending, this.#marks);
      return straight.after;
    }
    const peeled =
      this.#counting && !counted
        ? peeledLoop(bytes, at, pos, this.#end, this.ctx.costs, this.#lookAhead)
        : undefined;
    if (peeled) return this.#peelLoop(at, peeled);
    if (counted) {
      // The charge of the code before the loop joins the loop's.
      this.flushes++;
      this.copyTo(at);
      writePrecharge(this, counted, this.#pending, start);
    } else {
      this.flush(at, this.#pending);
    }
    this.#pending = 0;
    if (counted) {
      this.#push(LOOP);
      this.copyTo(pos);
      this.#counted[this.#depth - 1] = 1;
      this.#countIfAt = counted.ifAt;
      this.#countBackAt = counted.backAt;
    } else if (isShortBlockType(bytes[at + 1])) {
      // loop  block $done (result)  block $refill  br_if $refill (fuel < 0) ...: see `closeLoop`.
      this.#checkedLoops++;
      this.#push(LOOP, 2);
      this.copyTo(pos);
      const d = this.#depth - 1;
      // Only a loop without results, and as peeled loops, only where counted loops are.
      this.#loopAt[d] = this.#counting && bytes[at + 1] === VOID ? code.len - 2 : -1;
      code.reserve(4);
      code.byte(OP_BLOCK);
      code.byte(bytes[at + 1]!);
      code.byte(OP_BLOCK);
      code.byte(VOID);
      this.writeCheck(code, 0);
      this.#loopBodyAt[d] = code.len;
      this.#marksFrom[d] = this.#marks.length;
    } else {
      // A loop with parameters cannot be entered again: its check refills inline.
      this.#checkedLoops++;
      this.#push(LOOP);
      this.copyTo(pos);
      this.writeInlineCheck(this.code);
    }
    return pos;
  }

  /**
   * `if`: charged before it, unless `#sinkIf` moves the charge into its arms later (or the
   * counted loop it tests was charged for it).
   */
  #if(at: number, pos: number): number {
    const depth = this.#depth;
    this.copyTo(at);
    this.#ifFrom[depth] = this.code.len;
    if (at === this.#countIfAt) this.#pending = 0;
    else this.flush(at, this.#pending);
    this.#ifTo[depth] = this.code.len;
    this.#ifAmount[depth] = this.#pending;
    this.#ifFlushes[depth] = this.flushes;
    this.#ifSunk[depth] = 0;
    this.#pending = 0;
    pos = skipBlockType(this.r, pos);
    this.#push(IF);
    return pos;
  }

  #else(at: number): void {
    const d = this.#depth - 1;
    if (this.#kinds[d] !== IF) malformed(`function ${this.#funcIndex}: "else" outside "if"`);
    if (this.#peel[d]) throw NOT_COUNTED;
    // The then arm paid the if's charge (at its `br`), or pays it now; then so does the
    // else arm, with its own first charge.
    let sunk = this.#ifSunk[d] === 1;
    if (!sunk && this.#sinkIf(d)) {
      this.#pending += this.#ifAmount[d]!;
      sunk = true;
    }
    this.flush(at, this.#pending);
    this.#pending = sunk ? this.#ifAmount[d]! : 0;
    this.#ifSunk[d] = 0;
    this.#kinds[d] = ELSE;
  }

  #catch(op: number, at: number, pos: number): number {
    const kind = this.#kinds[this.#depth - 1];
    if (kind !== TRY && kind !== CATCH) malformed(`function ${this.#funcIndex}: "catch" outside "try"`);
    this.flush(at, this.#pending);
    this.#pending = 0;
    if (op === 0x07) pos = leb(this.bytes, pos);
    this.#kinds[this.#depth - 1] = CATCH;
    if (this.ctx.strategy === 'local') {
      // A callee may have charged the global before it threw.
      this.copyTo(pos);
      this.reload();
    }
    return pos;
  }

  #delegate(op: number, at: number, pos: number): number {
    if (this.#kinds[this.#depth - 1] !== TRY)
      malformed(`function ${this.#funcIndex}: "delegate" outside "try"`);
    this.flush(at, this.#pending);
    this.#pending = 0;
    const depth = --this.#depth;
    const r = this.r;
    r.pos = pos;
    // The label counts from outside the `try`.
    const label = r.u32();
    if (label >= depth) malformed(`function ${this.#funcIndex}: delegate depth ${label} out of range`);
    if (depth - 1 - label < this.#floor) throw NOT_COUNTED;
    const out = this.#outLabel(depth, label);
    if (out !== label) {
      this.code.byte(op);
      this.code.u32(out);
      this.copyFrom = r.pos;
    }
    return r.pos;
  }

  #throw(op: number, at: number, pos: number): number {
    this.flush(at, this.#pending);
    this.#pending = 0;
    if (this.ctx.strategy === 'local') this.save();
    const r = this.r;
    r.pos = pos;
    const index = r.u32();
    if (op === 0x09) {
      const depth = this.#depth;
      if (index >= depth) malformed(`function ${this.#funcIndex}: rethrow depth ${index} out of range`);
      if (depth - 1 - index < this.#floor) throw NOT_COUNTED;
      const out = this.#outLabel(depth, index);
      if (out !== index) {
        this.copyTo(at);
        this.code.byte(op);
        this.code.u32(out);
        this.copyFrom = r.pos;
      }
    }
    return r.pos;
  }

  /** `end`: of a block, a loop, an `if`, a `try`, or of the function (depth drops to 0). */
  #endOf(at: number, pos: number): number {
    const depth = this.#depth;
    const kind = this.#kinds[depth - 1]!;
    if (depth === 1) {
      this.flush(at, this.#pending);
      this.copyTo(pos);
      if (pos !== this.#end) malformed(`function ${this.#funcIndex}: code after the final "end"`);
      this.#depth = 0;
      return pos;
    }
    if (kind !== LOOP && (kind !== BLOCK || this.#targeted[depth - 1] === 1)) {
      this.flush(at, this.#pending);
      this.#pending = 0;
    }
    // The then arm paid the if's charge and branched away: only the way around it comes
    // here, and it pays the charge with what follows.
    if (kind === IF && this.#ifSunk[depth - 1] === 1) this.#pending = this.#ifAmount[depth - 1]!;
    if (kind === LOOP && this.#cum[depth - 1] !== this.#cum[depth - 2]) {
      this.copyTo(at);
      const bodyEnd = this.code.len;
      this.closeLoop();
      // Its refills out of it, if it is of the shape (outlined.ts); its straight loops are done.
      const d = depth - 1;
      const from = this.#marksFrom[d]!;
      const loopAt = this.#loopAt[d]!;
      if (loopAt >= 0)
        outlineLoop(
          this,
          this.#outlineScratch,
          this.#outlineBudget,
          loopAt,
          this.#loopBodyAt[d]!,
          bodyEnd,
          this.#marks,
          from,
        );
      this.#marks.length = from;
    }
    if (kind === LOOP && this.#counted[depth - 1] === 0) this.#checkedLoops--;
    this.#depth = depth - 1;
    const peeled = this.#peel[depth - 1];
    return peeled ? this.#closePeel(peeled, at, pos) : pos;
  }

  /**
   * A peeled loop (peeled.ts): its head and the turn that skips X written here; the rewriter
   * then reads X in frames that stand for the loop, the `while` shape's first `if`, and X's own
   * `if` or `block` (written as a `block`), which no branch inside X may leave.
   */
  #peelLoop(at: number, loop: PeeledLoop): number {
    // The code before the loop and the `loop`, as at any loop's header.
    this.flush(at, this.#pending);
    this.#pending = 0;
    writePeeledHead(this, loop);
    this.#checkedLoops++;
    this.#push(LOOP);
    this.#counted[this.#depth - 1] = 1;
    if (!loop.isDo) {
      this.#push(BLOCK);
      this.#counted[this.#depth - 1] = 1;
    }
    const d = this.#depth;
    if (loop.isDo) {
      this.#push(BLOCK);
      // A's `br_if 0` targets it: its `end` charges what X ran since its last charge.
      this.#targeted[d] = 1;
    } else {
      this.#push(IF);
      // Nothing to move into the arm: A's charge is made on the turn's way, before X.
      this.#ifAmount[d] = 0;
      this.#ifSunk[d] = 0;
      this.#ifFlushes[d] = this.flushes;
    }
    this.#peel[d] = loop;
    this.#floors[d] = this.#floor;
    this.#floor = d;
    return loop.workAt;
  }

  /** At X's `end`: the rest of the loop written (peeled.ts); the walk goes on after the loop. */
  #closePeel(loop: PeeledLoop, at: number, pos: number): number {
    const d = this.#depth;
    this.#peel[d] = undefined;
    // Where the look ahead saw X end, or the head written is not this loop's.
    if (at !== loop.workEnd) throw NOT_COUNTED;
    this.#floor = this.#floors[d]!;
    this.copyTo(pos);
    this.flushes++;
    this.#pending = writePeeledTail(this, loop);
    this.#depth = d - (loop.isDo ? 1 : 2);
    this.#checkedLoops--;
    return loop.after;
  }

  /** `br` and `br_if`. */
  #br(op: number, at: number, pos: number): number {
    const depth = this.#depth;
    const r = this.r;
    r.pos = pos;
    const label = r.u32();
    pos = r.pos;
    if (label >= depth) malformed(`function ${this.#funcIndex}: branch depth ${label} out of range`);
    const target = depth - 1 - label;
    if (target < this.#floor) throw NOT_COUNTED;
    if (at === this.#countBackAt) {
      // A counted loop's back edge: its turns were charged before the loop.
      this.#pending = 0;
      return pos;
    }
    if (this.#counted[target] === 1) throw NOT_COUNTED;
    // A then arm of straight-line code that ends with `br`: it pays the if's charge here.
    const d = depth - 1;
    const last = this.bytes[pos];
    if (op === 0x0c && label !== 0 && (last === 0x0b || last === 0x05) && this.#sinkIf(d)) {
      this.#pending += this.#ifAmount[d]!;
      this.#ifSunk[d] = 1;
    }
    this.flush(at, this.#pending);
    this.#pending = 0;
    const out = this.#outLabel(depth, label);
    if (out !== label) {
      this.code.byte(op);
      this.code.u32(out);
      this.copyFrom = pos;
    }
    // Branches to the function's label land after the body block, where the counter is saved.
    if (target !== 0) this.#targeted[target] = 1;
    return pos;
  }

  #brTable(op: number, at: number, pos: number): number {
    const depth = this.#depth;
    const r = this.r;
    this.flush(at, this.#pending);
    this.#pending = 0;
    r.pos = pos;
    const count = r.u32();
    let shifted = false;
    for (let i = 0; i <= count; i++) {
      const label = r.u32();
      if (label >= depth) malformed(`function ${this.#funcIndex}: branch depth ${label} out of range`);
      const target = depth - 1 - label;
      if (this.#counted[target] === 1 || target < this.#floor) throw NOT_COUNTED;
      if (target !== 0) this.#targeted[target] = 1;
      if (this.#outLabel(depth, label) !== label) shifted = true;
    }
    if (shifted) {
      // Written again with every label moved out past the wrappers it crosses.
      const code = this.code;
      r.pos = pos;
      r.u32();
      code.byte(op);
      code.u32(count);
      for (let i = 0; i <= count; i++) code.u32(this.#outLabel(depth, r.u32()));
      this.copyFrom = r.pos;
    }
    return r.pos;
  }

  #return(at: number, pos: number): void {
    const d = this.#depth - 1;
    const bytes = this.bytes;
    // Per-turn metering would move A's charge into this arm (`#sinkIf`): the same fuel on every
    // path that ends, but not on one that traps first. Rewritten without peeling.
    const peeled = this.#peel[d];
    if (peeled && !peeled.isDo && this.flushes === this.#ifFlushes[d] && bytes[pos] === 0x0b)
      throw NOT_COUNTED;
    if ((bytes[pos] === 0x0b || bytes[pos] === 0x05) && this.#sinkIf(d)) {
      this.#pending += this.#ifAmount[d]!;
      this.#ifSunk[d] = 1;
    }
    this.flush(at, this.#pending);
    this.#pending = 0;
    if (this.passes) this.fuelGet(this.code);
    else if (this.ctx.strategy === 'local') this.save();
  }

  /** `call` and `return_call`: the counter passed along, or saved and reloaded around it. */
  #call(op: number, at: number, pos: number): number {
    const ctx = this.ctx;
    const code = this.code;
    const local = ctx.strategy === 'local';
    const passes = this.passes;
    const funcImports = ctx.funcImports;
    this.flush(at, this.#pending);
    this.#pending = 0;
    if (this.#checkedLoops === 0) this.#uncheckedCall = true;
    const r = this.r;
    r.pos = pos;
    const index = r.u32();
    pos = r.pos;
    this.copyFrom = pos;
    const target = index >= funcImports ? index + ctx.funcShift : index;
    const calleePasses = index >= funcImports && ctx.internal[index - funcImports] === 1;
    const tail = op === 0x12;
    if (tail && local) {
      ctx.found.tailCalls.push([this.#funcIndex, index]);
      if (calleePasses !== passes) ctx.found.mismatch = true;
    }
    if (calleePasses) {
      // The counter travels as the last argument and comes back as the last result.
      this.fuelGet(code);
      if (tail && passes) {
        code.byte(op);
        code.u32(target);
        return pos;
      }
      code.byte(OP_CALL);
      code.u32(target);
      this.fuelSet(code);
    } else if (!local) {
      code.byte(op);
      code.u32(target);
      return pos;
    } else {
      this.save();
      if (tail && !passes) {
        code.byte(op);
        code.u32(target);
        return pos;
      }
      code.byte(OP_CALL);
      code.u32(target);
      this.reload();
    }
    // A tail call across conventions becomes a call and a return here, but only in a
    // pass whose output is thrown away: `found.mismatch` makes the module pass run again
    // with both sides on one convention.
    if (tail) this.writeReturn();
    return pos;
  }

  /** `call_indirect` and `return_call_indirect`. */
  #callIndirect(op: number, at: number, pos: number): number {
    const ctx = this.ctx;
    const code = this.code;
    const local = ctx.strategy === 'local';
    const passes = this.passes;
    this.flush(at, this.#pending);
    this.#pending = 0;
    if (this.#checkedLoops === 0) this.#uncheckedCall = true;
    const r = this.r;
    r.pos = pos;
    const type = r.u32();
    const table = r.u32();
    pos = r.pos;
    if (op === 0x13 && local) {
      ctx.found.tailIndirect.push([this.#funcIndex, table, type]);
      if (ctx.indirectPasses(table, type) !== passes) ctx.found.mismatch = true;
    }
    if (local && ctx.indirectPasses(table, type)) {
      // Every function this can reach passes fuel: slip the counter under the index.
      const index = this.scratchLocal(I32);
      code.byte(OP_LOCAL_SET);
      code.u32(index);
      this.fuelGet(code);
      code.byte(OP_LOCAL_GET);
      code.u32(index);
      const tail = op === 0x13 && passes;
      code.byte(tail ? 0x13 : 0x11);
      code.u32(ctx.twinBase + type);
      code.u32(table);
      this.copyFrom = pos;
      if (tail) return pos;
      this.fuelSet(code);
      if (op === 0x13) this.writeReturn();
      return pos;
    }
    if (local) this.save();
    if (op === 0x13 && passes) {
      // Across conventions (a discarded pass, as for return_call): call, then return.
      code.byte(0x11);
      this.copyFrom = at + 1;
      this.copyTo(pos);
      this.reload();
      this.writeReturn();
      return pos;
    }
    this.copyTo(pos);
    if (local && op === 0x11) this.reload();
    return pos;
  }

  #memoryGrowAt(at: number, pos: number): number {
    this.flush(at, this.#pending);
    this.#pending = 0;
    const r = this.r;
    r.pos = pos;
    const memory = r.u32();
    pos = r.pos;
    this.memoryGrow(memory);
    this.copyFrom = pos;
    return pos;
  }

  /** `ref.func`: an exported function's reference is its wrapper's. */
  #refFunc(op: number, at: number, pos: number): number {
    const ctx = this.ctx;
    const r = this.r;
    r.pos = pos;
    let index = r.u32();
    // Any other reference to a function that passes fuel could reach JavaScript or another table.
    index = ctx.wrapperOf(index) ?? index;
    if (index >= ctx.funcImports && ctx.internal[index - ctx.funcImports] === 1)
      ctx.found.functions.add(index);
    this.copyTo(at);
    this.code.byte(op);
    this.code.u32(index >= ctx.funcImports ? index + ctx.funcShift : index);
    this.copyFrom = r.pos;
    return r.pos;
  }

  /** The 0xfc prefix: saturating truncations, bulk memory and table operations, `table.grow`. */
  #prefixedFC(at: number, pos: number): number {
    const r = this.r;
    r.pos = pos;
    const sub = r.u32();
    if (sub > 17) malformed(`function ${this.#funcIndex}: unsupported instruction 0xfc ${sub}`);
    this.#pending += this.#fc[sub]!;
    const model = this.ctx.costs.model;
    switch (sub) {
      case 8: // memory.init data mem
      case 10: // memory.copy mem mem
        r.u32();
        r.u32();
        this.bulkCharge(at, model.bulkMemoryBytesPerFuel);
        break;
      case 11: // memory.fill mem
        r.u32();
        this.bulkCharge(at, model.bulkMemoryBytesPerFuel);
        break;
      case 12: // table.init elem table
        r.u32();
        this.tableUse(r.u32());
        this.bulkCharge(at, 1, model.bulkTableFuelPerElement);
        break;
      case 14: // table.copy table table
        this.tableUse(r.u32());
        this.tableUse(r.u32());
        this.bulkCharge(at, 1, model.bulkTableFuelPerElement);
        break;
      case 17: // table.fill table
        this.tableUse(r.u32());
        this.bulkCharge(at, 1, model.bulkTableFuelPerElement);
        break;
      case 15: {
        // table.grow table
        this.flush(at, this.#pending);
        this.#pending = 0;
        const table = r.u32();
        this.tableUse(table);
        this.tableGrow(table, this.#funcIndex);
        this.copyFrom = r.pos;
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
    return r.pos;
  }

  /**
   * Write the body: local declarations (ours appended), the entry sequence, the code, the exit.
   * The original body runs inside two added blocks, `$trap` and `$body` (which takes the place
   * of the function's own label), so that a check is one `br_if` to the cold exhaustion path:
   *
   *   block $trap  block $body (result ...)  [entry check]  ...body...  end  [save] return  end
   *   [save] call $keel.fuel_exhausted  unreachable  end
   */
  #finish(start: number, typeIndex: number, funcIndex: number, out: Writer): void {
    const ctx = this.ctx;
    const head = this.#head;
    const local = ctx.strategy === 'local';
    // A call inside a loop whose header checks comes after a check in this frame: every way
    // into the call graph's cycles and every turn pass one, so only a call outside all such
    // loops needs the check at entry.
    const checksEntry = this.#uncheckedCall;
    head.reset();
    const added = this.added;
    if (this.nextLocal > MAX_LOCALS) malformed(`a function has too many locals to add the fuel counter`);
    head.u32(this.#groups + added.length);
    // Original local groups, after their count.
    const r = this.r;
    r.pos = start;
    r.u32();
    head.copy(this.bytes, r.pos, this.#groupsEnd);
    for (const type of added) {
      head.byte(1);
      head.byte(type);
    }
    if (local && !this.passes) this.reload(head);
    const restart = checksEntry ? ctx.restartOf(funcIndex) : undefined;
    if (restart !== undefined) {
      head.byte(OP_BLOCK);
      head.byte(VOID);
    }
    head.byte(OP_BLOCK);
    const blockType = ctx.resultBlockTypes[typeIndex]!;
    head.copy(blockType, 0, blockType.length);
    if (restart !== undefined) this.writeCheck(head, 1);
    else if (checksEntry) this.writeInlineCheck(head);

    const code = this.code;
    this.writeReturn();
    if (restart !== undefined) {
      // The entry check's refill: nothing has run yet, so the function starts again, through
      // a trampoline that refills and tail-calls it with the same arguments.
      code.byte(OP_END);
      if (local) this.save();
      const params = ctx.paramCounts[typeIndex]! + (this.passes ? 1 : 0);
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
    if (this.#kinds[d] !== IF || this.flushes !== this.#ifFlushes[d] || this.#ifAmount[d] === 0) return false;
    this.code.buf.fill(0x01, this.#ifFrom[d], this.#ifTo[d]);
    return true;
  }

  /** Push a frame of `kind` with `added` blocks of the pass's inside it. */
  #push(kind: number, added = 0): void {
    const depth = this.#depth;
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
    this.#peel[depth] = undefined;
    this.#targeted[depth] = 0;
    this.#counted[depth] = 0;
    this.#cum[depth] = this.#cum[depth - 1]! + added;
    this.#depth = depth + 1;
  }

  /**
   * The label index, from `depth`, of what input label `label` names there: moved out past the
   * blocks the pass added inside the frames it crosses, its target's included.
   */
  #outLabel(depth: number, label: number): number {
    const target = depth - 1 - label;
    return label + this.#cum[depth - 1]! - (target > 0 ? this.#cum[target - 1]! : 0);
  }

  /** A local is written (`local.set` or `local.tee` at `at`): track constants set to locals. */
  #noteWrite(op: number, index: number, at: number): void {
    if (op === OP_LOCAL_SET && at === this.#constEnd) {
      this.#knownLocal = index;
      this.#knownAt = this.#constAt;
      this.#knownFlushes = this.flushes;
    } else if (index === this.#knownLocal) {
      this.#knownLocal = -1;
    }
  }

  /** The value `local` holds here if it was set from a constant in this straight line. */
  #knownStart(local: number): number | undefined {
    if (local !== this.#knownLocal || this.#knownFlushes !== this.flushes) return undefined;
    const r = this.r; // free here: the main loop reads through `pos`
    r.pos = this.#knownAt + 1;
    return r.s33() | 0;
  }
}

// Made per module: its map must outlive a full collection (`keepShapes` in binary.ts).
keepShapes(
  new BodyRewriter({
    bytes: new Uint8Array(0),
    costs: { model: DEFAULT_COSTS, plain: new Uint32Array(256), fc: new Uint32Array(0), simd: 0, atomic: 0 },
    strategy: 'local',
    countedLoops: true,
    paramCounts: [],
    resultBlockTypes: [],
    internal: new Uint8Array(0),
    restartOf: () => undefined,
    wrapperOf: () => undefined,
    indirectPasses: () => false,
    closedTable: () => false,
    twinBase: 0,
    found: noLeaks(),
    funcImports: 0,
    funcShift: 0,
    globalImports: 0,
    fuelGlobal: 0,
    fnFuelSlice: 0,
    fnMemoryGrow: 0,
    fnTableGrow: 0,
    missedGrow: () => {},
    tableTypes: [],
  }),
);
