// node gval.mjs: a WebAssembly.Global (mutable i64) written and read from JavaScript, ns each
const wabt = await (await import('wabt')).default();
const b = wabt.parseWat('x.wat', '(module (global (export "g") (mut i64) (i64.const 0)))').toBinary({}).buffer;
const m = new WebAssembly.Module(b);
const gs = []; for (let i = 0; i < 1000; i++) gs.push(new WebAssembly.Instance(m).exports.g);
let s = 0n;
for (let r = 0; r < 5; r++) {
  let t = performance.now(); for (let k = 0; k < 100; k++) for (const g of gs) g.value = BigInt(131072 + k); const w = (performance.now() - t) * 1e6 / 1e5;
  t = performance.now(); for (let k = 0; k < 100; k++) for (const g of gs) s += g.value; const rd = (performance.now() - t) * 1e6 / 1e5;
  t = performance.now(); for (let k = 0; k < 100; k++) for (const g of gs) s += g.value; 
  console.log(`write ${w.toFixed(0)} ns read ${rd.toFixed(0)} ns`);
}
