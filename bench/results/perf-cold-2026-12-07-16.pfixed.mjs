// node pfixed.mjs TREE tiny|bench: planComponent per call (µs) on fresh bytes in a fresh process: a component of one
// core module exporting one function of no parameters, or the bench's component (calls 1-14)
const [tree, which = 'bench'] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { planComponent } = await import(`${tree}/dist/host/abi/plan.js`);
const comp =
  which === 'tiny'
    ? await componentFromWat('(module (func (export "f")))', 'package keel:tiny@0.1.0;\nworld tiny { export f: func(); }', 'tiny')
    : await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const out = [];
for (let i = 0; i < 14; i++) {
  const c = mapCoreModules(comp, (x) => withNonce(x, i)).component;
  const t = performance.now();
  planComponent(c);
  out.push(((performance.now() - t) * 1000).toFixed(0));
}
console.log(which, comp.length, 'B:', out.join(' '));
