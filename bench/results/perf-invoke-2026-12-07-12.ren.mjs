import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const T = process.argv[2]; const D = T + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const k = await S.keelSubject(component, S.KEEL_VARIANTS.find((v) => v.id === 'keel'), mkdtempSync(join(tmpdir(), 'inv12-')));
const sb = await k.kernel.spawn(k.module, { grants: ['keel:bench/host'] });
sb.invokeSync('add', [1, 2]);
const meter = sb.parts.meter;
const subjects = {
  renew: new Function('m', 'n', 'let s = 0; for (let i = 0; i < n; i++) s += m.renew(1e10, 1e12); return s;'),
  used: new Function('m', 'n', 'let s = 0; for (let i = 0; i < n; i++) s += m.used(); return s;'),
  moved: new Function('m', 'n', 'let s = 0; for (let i = 0; i < n; i++) s += m.moved() ? 1 : 0; return s;'),
  exhausted: new Function('m', 'n', 'let s = 0; for (let i = 0; i < n; i++) s += m.exhausted() ? 1 : 0; return s;'),
  invU: new Function('m', 'n', 'u', 'let s = 0; for (let i = 0; i < n; i++) s += u.invokeSync("add", [i, 1], { timing: false }).value; return s;'),
  fuelReport: new Function('m', 'n', 'u', 'let s = 0; for (let i = 0; i < n; i++) s += u.lastFuel().used; return s;'),
};
const t = {}; const N = 20000;
for (let r = 0; r < 101; r++) for (const [id, f] of Object.entries(subjects)) { const a = process.cpuUsage(); f(meter, N, sb); const b = process.cpuUsage(a); (t[id] ??= []).push((b.user + b.system) * 1000 / N); }
const q = (a, p) => { const b = a.slice(5).sort((x, y) => x - y); return b[Math.floor((b.length - 1) * p)]; };
for (const [id, v] of Object.entries(t)) console.log(id.padEnd(12), 'p10', q(v, 0.1).toFixed(1), 'med', q(v, 0.5).toFixed(1));
