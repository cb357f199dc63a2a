// node lprof.mjs TREE OUTFILE [N]: profile metered cold loads 2..N (new kernel + load + close), inspector 10 µs
import { Session } from 'node:inspector/promises';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [tree, outFile, nS = '11'] = process.argv.slice(2);
const imp = (p) => import(`${tree}/${p}`);
const { Kernel } = await imp('dist/host/index.js');
const { benchHostProvider } = await imp('dist/bench/lib/subjects.js');
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'c18p-'));
let n = 0;
async function one(metered) {
  const c = mapCoreModules(comp, (x) => withNonce(x, n++)).component;
  const k = new Kernel({ cacheDir: join(scratch, `d${n++}`), ...(metered ? {} : { metering: false }), providers: [benchHostProvider] });
  await k.load(c); await k.close();
}
await one(true); await one(false);
const s = new Session(); s.connect();
await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 10 });
await s.post('Profiler.start');
for (let i = 2; i <= Number(nS); i++) { await one(true); }
const { profile } = await s.post('Profiler.stop');
writeFileSync(outFile, JSON.stringify(profile));
rmSync(scratch, { recursive: true, force: true });
