// Spawn protocol probe: per-sample breakdown. usage: node --expose-gc probe.mjs <distRoot> [rounds] [sampleMs|batch=N] [ballastMB]
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
const root = process.argv[2];
const rounds = Number(process.argv[3] ?? 7);
const sampleArg = process.argv[4] ?? '50';
const ballastMB = Number(process.argv[5] ?? 0);
const only = (process.env.SUBJ ?? 'plain,keel,keel-unmetered').split(',');
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${root}/scripts/lib/fixtures.js`);
const { wat } = await import(`${root}/scripts/lib/wat.js`);
const S = await import(`${root}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const cache = mkdtempSync(join(tmpdir(), 'ps13-'));
const subjects = [];
if (only.includes('plain')) subjects.push(S.plainSubject(core));
for (const v of S.KEEL_VARIANTS) if (only.includes(v.id)) subjects.push(await S.keelSubject(component, v, join(cache, v.id)));
if (only.includes('jco')) subjects.push(await S.jcoSubject(component, 'jco-1.12.0'));
if (only.includes('extism')) subjects.push(await S.extismSubject());
// ballast: retained old-space objects (what earlier rows leave)
const ballast = [];
for (let i = 0; i < ballastMB * 1024; i++) ballast.push({ a: new Array(100).fill(i), b: String(i) });
const gcs = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push([e.startTime, e.detail?.kind ?? e.kind, e.duration]); }).observe({ entryTypes: ['gc'] });
const ops = subjects.map((s) => (s.id.startsWith('keel') || s.async) ? async () => { const x = await s.spawn(); await x.close(); } : async () => { s.spawn().close(); });
const cpu = () => { const c = process.cpuUsage(); return [c.user * 1000, c.system * 1000]; };
async function run(op, n) { for (let i = 0; i < n; i++) await op(); }
// warm + calibrate
const batches = [];
for (const op of ops) {
  const t0 = performance.now(); let n = 0; while (performance.now() - t0 < 300) { await op(); n++; }
  const c0 = cpu(); for (let i = 0; i < 200; i++) await op(); const c1 = cpu();
  const per = (c1[0] + c1[1] - c0[0] - c0[1]) / 200;
  batches.push(sampleArg.startsWith('batch=') ? Number(sampleArg.slice(6)) : Math.max(1, Math.round(Number(sampleArg) * 1e6 / per)));
}
setFlagsFromString('--no-concurrent-array-buffer-sweeping'); setFlagsFromString('--no-concurrent-sweeping');
const rows = subjects.map(() => []);
console.log(`# load ${loadavg().map((x) => x.toFixed(1)).join(' ')} batches ${batches.join(',')} ballast ${ballastMB}MB`);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < ops.length; k++) {
    const i = (r + k) % ops.length; const n = batches[i];
    gc();
    const heap0 = getHeapStatistics().used_heap_size;
    const e0 = cpu(); gc(); const e1 = cpu();
    await new Promise((res) => setImmediate(res)); // deliver gc entries
    const g0 = gcs.length; const tStart = performance.now(); if (process.env.TRACE) process.stdout.write(`@@B ${subjects[i].id} ${r}\n`);
    const b0 = cpu(); const w0 = process.hrtime.bigint();
    await run(ops[i], n);
    const b1 = cpu(); const wb = process.hrtime.bigint(); if (process.env.TRACE) process.stdout.write(`@@E\n`);
    gc();
    const b2 = cpu(); const w2 = process.hrtime.bigint();
    await new Promise((res) => setImmediate(res));
    const during = gcs.slice(g0).filter((g) => g[0] >= tStart);
    const minor = during.filter((g) => g[1] === 1 || g[1] === 'minor').length;
    const empty = e1[0] + e1[1] - e0[0] - e0[1];
    const batch = b1[0] + b1[1] - b0[0] - b0[1];
    const after = b2[0] + b2[1] - b1[0] - b1[1];
    const sys = (b2[1] - b0[1]);
    const sample = (batch + after - empty) / n;
    rows[i].push({ sample, batch: batch / n, after: after / n, empty: empty / n, emptyMs: empty / 1e6, afterMs: after / 1e6, sysPer: sys / n, heapMB: heap0 / 2 ** 20, gcs: during.length, minor, wall: Number(w2 - w0) / n });
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const f = (x) => (x / 1000).toFixed(1);
for (let i = 0; i < subjects.length; i++) {
  const R = rows[i];
  console.log(`${subjects[i].id.padEnd(15)} n=${batches[i]} sample med ${f(med(R.map((r) => r.sample)))} us [${R.map((r) => f(r.sample)).join(' ')}]`);
  console.log(`   batch-only ${f(med(R.map((r) => r.batch)))} sys/op ${f(med(R.map((r) => r.sysPer)))} gcAfter ms ${med(R.map((r) => r.afterMs)).toFixed(2)} empty ms ${med(R.map((r) => r.emptyMs)).toFixed(2)} heapMB ${med(R.map((r) => r.heapMB)).toFixed(1)} gcs/batch ${R.map((r) => r.gcs).join(',')}`);
}
const ref = rows[0];
for (let i = 1; i < subjects.length; i++) console.log(`ratio ${subjects[i].id} / ${subjects[0].id}: ${med(rows[i].map((r, k) => r.sample / ref[k].sample)).toFixed(2)}`);
console.log(`# load end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
process.exit(0);
