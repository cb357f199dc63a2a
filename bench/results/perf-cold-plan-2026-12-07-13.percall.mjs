// node [flags] percall.mjs TREE N what: per-call CPU of planComponent (plan) / parse / world / kernel for calls 1..N in a fresh process; prints groups
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
const [tree, nStr, what = 'plan'] = process.argv.slice(2);
const N = Number(nStr);
const imp = (p) => import(pathToFileURL(join(tree, p)).href);
const { planComponent } = await imp('dist/host/abi/plan.js');
const { parseComponent } = await imp('dist/host/abi/parse.js');
const { planWorld } = await imp('dist/host/loader/world.js');
const { Kernel } = await imp('dist/host/index.js');
const { benchHostProvider } = await imp('dist/bench/lib/subjects.js');
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const bytes = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'cp13p-'));
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const out = [];
for (let i = 0; i < N; i++) {
  const c = mapCoreModules(bytes, (x) => withNonce(x, i)).component;
  let plan;
  if (what === 'world') plan = planComponent(c);
  const t = cpu();
  if (what === 'plan') planComponent(c);
  else if (what === 'parse') parseComponent(c);
  else if (what === 'world') planWorld(plan);
  else if (what === 'kernel') new Kernel({ cacheDir: join(scratch, `d${i}`), providers: [benchHostProvider] });
  out.push(cpu() - t);
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(what, 'call1', out[0], 'calls2-11 med', med(out.slice(1, 11)), 'calls12-40 med', med(out.slice(11, 40)), 'calls 41-N med', med(out.slice(40)), 'load', loadavg()[0].toFixed(1));
rmSync(scratch, { recursive: true, force: true });
