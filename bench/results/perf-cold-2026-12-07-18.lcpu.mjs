// node --expose-gc lcpu.mjs TREE [N]: bench-like metered cold loads in a fresh process (a set-up load of each
// subject first), CPU (process) and wall of each, new kernel + load + close; prints the medians of loads 2..N
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [tree, nS = '11', which = 'keel'] = process.argv.slice(2);
const imp = (p) => import(`${tree}/${p}`);
const { Kernel } = await imp('dist/host/index.js');
const { benchHostProvider } = await imp('dist/bench/lib/subjects.js');
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'c18l-'));
let n = 0;
const now = () => { const u = process.cpuUsage(); return u.user + u.system; };
async function one(metered) {
  const c = mapCoreModules(comp, (x) => withNonce(x, n++)).component;
  const t0 = now(), w0 = performance.now();
  const k = new Kernel({ cacheDir: join(scratch, `d${n++}`), ...(metered ? {} : { metering: false }), providers: [benchHostProvider] });
  await k.load(c); await k.close();
  return [now() - t0, (performance.now() - w0) * 1000];
}
await one(true); await one(false);
const cpu = [], wall = [];
for (let i = 1; i <= Number(nS); i++) { const [c, w] = await one(which === 'keel'); if (i > 1) { cpu.push(c); wall.push(w); } }
rmSync(scratch, { recursive: true, force: true });
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(Math.round(med(process.env.WALL ? wall : cpu)));
