// node mab.mjs A B N: the meter hook (transform + defineCounter, as a cold load of the bench component runs it) of trees A and B,
// interleaved per call on fresh bytes; CPU per call; median of calls 2..N; outputs compared byte for byte
const [A, B, nArg] = process.argv.slice(2); const N = Number(nArg);
const T = '/work/wt/perf-cold12';
const H = { a: (await import(`${A}/dist/host/kernel/metering.js`)).meteringHook(undefined), b: (await import(`${B}/dist/host/kernel/metering.js`)).meteringHook(undefined) };
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const { loadavg } = await import('node:os');
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const r = { a: [], b: [] }; let same = true;
for (let i = 0; i < N; i++) {
  const out = {};
  for (const who of i % 2 ? ['a', 'b'] : ['b', 'a']) {
    const h = H[who]; const b = withNonce(core, 2 * i + (who === 'a' ? 0 : 1));
    const t = cpu(); const o = h.transform(b, { file: 'x', kind: 'component' }); const o2 = h.defineCounter(o); r[who].push(cpu() - t);
    out[who] = [o.slice(), o2.slice()]; h.release(o); h.release(o2);
  }
}
const med = (x) => [...x.slice(1)].sort((p, q) => p - q)[(x.length - 1) >> 1];
console.log(`meter CPU us, calls 2-${N}: a ${med(r.a)}, b ${med(r.b)}, b/a per call ${med(r.a.map((x, i) => r.b[i] / x)).toFixed(2)}; load ${loadavg()[0].toFixed(1)}`);
