// node [flags] prof211.mjs TREE OUT what from to: profile calls from..to (1-based) of planComponent / parse / kernel / world / load in a fresh process, write OUT.cpuprofile
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Session } from 'node:inspector/promises';
const [tree, outFile, what = 'plan', fromS = '2', toS = '11'] = process.argv.slice(2);
const from = Number(fromS), to = Number(toS);
const imp = (p) => import(pathToFileURL(join(tree, p)).href);
const { planComponent } = await imp('dist/host/abi/plan.js');
const { parseComponent } = await imp('dist/host/abi/parse.js');
const { planWorld } = await imp('dist/host/loader/world.js');
const { Kernel } = await imp('dist/host/index.js');
const { benchHostProvider } = await imp('dist/bench/lib/subjects.js');
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const bytes = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'cp13q-'));
const s = new Session(); s.connect();
await s.post('Profiler.enable');
await s.post('Profiler.setSamplingInterval', { interval: 10 });
const comps = Array.from({ length: to }, (_, i) => mapCoreModules(bytes, (x) => withNonce(x, i)).component);
for (let i = 1; i <= to; i++) {
  const c = comps[i - 1];
  const plan = what === 'world' ? planComponent(c) : undefined;
  if (i === from) await s.post('Profiler.start');
  if (what === 'plan') planComponent(c);
  else if (what === 'parse') parseComponent(c);
  else if (what === 'world') planWorld(plan);
  else if (what === 'kernel') await new Kernel({ cacheDir: join(scratch, `d${i}`), providers: [benchHostProvider] }).close();
  else if (what === 'load') { const k = new Kernel({ cacheDir: join(scratch, `d${i}`), providers: [benchHostProvider] }); await k.load(c); await k.close(); }
}
const { profile } = await s.post('Profiler.stop');
writeFileSync(outFile, JSON.stringify(profile));
rmSync(scratch, { recursive: true, force: true });
