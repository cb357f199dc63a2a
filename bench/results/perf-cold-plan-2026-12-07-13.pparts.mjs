// node pparts.mjs TREE(instrumented) N: planComponent's parts (globalThis.__K), mean us per call, calls 2-11 and 12-N, fresh bench bytes
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
const [tree, nStr] = process.argv.slice(2);
const N = Number(nStr);
const imp = (p) => import(pathToFileURL(join(tree, p)).href);
const { planComponent } = await imp('dist/host/abi/plan.js');
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const bytes = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
let whole = 0;
const rep = (l, n) => { console.log(`--- ${l}`); for (const [k, v] of Object.entries(globalThis.__K).sort()) console.log(k.padEnd(24), (v * 1000 / n).toFixed(1)); console.log('planComponent whole'.padEnd(24), (whole * 1000 / n).toFixed(1)); globalThis.__K = {}; whole = 0; };
for (let i = 0; i < N; i++) {
  const comp = mapCoreModules(bytes, (c) => withNonce(c, i)).component;
  const t = performance.now();
  planComponent(comp);
  whole += performance.now() - t;
  if (i === 0) { globalThis.__K = {}; whole = 0; }
  if (i === 10) rep('calls 2-11', 10);
}
rep(`calls 12-${N}`, N - 11);
console.log('load', loadavg()[0]);
