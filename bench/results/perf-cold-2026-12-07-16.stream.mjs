// node stream.mjs TREE N WORKUS: sync compile vs compileStreaming + work overlapped, metered bench module, fresh bytes each
const [tree, nS = '40', workS = '300'] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { meterHook } = await import(`${tree}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const work = (us) => { const e = performance.now() + us / 1000; let x = 0; while (performance.now() < e) x++; return x; };
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const W = Number(workS);
const res = { sync: [], stream: [], async: [] };
const names = ['sync', 'stream', 'async'];
let n = 0;
for (let i = 0; i < Number(nS); i++) {
  for (let k = 0; k < 3; k++) {
    const who = names[(i + k) % 3];
    const m = meterHook.transformSole(withNonce(core, n++), { file: 'x', kind: 'component' }).slice();
    const c0 = cpu(), t0 = performance.now();
    if (who === 'sync') { new WebAssembly.Module(m); work(W); }
    else if (who === 'async') { const p = WebAssembly.compile(m); work(W); await p; }
    else {
      const p = WebAssembly.compileStreaming(new Response(m, { headers: { 'content-type': 'application/wasm' } }));
      for (let j = 0; j < 8; j++) await null;
      work(W); await p;
    }
    if (i >= 5) res[who].push([performance.now() - t0, cpu() - c0]);
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(names.map((k) => `${k} wall ${(med(res[k].map((x) => x[0])) * 1000).toFixed(0)} cpu ${med(res[k].map((x) => x[1])).toFixed(0)}`).join(' | '), 'load', (await import('node:os')).loadavg()[0]);
