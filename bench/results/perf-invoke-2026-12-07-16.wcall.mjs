// node perf-invoke-2026-12-07-16.wcall.mjs TREE: a JavaScript-to-WebAssembly call of an i32 getter, CPU time: one call site with one target, then the same site after five other instances' functions (megamorphic)
const { wat } = await import(process.argv[2] + '/dist/scripts/lib/wat.js');
const bytes = await wat(`(module (global $g (export "g") (mut i64) (i64.const 1000))
 (func (export "geti") (result i32) (i32.wrap_i64 (global.get $g))))`);
const mod = new WebAssembly.Module(bytes);
const cells = []; for (let i = 0; i < 6; i++) cells.push(new WebAssembly.Instance(mod).exports);
class R { constructor(c) { this.c = c; } read() { return this.c.geti(); } }
const mk = () => new Function('r', 'n', 'let s = 0; for (let i = 0; i < n; i++) s += r.read(); return s;');
const rs = cells.map((c) => new R(c));
const time = (f, r) => { f(r, 1e5); const out = []; for (let k = 0; k < 7; k++) { const t = process.cpuUsage(); f(r, 1e6); const d = process.cpuUsage(t); out.push((d.user + d.system) / 1e3); } out.sort((a, b) => a - b); return out[3].toFixed(1); };
const f1 = mk();
console.log('mono', time(f1, rs[0]));
// now other receivers make R.read's call site megamorphic
for (const r of rs.slice(1)) for (let i = 0; i < 1e4; i++) r.read();
const f2 = mk();
console.log('after others (mega site)', time(f2, rs[0]), time(f2, rs[1]));
