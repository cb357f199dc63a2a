// node --expose-gc --max-semi-space-size=64 alloc.mjs TREE [N]: JS heap bytes allocated per cold load (heapUsed delta, no GC between), calls 2-11, plus external
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const tree = process.argv[2];
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { benchHostProvider } = await import(`${tree}/dist/bench/lib/subjects.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'c15a-'));
let n = 0; const out = [];
const N = Number(process.argv[3] ?? 12); for (let i = 0; i < N; i++) {
  const c = mapCoreModules(comp, (x) => withNonce(x, n++)).component;
  gc(); const m0 = process.memoryUsage();
  const k = new Kernel({ cacheDir: join(scratch, `d${n++}`), providers: [benchHostProvider] });
  await k.load(c); await k.close();
  const m1 = process.memoryUsage();
  if (i < 12 || i >= N - 8) out.push(`${((m1.heapUsed - m0.heapUsed) / 1024).toFixed(0)}K/${((m1.external + m1.arrayBuffers - m0.external - m0.arrayBuffers) / 1024).toFixed(0)}K`);
}
console.log(out.join(' '));
rmSync(scratch, { recursive: true, force: true });
