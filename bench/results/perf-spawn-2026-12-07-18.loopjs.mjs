// node --expose-gc --cpu-prof loopjs.mjs <dist> <n> [unmetered]: Keel spawn+fn x4+terminate with V8's Instance replaced by a cached one (Keel's JavaScript only)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [D, n = '20000', u] = process.argv.slice(2);
const Real = WebAssembly.Instance;
let stub = null, captured = null;
WebAssembly.Instance = function (m, i) { if (stub) return stub; const x = new Real(m, i); captured ??= x; return x; };
WebAssembly.Instance.prototype = Real.prototype;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const keel = await S.keelSubject(component, S.KEEL_VARIANTS[u ? 1 : 0], join(mkdtempSync(join(tmpdir(), 'p18l-')), 'm'));
{ const x = await keel.spawn(); await x.close(); }
stub = captured;
for (let i = 0; i < 3000; i++) { const x = await keel.spawn(); await x.close(); }
const { Session } = await import('node:inspector'); const { writeFileSync, mkdirSync } = await import('node:fs');
const ses = new Session(); ses.connect(); const post = (m, a) => new Promise((r, j) => ses.post(m, a, (e, v) => e ? j(e) : r(v)));
if (process.env.PROF) { await post('Profiler.enable'); await post('Profiler.setSamplingInterval', { interval: Number(process.env.PROF) }); await post('Profiler.start'); }
const c0 = process.cpuUsage();
for (let i = 0; i < Number(n); i++) { const x = await keel.spawn(); await x.close(); }
const c = process.cpuUsage(c0);
if (process.env.PROF) { const { profile } = await post('Profiler.stop'); mkdirSync(process.env.OUT, { recursive: true }); writeFileSync(process.env.OUT + '/x.cpuprofile', JSON.stringify(profile)); }
console.log(`${((c.user + c.system) / Number(n)).toFixed(2)} us per spawn`);
