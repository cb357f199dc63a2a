/**
 * Functions the module pass appends after the defined ones: a wrapper for each exported
 * function that passes fuel (what escapes names it), and a restart trampoline for each
 * function whose entry check refills out of line.
 */
import { Writer } from './binary.js';

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
  const wrapper = new Writer(16 + params * 3);
  wrapper.byte(0); // no locals
  for (let i = 0; i < params; i++) {
    wrapper.byte(0x20);
    wrapper.u32(i);
  }
  if (passes) {
    wrapper.byte(0x23);
    wrapper.u32(c.fuelGlobal);
  }
  wrapper.byte(passes ? 0x10 : 0x12);
  wrapper.u32(f + c.funcShift);
  if (passes) {
    wrapper.byte(0x24);
    wrapper.u32(c.fuelGlobal);
  }
  wrapper.byte(0x0b);
  w.u32(wrapper.len);
  w.append(wrapper);
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
  const t = new Writer(16 + params * 3);
  t.byte(0);
  t.byte(0x10);
  t.u32(c.funcImports);
  for (let k = 0; k < params; k++) {
    t.byte(0x20);
    t.u32(k);
  }
  if (passes) {
    t.byte(0x23);
    t.u32(c.fuelGlobal);
  }
  t.byte(0x12);
  t.u32(c.funcImports + i + c.funcShift);
  t.byte(0x0b);
  w.u32(t.len);
  w.append(t);
}
