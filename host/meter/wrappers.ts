/**
 * Functions the module pass appends after the defined ones: a wrapper for each exported
 * function that passes fuel (what escapes names it), and a restart trampoline for each
 * function whose entry check refills out of line.
 */
import { u32Size, type Writer } from './binary.js';

/** Where the counter lives and how indices move, for the functions written here. */
export interface AppendedContext {
  funcImports: number;
  /** The fuel global's index (the first after the imported globals). */
  fuelGlobal: number;
  funcShift: number;
}

/**
 * `local.get 0..n-1; global.get $fuel; call $f; global.set $fuel`, or, when `$f` ended up with
 * the plain convention (held back by a tail call), `local.get 0..n-1; return_call $f`: the
 * wrapper may itself be the target of a tail call (`return_call_indirect` through a table,
 * `return_call` of an import), and a plain `call` would leave its frame on every round of a
 * tail-recursive chain. A body that passes fuel makes tail calls only to functions that pass
 * fuel too (the pass decides tail-call neighbours together), so no tail chain comes back
 * through its wrapper and the plain `call` there adds at most one frame.
 */
export function writeWrapper(
  w: Writer,
  c: AppendedContext,
  f: number,
  params: number,
  passes: boolean,
): void {
  const target = f + c.funcShift;
  const fuel = passes ? 2 + 2 * u32Size(c.fuelGlobal) : 0;
  const size = 3 + localGetsSize(params) + fuel + u32Size(target);
  w.u32(size);
  const at = w.len;
  w.byte(0); // no locals
  for (let i = 0; i < params; i++) {
    w.byte(0x20);
    w.u32(i);
  }
  if (passes) {
    w.byte(0x23);
    w.u32(c.fuelGlobal);
  }
  w.byte(passes ? 0x10 : 0x12);
  w.u32(target);
  if (passes) {
    w.byte(0x24);
    w.u32(c.fuelGlobal);
  }
  w.byte(0x0b);
  sized(w, at, size);
}

/**
 * The restart trampoline of defined function `i`: `call $keel.fuel_slice` (which refills or
 * throws), then tail-call the function again with the same arguments (and the counter, if it
 * passes fuel).
 */
export function writeRestart(
  w: Writer,
  c: AppendedContext,
  i: number,
  params: number,
  passes: boolean,
): void {
  const target = c.funcImports + i + c.funcShift;
  const fuel = passes ? 1 + u32Size(c.fuelGlobal) : 0;
  const size = 4 + u32Size(c.funcImports) + localGetsSize(params) + fuel + u32Size(target);
  w.u32(size);
  const at = w.len;
  w.byte(0);
  w.byte(0x10);
  w.u32(c.funcImports);
  for (let k = 0; k < params; k++) {
    w.byte(0x20);
    w.u32(k);
  }
  if (passes) {
    w.byte(0x23);
    w.u32(c.fuelGlobal);
  }
  w.byte(0x12);
  w.u32(target);
  w.byte(0x0b);
  sized(w, at, size);
}

/** Bytes of `local.get 0` to `local.get n - 1`: an opcode and a LEB128 index each. */
function localGetsSize(n: number): number {
  let size = 2 * n;
  for (let from = 0x80; from < n; from *= 0x80) size += n - from;
  return size;
}

/** The function written from `at` is the `size` bytes its size said (written before it, unpadded). */
function sized(w: Writer, at: number, size: number): void {
  if (w.len - at !== size) throw new Error(`an appended function is ${w.len - at} bytes, not ${size}`);
}
