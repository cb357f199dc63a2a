// node --trace-gc gcload.mjs TREE N: N cold loads after a set-up load; prints a marker per load so GC lines fall between
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [tree, nS = '12'] = process.argv.slice(2);
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { benchHostProvider } = await import(`${tree}/dist/bench/lib/subjects.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'c15g-'));
for (let i = 0; i < Number(nS); i++) {
  const c = mapCoreModules(comp, (x) => withNonce(x, i)).component;
  const t = performance.now();
  const k = new Kernel({ cacheDir: join(scratch, `d${i}`), providers: [benchHostProvider] });
  await k.load(c); await k.close();
  console.log(`LOAD ${i} ${((performance.now() - t) * 1000).toFixed(0)} us`);
}
rmSync(scratch, { recursive: true, force: true });
