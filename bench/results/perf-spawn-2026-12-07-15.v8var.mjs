// node --expose-gc v8var.mjs <dist> <rounds>: plain V8 spawns of variants of the bench core module (bench protocol, 1,500 a sample), each against the module as is
const [D, rounds = '9'] = process.argv.slice(2);
const { BENCH_WAT } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const M = await import(`${D}/host/meter/index.js`);
const bytes = await wat(BENCH_WAT);
const sole = M.meterHook.transformSole(bytes, { file: 'core0.wasm', kind: 'component' }).slice();
const imp = '(import "keel:bench/host@0.1.0" "tick" (func $tick (param i32) (result i32)))';
const v = async (f) => new WebAssembly.Module(await wat(f(BENCH_WAT)));
const wabt = await (await import('wabt')).default();
const feats = { tail_call: true, bulk_memory: true, multi_value: true, reference_types: true, mutable_globals: true, sign_extension: true, sat_float_to_int: true };
const soleText = wabt.readWasm(sole, { readDebugNames: true, ...feats }).toText({});
const stubText = soleText.replace(/\(import "keel" "memory_grow" \(func \(;(\d+);\) \(type (\d+)\)\)\)\n\s*\(import "keel" "table_grow" \(func \(;(\d+);\) \(type (\d+)\)\)\)/, (m, a, ta, b, tb) => { globalThis.STUBS = `(func (;${a};) (type ${ta}) unreachable) (func (;${b};) (type ${tb}) unreachable)`; return ''; }).replace(/\n  \(func /, () => `\n  ${globalThis.STUBS}\n  (func `);
if (process.env.SHOW) console.log(stubText);
const mods = {
  meteredStubs: new WebAssembly.Module(wabt.parseWat('s.wat', stubText, feats).toBinary({}).buffer),
  orig: new WebAssembly.Module(bytes),
  metered: new WebAssembly.Module(sole),
  imports3: await v((w) => w.replace(imp, `${imp} (import "keel" "fuel_slice" (func)) (import "keel" "memory_grow" (func (param i32 i32) (result i32))) (import "keel" "table_grow" (func (param i32 i32) (result i32)))`)),
  imports1: await v((w) => w.replace(imp, `${imp} (import "keel" "fuel_slice" (func))`)),
  global: await v((w) => w.replace(imp, `${imp} (global $g (mut i64) (i64.const 0))`)),
  globalExported: await v((w) => w.replace(imp, `${imp} (global $g (export "keel:fuel") (mut i64) (i64.const 0))`)),
};
const only = process.env.ONLY?.split(',');
const names = ['orig', ...Object.keys(mods).filter((n) => n !== 'orig' && (!only || only.includes(n)))];
const imps = (m) => { const o = {}; for (const i of WebAssembly.Module.imports(m)) { (o[i.module] ??= {})[i.name] = () => 0; } return o; };
const subjects = names.map((n) => [n, () => new WebAssembly.Instance(mods[n], imps(mods[n]))]);
const cpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
const R = subjects.map(() => []);
for (const [, f] of subjects) for (let i = 0; i < 300; i++) f();
for (let r = 0; r < Number(rounds); r++) for (let k = 0; k < subjects.length; k++) {
  const i = (r + k) % subjects.length; const f = subjects[i][1];
  gc(); const e0 = cpu(); gc(); const e1 = cpu();
  const b0 = cpu(); for (let n = 0; n < 1500; n++) f(); gc(); const b2 = cpu();
  R[i].push((b2 - b0 - (e1 - e0)) / 1500);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(subjects.map(([n], i) => `${n} ${med(R[i]).toFixed(1)} us${i ? ` (${med(R[i].map((x, k) => x / R[0][k])).toFixed(3)})` : ''}`).join(' | '));
