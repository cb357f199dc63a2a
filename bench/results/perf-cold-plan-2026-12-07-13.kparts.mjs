// node kparts.mjs TREE(instrumented) N: the kernel constructor's statements, mean wall us per call, calls 2-11 and 12-N
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [tree, nStr, unm] = process.argv.slice(2);
const N = Number(nStr);
const imp = (p) => import(pathToFileURL(join(tree, p)).href);
const { Kernel } = await imp('dist/host/index.js');
const { benchHostProvider } = await imp('dist/bench/lib/subjects.js');
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const bytes = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'cp13k-'));
const acc = {}; let whole = 0;
const rep = (l, n) => { console.log(`--- ${l}`); for (const [k, v] of Object.entries(globalThis.__K)) console.log(k.padEnd(22), (v * 1000 / n).toFixed(1)); console.log('new Kernel whole'.padEnd(22), (whole * 1000 / n).toFixed(1)); globalThis.__K = {}; whole = 0; };
for (let i = 0; i < N; i++) {
  const comp = mapCoreModules(bytes, (c) => withNonce(c, i)).component;
  const t = performance.now();
  const k = new Kernel({ ...(unm ? { metering: false } : {}), cacheDir: join(scratch, `d${i}`), providers: [benchHostProvider] });
  whole += performance.now() - t;
  await k.load(comp); await k.close();
  if (i === 0) { globalThis.__K = {}; whole = 0; }
  if (i === 10) rep('calls 2-11', 10);
}
rep(`calls 12-${N}`, N - 11);
console.log('load', loadavg()[0]);
rmSync(scratch, { recursive: true, force: true });
