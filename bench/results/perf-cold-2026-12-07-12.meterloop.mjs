const [tree, nArg] = process.argv.slice(2);
const T = '/work/wt/perf-cold12';
const { meteringHook } = await import(`${tree}/dist/host/kernel/metering.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const hook = meteringHook(undefined);
const N = Number(nArg); const ts = { t: [], d: [], desc: [] };
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
for (let i = 0; i < N; i++) {
  const b = withNonce(core, i);
  let w = cpu(); const o = hook.transform(b, { file: 'x', kind: 'component' }); ts.t.push(cpu() - w);
  w = cpu(); const o2 = hook.defineCounter(o); ts.d.push(cpu() - w); hook.release(o);
  w = cpu(); hook.describe(b); ts.desc.push(cpu() - w); hook.release(o2);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const k in ts) console.log(k, 'first', ts[k][0], 'calls 2-11 median', med(ts[k].slice(1, 11)), 'calls 50+', med(ts[k].slice(50)));
