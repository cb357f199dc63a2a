// node perf-invoke-2026-12-07-15.wcall.mjs TREE: a JavaScript-to-WebAssembly call of the fuel cell's shapes (f64 result, i32 result, none), ns a call
const { wat } = await import(process.argv[2] + '/dist/scripts/lib/wat.js');
const bytes = await wat(`(module (global $g (export "g") (mut i64) (i64.const 1000))
 (func (export "getf") (result f64) (f64.convert_i64_s (global.get $g)))
 (func (export "geti") (result i32) (i32.wrap_i64 (global.get $g)))
 (func (export "nop")))`);
const e = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
const fs = { getf: (n) => { let s = 0; for (let i = 0; i < n; i++) s += e.getf(); return s; },
  geti: (n) => { let s = 0; for (let i = 0; i < n; i++) s += e.geti(); return s; },
  nop: (n) => { let s = 0; for (let i = 0; i < n; i++) { e.nop(); s++; } return s; } };
for (let rep = 0; rep < 2; rep++) for (const [name, f] of Object.entries(fs)) {
  f(1e5); const r = [];
  for (let k = 0; k < 7; k++) { const t = process.hrtime.bigint(); f(1e6); r.push(Number(process.hrtime.bigint() - t) / 1e6); }
  r.sort((a, b) => a - b); console.log(name, r[3].toFixed(1), 'ns');
}
