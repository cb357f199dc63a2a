// node [--no-opt --no-sparkplug --no-maglev] [--cpu-prof] prof.mjs TREE N tiny|bench: the meter hook (transform + defineCounter) N times on fresh bytes; CPU per call: first, calls 2-11, 12-40, last half
// node [flags] prof.mjs TREE N which: run the meter hook N times on fresh bytes (tiny|bench)
const [tree, nArg, which] = process.argv.slice(2); const N = Number(nArg);
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { meteringHook } = await import(`${tree}/dist/host/kernel/metering.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const tiny = new Uint8Array([0,97,115,109,1,0,0,0, 1,4,1,96,0,0, 3,2,1,0, 10,4,1,2,0,11]);
const m = which === 'tiny' ? tiny : core;
const hook = meteringHook(undefined);
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const bs = []; for (let i = 0; i < N; i++) bs.push(withNonce(m, i));
const ts = [];
for (let i = 0; i < N; i++) { const t = cpu(); const o = hook.transform(bs[i], { file: 'x', kind: 'component' }); const o2 = hook.defineCounter(o); ts.push(cpu() - t); hook.release(o); hook.release(o2); }
const med = (x) => [...x].sort((p, q) => p - q)[(x.length - 1) >> 1];
console.log(which, 'first', ts[0], 'calls 2-11 med', med(ts.slice(1, 11)), 'calls 12-40', med(ts.slice(11, 40)), 'last half', med(ts.slice(N >> 1)));
