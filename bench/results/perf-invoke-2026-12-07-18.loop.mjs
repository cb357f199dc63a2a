// node --expose-gc perf-invoke-2026-12-07-18.loop.mjs TREE: invokeSync add (M=noop: noop) in a long loop, CPU time per call, median of R batches of N; TIMED=1: the timed subject warmed beside it (its feedback in the shared code)
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const D = process.argv[2] + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const k = await S.keelSubject(component, S.KEEL_VARIANTS[0], mkdtempSync(join(tmpdir(), 'inv18-')));
const a = await S.keelInvokeSubject(k).spawn(); const b = process.env.TIMED ? await S.keelInvokeSubject(k, true).spawn() : undefined;
const N = +(process.env.N ?? 1e6); const M = process.env.M ?? 'add'; const R = +(process.env.R ?? 9);
const run = (x, n) => { let s = 0; for (let i = 0; i < n; i++) s += M === 'add' ? x.add(i, 1) : (x.noop(), 1); return s; };
for (let r = 0; r < 5; r++) { run(a, 2e5); if (b) run(b, 2e5); }
const out = [];
for (let r = 0; r < R; r++) { const t = process.cpuUsage(); run(a, N); const d = process.cpuUsage(t); out.push((d.user + d.system) * 1000 / N); }
out.sort((x, y) => x - y); console.log(M, 'median', out[R >> 1].toFixed(1), 'ns', out.map((x) => x.toFixed(0)).join(' '));
