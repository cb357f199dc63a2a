// node --expose-gc abjs.mjs <rounds> <distA> <distB> ...: Keel's JavaScript per spawn + fn x4 + terminate (V8's Instance replaced by each tree's cached instance), trees interleaved, 5,000 spawns a sample then a full collection; CPU time
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
const [rounds, ...dists] = process.argv.slice(2);
const Real = WebAssembly.Instance;
let stub = null, captured = null;
WebAssembly.Instance = function (m, i) { if (stub) return stub; const x = new Real(m, i); captured ??= x; return x; };
WebAssembly.Instance.prototype = Real.prototype;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${dists[0]}/scripts/lib/fixtures.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const subs = [];
for (const [k, D] of dists.entries()) {
  const S = await import(`${D}/bench/lib/subjects.js`);
  const keel = await S.keelSubject(component, S.KEEL_VARIANTS[process.env.UNMETERED ? 1 : 0], join(mkdtempSync(join(tmpdir(), 'p18a-')), 'm'));
  captured = null; { const x = await keel.spawn(); await x.close(); }
  const inst = captured;
  subs.push(async () => { stub = inst; const x = await keel.spawn(); await x.close(); });
}
const N = Number(process.env.N ?? 5000);
const cpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
for (const op of subs) for (let i = 0; i < 3000; i++) await op();
const rows = subs.map(() => []);
const l0 = loadavg()[0];
for (let r = 0; r < Number(rounds); r++) for (let j = 0; j < subs.length; j++) {
  const k = (r + j) % subs.length;
  gc(); await new Promise((res) => setImmediate(res));
  const b0 = cpu(); for (let n = 0; n < N; n++) await subs[k](); gc(); rows[k].push((cpu() - b0) / N);
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
console.log(`load ${l0.toFixed(1)}->${loadavg()[0].toFixed(1)} ` + dists.map((d, k) => `${k}:${d.split('/').slice(-2, -1)[0]} ${med(rows[k]).toFixed(2)}us${k ? ` (${med(rows[k].map((v, i) => v / rows[0][i])).toFixed(3)} per round)` : ''}`).join(' | '));
process.exit(0);
