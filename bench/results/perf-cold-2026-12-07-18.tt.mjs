// node tt.mjs TREE: the bench module metered 11 times (fresh bytes); medians over calls 2-11 of the per-call wall of the
// functions wrapfns.mjs wrapped (µs)
const [tree] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { meterHook } = await import(`${tree}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const rows = [];
for (let i = 1; i <= 11; i++) {
  globalThis.__TT = {};
  const o = meterHook.transformSole(withNonce(core, i), { file: 'c', kind: 'component', fastExports: new Set(['add', 'noop']) });
  meterHook.release(o);
  if (i > 1) rows.push(globalThis.__TT);
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(Object.keys(rows[0]).map((k) => `${k} ${(med(rows.map((r) => r[k] ?? 0)) * 1000).toFixed(1)}`).join(' | '));
