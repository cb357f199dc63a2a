// node imm.mjs: the bench component's metered module compiled asynchronously (the call, a setImmediate turn, the await) and synchronously, alternating; medians of calls 6-40 (us; CPU in us)
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { meterModule } = await import(`${T}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const metered = meterModule(mapCoreModules(comp, (c) => c).cores[0]);
let n = 0; const rows = [];
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
for (let r = 0; r < 40; r++) {
  const b = withNonce(metered, n++);
  const c0 = cpu(); const t0 = performance.now();
  const p = WebAssembly.compile(b);
  const t1 = performance.now();
  await new Promise((r) => setImmediate(r));
  const t2 = performance.now();
  await p;
  const t3 = performance.now(); const c1 = cpu();
  const b2 = withNonce(metered, n++);
  const c2 = cpu(); const s0 = performance.now(); new WebAssembly.Module(b2); const s1 = performance.now(); const c3 = cpu();
  rows.push([t1 - t0, t2 - t1, t3 - t2, c1 - c0, s1 - s0, c3 - c2]);
}
const med = (x) => x.sort((p, q) => p - q)[x.length >> 1];
const k = ['call', 'immediate', 'await', 'asyncCPU', 'sync', 'syncCPU'];
console.log(k.map((name, i) => `${name} ${(med(rows.slice(5).map((x) => x[i])) * (i === 3 || i === 5 ? 1 : 1000)).toFixed(0)}`).join(' | '));
