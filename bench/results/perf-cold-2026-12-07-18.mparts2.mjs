// node mparts2.mjs TREE [N]: the bench module metered N times (fresh bytes) in a tree made by minstr2.mjs; medians of calls 2..N per part (µs, wall)
const [tree, nS = '11'] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { meterHook } = await import(`${tree}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const rows = [];
for (let i = 1; i <= Number(nS); i++) { globalThis.__T = {}; const a = performance.now(); const o = meterHook.transformSole(withNonce(core, i), { file: 'c', kind: 'component', fastExports: new Set(['add', 'noop']) }); globalThis.__T.total = performance.now() - a; meterHook.release(o); if (i > 1) rows.push(globalThis.__T); }
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(Object.keys(rows[0]).map((k) => `${k} ${(med(rows.map((r) => r[k] ?? 0)) * 1000).toFixed(0)}`).join(' | '));
