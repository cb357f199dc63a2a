/**
 * The metering pass's optimized code outlives a full collection. V8 specializes it on the
 * hidden classes (maps) of the objects a pass makes anew for every module (readers, writers,
 * the body rewriter, its straight-line segments); a full collection that finds no object of such
 * a map frees it and throws the optimized code away ("weak objects"), and the next pass ran in
 * the slower tiers: metering the C probe after one took 30 ms instead of 9 (bench/results/
 * perf-cold-2026-12-06-10.md). binary.ts keeps one object of each such class (`keepShapes`).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { Reader, Writer } from '../../host/meter/binary.js';
import { meterModule } from '../../host/meter/index.js';
import { wat } from '../helpers/wat.js';

// vitest's forks run without these: switched on for this process (functions made after it may
// use V8's intrinsics).
setFlagsFromString('--expose-gc');
setFlagsFromString('--allow-natives-syntax');
const gc = runInNewContext('gc') as () => void;
const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
const optimizeNext = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
/** V8's OptimizationStatus: optimized by TurboFan. */
const TURBOFANNED = 1 << 6;

/** Writes and reads through objects that die at once, as a pass's do. */
function write(): number {
  const w = new Writer(8);
  for (let i = 0; i < 40; i++) w.u32(i * 1000);
  const r = new Reader(w.buf, 0, w.len);
  let sum = 0;
  while (r.pos < r.end) sum += r.u32();
  return sum;
}

it('keeps the pass optimized across full collections', async () => {
  const module = await wat(`(module (func (export "f") (param i32) (result i32)
    (loop $l (br_if $l (i32.eqz (local.get 0)))) (local.get 0)))`);
  meterModule(module);
  const hot = [Writer.prototype.u32, Reader.prototype.u32];
  for (const f of hot) prepare(f);
  write();
  write();
  for (const f of hot) optimizeNext(f);
  write();
  for (const f of hot) expect(status(f) & TURBOFANNED).toBe(TURBOFANNED);
  gc();
  gc();
  for (const f of hot) expect(status(f) & TURBOFANNED).toBe(TURBOFANNED);
  // And it still meters.
  expect(meterModule(module).length).toBeGreaterThan(module.length);
});
