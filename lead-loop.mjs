import wabt from 'wabt';
const w = await wabt();
const mk = (head, tail) => `(module (memory 64) (global $g (mut i64) (i64.const 0))
 (func $k (param $n i32) (param $fuel i64) (result i32 i64) (local $i i32) (local $s i32) (local $j i32)
  (block $trap
   (loop $outer
    (local.set $i (i32.const 0))
    (loop $L
      ${head}
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.add (local.get $s) (local.get $i)))
      (local.set $s (i32.xor (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.tee $i (i32.add (local.get $i) (i32.const 1)))
      ${tail}
      (br_if $L (i32.lt_u (i32.const 1000000))))
    (br_if $outer (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.lt_u (i32.const 100))) ;; fix below
   )
   (return (local.get $s) (local.get $fuel)))
  (unreachable))
 (func (export "run") (param i32) (result i32) (local.get 0) (i64.const 100000000000) (call $k) (drop)))`;
const plain = `(module (memory 64)
 (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $j i32)
   (loop $outer
    (local.set $i (i32.const 0))
    (loop $L
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.add (local.get $s) (local.get $i)))
      (local.set $s (i32.xor (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (br_if $L (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000000))))
    (br_if $outer (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 100))))
   (local.get $s)))`;
const cur = mk(`(br_if $trap (i64.lt_s (local.get $fuel) (i64.const 0)))`, `(local.set $fuel (i64.sub (local.get $fuel) (i64.const 17)))`);
const fused = mk(`(br_if $trap (i64.lt_s (local.tee $fuel (i64.sub (local.get $fuel) (i64.const 17))) (i64.const 0)))`, ``);
const variants = { plain, cur, fused };
const fns = {};
for (const [k, src] of Object.entries(variants)) {
  let s2 = src.replace('(br_if $outer (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.lt_u (i32.const 100))) ;; fix below', '(br_if $outer (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 100)))');
  const bin = w.parseWat(k, s2, { multi_value: true }).toBinary({}).buffer;
  fns[k] = new WebAssembly.Instance(new WebAssembly.Module(bin)).exports.run;
}
const times = { plain: [], cur: [], fused: [] };
for (let r = 0; r < 15; r++) for (const k of Object.keys(fns)) { const t = process.hrtime.bigint(); fns[k](0); times[k].push(Number(process.hrtime.bigint() - t) / 1e6); }
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const k of Object.keys(fns)) console.log(k, med(times[k]).toFixed(2), (med(times[k]) / med(times.plain)).toFixed(3));
