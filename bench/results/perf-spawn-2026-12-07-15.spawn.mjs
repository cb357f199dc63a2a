// node --expose-gc spawn.mjs <rounds> <distA> <distB[#u]> ...: as perf-spawn-2026-12-07-14.spawn.mjs (plain and Keel of each dist, 1,500 spawns a sample, rounds interleaved); a dist ending in #u is Keel unmetered; prints each subject's batch and collection parts
// node --expose-gc spawn.mjs <rounds> <distA> <distB> [...]: plain and Keel of each dist, 1,500 spawns a sample (the bench's protocol: full collection, timed empty one, the batch, a full collection; CPU time), rounds interleaved (order rotated); young (minor) collections V8 ran inside each batch counted
import { PerformanceObserver } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
const [rounds, ...dists] = process.argv.slice(2);
const N = Number(process.env.BATCH ?? 1500);
const D0 = dists[0];
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D0}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D0}/scripts/lib/wat.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const S0 = await import(`${D0}/bench/lib/subjects.js`);
const subjects = [S0.plainSubject(core)];
const variant = process.env.UNMETERED ? 1 : 0;
for (const [k, d0] of dists.entries()) {
  const u = d0.endsWith('#u'); const d = u ? d0.slice(0, -2) : d0;
  const S = await import(`${d}/bench/lib/subjects.js`);
  const s = await S.keelSubject(component, S.KEEL_VARIANTS[u ? 1 : variant], join(mkdtempSync(join(tmpdir(), 'ps14-')), String(k)));
  subjects.push({ ...s, id: `${k}:${d.split('/').slice(-2, -1)[0]}${u ? '-u' : ''}` });
}
const gcs = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push([e.startTime, e.detail?.kind, e.duration]); }).observe({ entryTypes: ['gc'] });
const ops = subjects.map((s) => s.id === 'plain' ? async () => { s.spawn().close(); } : async () => { const x = await s.spawn(); await x.close(); });
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) * 1000; };
for (const op of ops) { const t0 = performance.now(); while (performance.now() - t0 < 300) await op(); }
const rows = subjects.map(() => []);
const l0 = loadavg()[0];
for (let r = 0; r < Number(rounds); r++) {
  for (let k = 0; k < ops.length; k++) {
    const i = (r + k) % ops.length;
    gc();
    const e0 = cpu(); gc(); const e1 = cpu();
    await new Promise((res) => setImmediate(res));
    const g0 = gcs.length; const t0 = performance.now();
    if (process.env.TRACE) process.stdout.write(`@@B ${subjects[i].id}\n`);
    const b0 = cpu();
    for (let n = 0; n < N; n++) await ops[i]();
    const b1 = cpu();
    if (process.env.TRACE) process.stdout.write('@@E\n');
    gc();
    const b2 = cpu();
    await new Promise((res) => setImmediate(res));
    const during = gcs.slice(g0).filter((g) => g[0] >= t0); const minor = during.filter((g) => g[1] === 1).length + (process.env.ALLK ? '/' + during.map((g) => g[1]).join('') : '');
    rows[i].push({ t: (b2 - b0 - (e1 - e0)) / N, bt: (b1 - b0) / N, gt: (b2 - b1 - (e1 - e0)) / N, minor, md: during.filter((g) => g[1] === 1).reduce((a, g) => a + g[2], 0), fd: during.filter((g) => g[1] !== 1).reduce((a, g) => a + g[2], 0) });
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const line = [`load ${l0.toFixed(1)}->${loadavg()[0].toFixed(1)}`];
for (let i = 0; i < subjects.length; i++) {
  const R = rows[i];
  const ratio = i ? ` ${med(R.map((x, k) => x.t / rows[0][k].t)).toFixed(3)}x` : '';
  line.push(`${subjects[i].id} ${(med(R.map((x) => x.t)) / 1000).toFixed(1)} us${ratio} minor [${R.map((x) => x.minor).join(',')}] batch ${(med(R.map((x) => x.bt)) / 1000).toFixed(1)} gc ${(med(R.map((x) => x.gt)) / 1000).toFixed(1)}`);
}
for (let i = 2; i < subjects.length; i++) line.push(`${i - 1}/0 per round ${med(rows[i].map((x, k) => x.t / rows[1][k].t)).toFixed(3)}`);
console.log(line.join(' | '));
process.exit(0);
