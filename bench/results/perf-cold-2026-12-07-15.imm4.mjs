// node imm4.mjs: the bench component's metered module, async (call + setImmediate + await) vs sync compile, alternating; wall percentiles over calls 6-80
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { meterModule } = await import(`${T}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const metered = meterModule(mapCoreModules(comp, (c) => c).cores[0]);
let n = 0; const a = [], s = [];
for (let r = 0; r < 80; r++) {
  for (const mode of r % 2 ? ['a', 's'] : ['s', 'a']) {
    const b = withNonce(metered, n++);
    const t0 = performance.now();
    if (mode === 'a') { const p = WebAssembly.compile(b); await new Promise((r) => setImmediate(r)); await p; a.push(performance.now() - t0); }
    else { new WebAssembly.Module(b); await null; s.push(performance.now() - t0); }
  }
}
const pct = (x, q) => { const y = x.slice(5).sort((p, q2) => p - q2); return (y[Math.floor(q * (y.length - 1))] * 1000).toFixed(0); };
console.log(`async p25 ${pct(a, 0.25)} p50 ${pct(a, 0.5)} p75 ${pct(a, 0.75)} p90 ${pct(a, 0.9)} | sync p25 ${pct(s, 0.25)} p50 ${pct(s, 0.5)} p75 ${pct(s, 0.75)} p90 ${pct(s, 0.9)} | load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
