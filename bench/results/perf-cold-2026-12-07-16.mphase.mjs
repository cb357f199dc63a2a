// node mphase.mjs INSTR tiny|bench: the meter's phases (timers from minstr.mjs), medians of calls 2-11 in a fresh process
const [tree, which='bench'] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { meterHook } = await import(`${tree}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const tiny = new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,96,0,1,127,3,2,1,0,7,5,1,1,102,0,0,10,6,1,4,0,65,1,11]);
const rows = [];
for (let i = 0; i < 12; i++) {
  const b = withNonce(which === 'tiny' ? tiny : core, i);
  globalThis.__T = {};
  const t = performance.now();
  const o = meterHook.transformSole(b, { file: 'x', kind: 'component' });
  globalThis.__T.total = performance.now() - t;
  rows.push(globalThis.__T);
  meterHook.release(o);
}
const keys = Object.keys(rows[1]);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(keys.map((k) => `${k} ${(med(rows.slice(1, 11).map((r) => r[k] ?? 0)) * 1000).toFixed(0)}`).join(' | '));
