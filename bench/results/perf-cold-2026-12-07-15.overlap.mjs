// node overlap.mjs: does WebAssembly.compile progress while this thread works? modes: async0 (await at once), async600 (600 us of work, then await), asyncImm600 (one setImmediate turn first), sync; medians of calls 6-40
// does WebAssembly.compile progress while the main thread is busy? busy-wait B us after the call, then time the await
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { meterModule } = await import(`${T}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const metered = meterModule(core);
let n = 0;
const busy = (us) => { const e = performance.now() + us / 1000; while (performance.now() < e); };
const res = {};
for (let r = 0; r < 40; r++) {
  for (const mode of ['async0', 'async600', 'asyncImm600', 'sync', 'async0m', 'syncm']) {
    const b = withNonce(mode.endsWith('m') ? metered : core, n++);
    const t0 = performance.now();
    let a;
    if (mode.startsWith('sync')) { new WebAssembly.Module(b); a = performance.now(); }
    else {
      const p = WebAssembly.compile(b);
      if (mode === 'asyncImm600') await new Promise((r) => setImmediate(r));
      if (mode.includes('600')) busy(600);
      a = performance.now();
      await p;
    }
    const t = performance.now();
    (res[mode] ??= []).push([t - t0, t - a]);
  }
}
const med = (x) => x.sort((p, q) => p - q)[x.length >> 1];
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(12), 'total', (med(v.slice(5).map((x) => x[0])) * 1000).toFixed(0), 'await', (med(v.slice(5).map((x) => x[1])) * 1000).toFixed(0));
console.log(core.length, metered.length);
