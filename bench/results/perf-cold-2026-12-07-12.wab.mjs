// node wab.mjs A B N: DiskCache.write of a bench-component entry (its metered module and plan), trees A and B interleaved,
// each write into a new directory made first (untimed); CPU and wall of the write; calls 1..N, median of 2..N per process
import { mkdtempSync, rmSync, readFileSync } from 'node:fs'; import { tmpdir, loadavg } from 'node:os'; import { join } from 'node:path';
const [A, B, nArg] = process.argv.slice(2); const N = Number(nArg);
const T = '/work/wt/perf-cold12';
const D = { a: (await import(`${A}/dist/host/loader/disk-cache.js`)).DiskCache, b: (await import(`${B}/dist/host/loader/disk-cache.js`)).DiskCache };
const { meteringHook } = await import(`${T}/dist/host/kernel/metering.js`);
const { planComponent } = await import(`${T}/dist/host/abi/plan.js`);
const { encodePlan } = await import(`${T}/dist/host/abi/plan-codec.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const plan = planComponent(comp); const enc = encodePlan(plan, comp);
const hook = meteringHook(undefined); const mod = hook.defineCounter(hook.transform(plan.modules[0].bytes, { file: 'x', kind: 'component' })).slice();
const s = mkdtempSync(join(tmpdir(), 'wab-')); const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const r = { a: [], b: [] }; const files = { a: [], b: [] };
for (let i = 0; i < N; i++) for (const who of i % 2 ? ['a', 'b'] : ['b', 'a']) {
  const c = new D[who](join(s, `${who}${i}`)); c.check();
  const key = (i.toString(16) + who).padStart(40, '0');
  const t = cpu(); c.write(key, [mod], enc); r[who].push(cpu() - t);
  if (i === 0) files[who] = readFileSync(join(s, `${who}${i}`, `${key}.metered`));
}
rmSync(s, { recursive: true });
const med = (x) => [...x.slice(1)].sort((p, q) => p - q)[(x.length - 1) >> 1];
console.log(`entry ${mod.length}+${enc.length} B; write CPU us, calls 2-${N}: a ${med(r.a)}, b ${med(r.b)}, b/a per call ${med(r.b.map((x, i) => x / r.a[i])).toFixed(2)}; load ${loadavg()[0].toFixed(1)}`);
