// node cmp.mjs A B: the bench component's core module metered (meterModule) by both trees: lengths, and whether the bytes are the same
const [a, b] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${a}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules } = await import(`${a}/dist/bench/lib/nonce.js`);
const A = await import(`${a}/dist/host/meter/index.js`); const B = await import(`${b}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const x = A.meterModule(core), y = B.meterModule(core);
console.log(x.length, y.length, Buffer.compare(Buffer.from(x), Buffer.from(y)) === 0 ? 'same' : 'DIFF');
