/**
 * Outlined loops: a loop checked at its header whose body holds no call and no loop but
 * straight loops (straight.ts), as a quicksort's partition loop around its two scans. Its own
 * refill and the scans' are calls inside it, and V8, which keeps no value in a register across
 * a call, spills the loop's values at every turn. So the refills move out of the loop: a scan's
 * check that finds the counter below zero leaves the loop, refills, and finishes the turn in a
 * copy of the rest of the body (the scan entered again at its next turn), which then goes back
 * to the header (docs/fuel.md, "Outlined loops"):
 *
 *   block $exit  loop $again  block $sK ... block $s1  block $h
 *     loop $P
 *       br_if $h (fuel < 0)
 *       ...body, each scan k checked at its back edge: br_if $sk (fuel < 0)...
 *       br $exit
 *     end
 *   end  refill  br $again
 *   end  refill  the body from scan 1 on, its scans with their refill inside  br $exit
 *   ...
 *   end  refill  the body from scan K on  br $exit
 *   end  end
 *
 * A branch to $P in a copy goes to $again, which enters $P at its header. This is done on the
 * rewriter's own output for the loop, after it is written (its charges are kept byte for byte,
 * so each path pays what it paid), and only to a body of the shape: straight-line code, `block`
 * and `if` (no `else`, no result) entered with an empty stack, `br` and `br_if`, and the straight
 * loops the rewriter wrote (`marks`). Anything else leaves the loop as it was, as does a loop
 * whose copies would take the module's past its own size (`budget`: the output stays linear).
 */
import { Reader, type Writer } from './binary.js';
import { scan } from './counted.js';
import type { FuelEmitter } from './emit.js';
import { OP_BLOCK, OP_BR, OP_BR_IF, OP_END, OP_IF, OP_LOOP, VOID } from './instructions.js';

/** Numbers a straight loop adds to the marks: where it starts, its way out, its check, its end. */
export const MARK = 4;
/** One copy of the rest of the turn per straight loop: at most this many, of at most this size. */
const MAX_INNER = 4;
const MAX_BODY = 4096;
/**
 * What the copies may add to a module at least, whatever its size (its own size past that): a
 * module of many such loops would otherwise meter to about 5x its bytes (review18 L2).
 */
export const OUTLINE_FLOOR = 64 * 1024;

// Labels outside the body, counted from its top level in the form the rewriter wrote:
// `loop $P  block $done  block $refill  check  body  br $done  end  refill  br $P  end  end`.
const REFILL = 0;
const DONE = 1;
const SELF = 2;

const OP_I32_EQZ = 0x45;

/**
 * Rewrite the loop at `code[loopAt, ...)` as above, if it is of the shape; its body is
 * `code[bodyAt, bodyEnd)` and its straight loops are `marks[from, ...)`. The loop's own `end`
 * is not written yet (the rewriter copies it next): it closes `$exit`.
 */
export function outlineLoop(
  e: FuelEmitter,
  scratch: Writer,
  budget: { left: number },
  loopAt: number,
  bodyAt: number,
  bodyEnd: number,
  marks: number[],
  from: number,
): boolean {
  const count = (marks.length - from) / MARK;
  if (count < 1 || count > MAX_INNER || bodyEnd - bodyAt > MAX_BODY) return false;
  const code = e.code;
  const src = code.buf;
  if (src[loopAt] !== OP_LOOP || src[loopAt + 1] !== VOID) return false;
  const out = scratch;
  out.reset();
  const opens: number[] = [];
  out.byte(OP_BLOCK); // $exit
  out.byte(VOID);
  out.byte(OP_LOOP); // $again
  out.byte(VOID);
  for (let k = 0; k <= count; k++) {
    out.byte(OP_BLOCK); // $sK ... $s1, $h
    out.byte(VOID);
  }
  out.byte(OP_LOOP); // $P
  out.byte(VOID);
  e.writeCheck(out, 1);
  // From the body's top level: $P 0, $h 1, $s1 .. $sK 2 .. K + 1, $again K + 2, $exit K + 3.
  const fast = (ext: number) => (ext === DONE ? count + 3 : ext === SELF ? 0 : ext + count + 1);
  const at = walk(e, src, bodyAt, bodyEnd, 0, marks, from, out, fast, opens, count);
  if (at < 0) return false;
  out.byte(OP_BR);
  out.u32(count + 3);
  out.byte(OP_END); // $P
  out.byte(OP_END); // $h
  e.writeRefill(out);
  out.byte(OP_BR);
  out.u32(count); // $again
  for (let k = 1; k <= count; k++) {
    out.byte(OP_END); // $sk
    e.writeRefill(out);
    // From the copy's top level: $s(k+1) .. $sK 0 .. K - k - 1, $again K - k, $exit K - k + 1.
    const rest = count - k;
    const slow = (ext: number) => (ext === DONE ? rest + 1 : ext === SELF ? rest : ext + rest - 1);
    const open = opens[k - 1]!;
    for (let i = 0; i < open; i++) {
      out.byte(OP_BLOCK); // stands for the `block` or `if` the scan is in: its `end` closes it
      out.byte(VOID);
    }
    const start = marks[from + (k - 1) * MARK]!;
    if (walk(e, src, start, bodyEnd, open, marks, from + (k - 1) * MARK, out, slow, undefined, count) < 0)
      return false;
    out.byte(OP_BR);
    out.u32(rest + 1);
  }
  out.byte(OP_END); // $again; the loop's own `end` closes $exit
  // The copies together add at most the module's own size (`OUTLINE_FLOOR` at least); past
  // it, loops stay as written (checked at their headers, the same fuel).
  const growth = out.len - (code.len - loopAt);
  if (growth > budget.left) return false;
  budget.left -= growth;
  code.len = loopAt;
  code.append(out);
  return true;
}

