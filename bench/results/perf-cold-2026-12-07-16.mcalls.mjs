// node mcalls.mjs TREE N: meterHook.transformSole per call on fresh bench bytes, in a fresh process (µs)
const [tree, nS = '40'] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { meterHook } = await import(`${tree}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const out = [];
for (let i = 0; i < Number(nS); i++) {
  const b = withNonce(core, i);
  const t = performance.now();
  const o = meterHook.transformSole(b, { file: 'x', kind: 'component' });
  out.push(((performance.now() - t) * 1000).toFixed(0));
  meterHook.release(o);
}
console.log(core.length, out.join(' '));
