// node tt2.mjs TREE: the bench module metered 11 times; per-call wall of transformSole and of release (the output given back), calls 2-11
const [tree] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { meterHook } = await import(`${tree}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
let rel = 0, tr = 0;
for (let i = 1; i <= 11; i++) { const a = performance.now(); const o = meterHook.transformSole(withNonce(core, i), { file: 'c', kind: 'component', fastExports: new Set(['add', 'noop']) }); const b = performance.now(); meterHook.release(o); const c = performance.now(); if (i > 1) { tr += b - a; rel += c - b; } }
console.log(`transformSole ${(tr * 100).toFixed(1)}us/call release ${(rel * 100).toFixed(1)}us/call`);
