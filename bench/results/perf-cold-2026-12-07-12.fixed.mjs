// node perf-cold-2026-12-07-12.fixed.mjs TREE [N]: the meter hook on the bench core module and on a one-empty-function module, alternated on fresh bytes; CPU medians of calls 2-11 (or 101-N)
// meter hook cost, calls 2-11, on the bench core module and on a minimal module (one empty function), alternated
const [tree] = process.argv.slice(2); const T = '/work/wt/perf-cold12';
const { meteringHook } = await import(`${tree}/dist/host/kernel/metering.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const tiny = new Uint8Array([0,97,115,109,1,0,0,0, 1,4,1,96,0,0, 3,2,1,0, 10,4,1,2,0,11]);
const hook = meteringHook(undefined);
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const r = { bench: [], tiny: [] };
for (let i = 0; i < Number(process.argv[3] ?? 11); i++) for (const [k, m] of i % 2 ? [['bench', core], ['tiny', tiny]] : [['tiny', tiny], ['bench', core]]) {
  const b = withNonce(m, i); const t = cpu(); const o = hook.transform(b, { file: 'x', kind: 'component' }); r[k].push(cpu() - t); hook.release(o);
}
const med = (x) => [...x.slice(process.argv[3] ? 100 : 1)].sort((p, q) => p - q)[(x.length - 1) >> 1];
console.log(`transform CPU us, calls ${process.argv[3] ? "101-" + process.argv[3] : "2-11"}: bench core (${core.length} B) ${med(r.bench)}, one empty function (${tiny.length} B) ${med(r.tiny)}`);