/**
 * Copy `src[pos, to)` into `out` at `open` frames deep, its branches out of it relabelled by
 * `map` (from the body's labels above); with `opens`, the straight loops are written checked
 * into their $sk and the depth at each is pushed there, else copied as they are. Returns -1 if
 * the code is not of the shape.
 */
function walk(
  e: FuelEmitter,
  src: Uint8Array,
  pos: number,
  to: number,
  open: number,
  marks: number[],
  mi: number,
  out: Writer,
  map: (ext: number) => number,
  opens: number[] | undefined,
  count: number,
): number {
  const r = new Reader(src, pos, to);
  const costs = e.ctx.costs;
  let depth = open;
  let height = 0;
  let dead = false;
  let k = (mi - (marks.length - count * MARK)) / MARK;
  while (pos < to) {
    if (mi < marks.length && marks[mi]! <= pos) {
      const start = marks[mi]!;
      const end = marks[mi + 3]!;
      if (start !== pos || dead || height !== 0 || end > to) return -1;
      if (opens) {
        if (!writeChecked(e, src, marks, mi, out, depth + 2 + 1 + k + 1)) return -1;
        opens.push(depth);
      } else {
        out.copy(src, start, end);
      }
      pos = end;
      mi += MARK;
      k++;
      continue;
    }
    r.pos = pos;
    const s = scan(r, costs, 0);
    if (s.stop > pos) {
      out.copy(src, pos, s.stop);
      height += s.height;
      pos = s.stop;
      continue;
    }
    const op = src[pos]!;
    if (op === OP_BLOCK || op === OP_IF) {
      if (src[pos + 1] !== VOID || dead || height !== (op === OP_IF ? 1 : 0)) return -1;
      out.byte(op);
      out.byte(VOID);
      height = 0;
      depth++;
      pos += 2;
    } else if (op === OP_END) {
      if (depth === 0 || (!dead && height !== 0)) return -1;
      out.byte(OP_END);
      depth--;
      height = 0;
      dead = false;
      pos++;
    } else if (op === OP_BR || op === OP_BR_IF) {
      r.pos = pos + 1;
      const label = r.u32();
      pos = r.pos;
      out.byte(op);
      if (label < depth) {
        out.u32(label);
      } else {
        const ext = label - depth;
        if (ext === REFILL) return -1;
        out.u32(map(ext) + depth);
      }
      if (op === OP_BR) dead = true;
      else height--;
    } else {
      return -1;
    }
  }
  if (pos !== to || depth !== 0 || (!dead && height !== 0)) return -1;
  return mi;
}

/**
 * A straight loop as straight.ts writes it, `block $out loop block $refill loop X check br 0
 * end end refill br 0 end end`, written without its refill: `block $out loop X' br_if $sk
 * (fuel < 0) br 0 end end`, X' being X with its way out (`br_if $out`) two labels nearer.
 */
function writeChecked(
  e: FuelEmitter,
  src: Uint8Array,
  marks: number[],
  mi: number,
  out: Writer,
  label: number,
): boolean {
  const start = marks[mi]!;
  const leave = marks[mi + 1]!;
  const check = marks[mi + 2]!;
  for (let i = 0; i < 8; i += 2)
    if (src[start + i] !== (i % 4 === 0 ? OP_BLOCK : OP_LOOP) || src[start + i + 1] !== VOID) return false;
  if (src[leave] !== OP_I32_EQZ || src[leave + 1] !== OP_BR_IF || src[leave + 2] !== 3) return false;
  out.byte(OP_BLOCK);
  out.byte(VOID);
  out.byte(OP_LOOP);
  out.byte(VOID);
  out.copy(src, start + 8, leave + 2);
  out.byte(1);
  out.copy(src, leave + 3, check);
  e.writeCheck(out, label);
  out.byte(OP_BR);
  out.byte(0);
  out.byte(OP_END);
  out.byte(OP_END);
  return true;
}
