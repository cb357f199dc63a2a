// node imm3.mjs: async compile: busy B us first (decode done), then setImmediate: how long is the turn? then busy 400 us, then await
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { meterModule } = await import(`${T}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const metered = meterModule(mapCoreModules(comp, (c) => c).cores[0]);
const busy = (us) => { const e = performance.now() + us / 1000; while (performance.now() < e); };
let n = 0; const rows = {};
for (let r = 0; r < 30; r++) for (const pre of [0, 300]) {
  const b = withNonce(metered, n++);
  const t0 = performance.now();
  const p = WebAssembly.compile(b);
  busy(pre);
  const t1 = performance.now();
  await new Promise((r) => setImmediate(r));
  const t2 = performance.now();
  busy(400);
  const t3 = performance.now();
  await p;
  const t4 = performance.now();
  (rows[pre] ??= []).push([t2 - t1, t4 - t3, t4 - t0]);
}
const med = (x) => x.sort((p, q) => p - q)[x.length >> 1];
for (const [k, v] of Object.entries(rows)) console.log(`pre ${k}: immediate ${(med(v.slice(3).map((x) => x[0])) * 1000).toFixed(0)} await ${(med(v.slice(3).map((x) => x[1])) * 1000).toFixed(0)} total ${(med(v.slice(3).map((x) => x[2])) * 1000).toFixed(0)}`);
