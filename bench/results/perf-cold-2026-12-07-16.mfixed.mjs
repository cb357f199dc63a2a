// node mfixed.mjs TREE: per-call meter cost for a tiny module vs the bench module, alternating, fresh process
const [tree] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { meterHook } = await import(`${tree}/dist/host/meter/index.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
// (module (func (export "f") (result i32) i32.const 1))
const tiny = new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,96,0,1,127,3,2,1,0,7,5,1,1,102,0,0,10,6,1,4,0,65,1,11]);
const which = process.argv[3];
const out = [];
for (let i = 0; i < 14; i++) {
  const b = withNonce(which === 'tiny' ? tiny : core, i);
  const t = performance.now();
  const o = meterHook.transformSole(b, { file: 'x', kind: 'component' });
  out.push(((performance.now() - t) * 1000).toFixed(0));
  meterHook.release(o);
}
console.log(which, out.join(' '));
