// node [flags] perf-cold-meter-2026-12-07-14.calls.mjs TREE c|rust|js N PRE: the meter hook's transform over a guest's core
// modules N times in a fresh process (after PRE sole-module meters of the bench component's core
// module, as a process that loaded the bench component first); per call: process CPU (V8's compile
// threads included) and the main thread's own CPU (/proc/self/task/PID/schedstat), in ms.
const [tree, which, nArg, preArg] = process.argv.slice(2);
const N = Number(nArg ?? 12);
const PRE = Number(preArg ?? 0);
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { readFileSync } = await import('node:fs');
const { loadavg } = await import('node:os');
const { meteringHook } = await import(`${tree}/dist/host/kernel/metering.js`);
const P = { c: 'guests/sdk-probe/c/probe.wasm', rust: 'guests/sdk-probe/rust/probe.wasm', js: 'guests/js/bench/build/bench.wasm' };
const { cores } = mapCoreModules(new Uint8Array(readFileSync(`${T}/${P[which]}`)), (c) => c);
const hook = meteringHook(undefined);
if (PRE) {
  const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
  const core = mapCoreModules(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'), (c) => c).cores[0];
  for (let i = 0; i < PRE; i++) hook.release(hook.transformSole(withNonce(core, i), {}));
}
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const main = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
await new Promise((r) => setTimeout(r, 300));
const ts = [], ms = [];
for (let i = 0; i < N; i++) {
  const t = cpu(), m = main();
  for (const c of cores) hook.release(hook.transform(c, {}));
  ts.push(cpu() - t); ms.push(main() - m);
}
const sum = (x) => x.reduce((a, b) => a + b, 0);
const f = (x) => x.map((v) => (v / 1000).toFixed(1)).join(' ');
console.log(`${which} main: ${f(ms)} process: ${f(ts)} sum ${(sum(ts) / 1000).toFixed(0)} | main ${(sum(ms) / 1000).toFixed(0)} load ${loadavg()[0].toFixed(1)}`);
