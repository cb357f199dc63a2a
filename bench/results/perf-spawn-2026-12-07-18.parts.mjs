// node --expose-gc parts.mjs <dist> <rounds>: per-spawn CPU (bench protocol, 1500 a sample) of plain, V8-only metered instance, Keel, Keel with V8's Instance replaced by a cached one
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
const [D, rounds = '5'] = process.argv.slice(2);
const Real = WebAssembly.Instance;
let stub = null, captured = null;
WebAssembly.Instance = function (m, i) { if (stub) return stub; const x = new Real(m, i); captured ??= { m, i, x }; return x; };
WebAssembly.Instance.prototype = Real.prototype;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const cache = mkdtempSync(join(tmpdir(), 'p18p-'));
const keelU = await S.keelSubject(component, S.KEEL_VARIANTS[1], join(cache, 'u'));
{ const x = await keelU.spawn(); await x.close(); }
const capU = captured; captured = null;
const keel = await S.keelSubject(component, S.KEEL_VARIANTS[0], join(cache, 'm'));
{ const x = await keel.spawn(); await x.close(); }
const mImports = { 'keel:bench/host@0.1.0': { tick: (x) => x }, keel: { fuel_slice: () => 0 } };
const plainImports = { 'keel:bench/host@0.1.0': { tick: (x) => x } };
const ops = {
  plain: async () => { new Real(core, plainImports); },
  v8metered: async () => { new Real(captured.m, mImports); },
  keelU: async () => { const x = await keelU.spawn(); await x.close(); },
  keelUNoV8: async () => { stub = capU.x; try { const x = await keelU.spawn(); await x.close(); } finally { stub = null; } },
  v8meteredFresh: async () => { const c = {n:0}; new Real(captured.m, { 'keel:bench/host@0.1.0': { tick: (x) => x + c.n }, keel: { fuel_slice: () => c.n } }); },
  keel: async () => { const x = await keel.spawn(); await x.close(); },
  keelNoV8: async () => { stub = captured.x; try { const x = await keel.spawn(); await x.close(); } finally { stub = null; } },
};
const only = process.env.ONLY ? process.env.ONLY.split(',') : Object.keys(ops);
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) * 1000; };
for (const k of only) for (let i = 0; i < 1500; i++) await ops[k]();
const rows = Object.fromEntries(only.map((k) => [k, []]));
const l0 = loadavg()[0];
for (let r = 0; r < Number(rounds); r++) for (let j = 0; j < only.length; j++) {
  const k = only[(r + j) % only.length];
  gc(); const e0 = cpu(); gc(); const e1 = cpu();
  await new Promise((res) => setImmediate(res));
  const b0 = cpu(); for (let n = 0; n < 1500; n++) await ops[k](); gc(); const b2 = cpu();
  rows[k].push((b2 - b0 - (e1 - e0)) / 1500 / 1000);
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
console.log(`load ${l0.toFixed(1)}->${loadavg()[0].toFixed(1)} ` + only.map((k) => `${k} ${med(rows[k]).toFixed(1)}us (${med(rows[k].map((v, i) => v / rows.plain[i])).toFixed(2)}x)`).join(' | '));
process.exit(0);
