// node wcompile.mjs: the bench component's metered module compiled in a persistent worker thread (posted, compiled with new WebAssembly.Module, the module posted back) while this thread works B us, against a synchronous compile followed by the same work; alternating, wall percentiles
import { Worker } from 'node:worker_threads';
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { meterModule } = await import(`${T}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const metered = meterModule(mapCoreModules(comp, (c) => c).cores[0]);
const B = Number(process.argv[2] ?? 300);
const w = new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.on('message', (b) => parentPort.postMessage(new WebAssembly.Module(b)));`, { eval: true });
const compileThere = (b) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(b); });
await compileThere(withNonce(metered, 999999));
const busy = (us) => { const e = performance.now() + us / 1000; while (performance.now() < e); };
let n = 0; const a = [], s = [];
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
for (let r = 0; r < 60; r++) for (const mode of r % 2 ? ['w', 's'] : ['s', 'w']) {
  const b = withNonce(metered, n++);
  const t0 = performance.now();
  if (mode === 'w') { const p = compileThere(b); busy(B); const m = await p; if (!(m instanceof WebAssembly.Module)) throw new Error('not a module'); a.push(performance.now() - t0); }
  else { new WebAssembly.Module(b); busy(B); await null; s.push(performance.now() - t0); }
}
await w.terminate();
const pct = (x, q) => { const y = x.slice(5).sort((p, q2) => p - q2); return (y[Math.floor(q * (y.length - 1))] * 1000).toFixed(0); };
console.log(`work ${B} us: worker p25 ${pct(a, 0.25)} p50 ${pct(a, 0.5)} p75 ${pct(a, 0.75)} | sync p25 ${pct(s, 0.25)} p50 ${pct(s, 0.5)} p75 ${pct(s, 0.75)} | load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
