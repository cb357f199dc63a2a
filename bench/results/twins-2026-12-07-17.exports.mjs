// twins17: what exports cost new WebAssembly.Instance. node bench/results/twins-2026-12-07-17.exports.mjs none|funcs|globals (from a built tree)
import { wat } from '../../dist/scripts/lib/wat.js';
const which = process.argv[2];
const extra = { none: '', funcs: '(func (export "f1") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))) (func (export "f2"))', globals: '(global (export "g1") i32 (i32.const 3)) (global (export "g2") i32 (i32.const 0))' }[which];
const m = new WebAssembly.Module(await wat(`(module (global $c (mut i64) (i64.const 0)) (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))) (func (export "noop")) ${extra})`));
const N = 20000; let best = Infinity;
for (let round = 0; round < 7; round++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) new WebAssembly.Instance(m, {});
  const t1 = process.hrtime.bigint();
  best = Math.min(best, Number(t1 - t0) / N / 1000);
}
console.log(which, best.toFixed(2));
