// node --expose-gc onedir.mjs TREE ROUNDS: metered cold loads (new kernel + load + close, fresh bytes) into a new cache
// directory each (the bench's row) against one cold directory shared by the samples, plain compiles interleaved; CPU and wall
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
const [tree, roundsS = '41'] = process.argv.slice(2);
const R = Number(roundsS);
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const benchHost = { name: 'bench-host', interfaces: ['keel:bench/host'], link: () => ({ tick: (x) => (x + 1) >>> 0 }) };
const scratch = mkdtempSync(join(tmpdir(), 'od16-'));
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const names = ['plain', 'newdir', 'onedir'];
const res = Object.fromEntries(names.map((n) => [n, []]));
let nonce = 0, dir = 0;
const la0 = loadavg()[0].toFixed(1);
for (let r = 0; r < R; r++) {
  for (let k = 0; k < 3; k++) {
    const who = names[(r + k) % 3];
    const s = cpu(), w = performance.now();
    if (who === 'plain') await WebAssembly.compile(withNonce(core, nonce++));
    else {
      const c = mapCoreModules(comp, (x) => withNonce(x, nonce++)).component;
      const kernel = new Kernel({ cacheDir: join(scratch, who === 'onedir' ? 'shared' : `d${dir++}`), providers: [benchHost] });
      await kernel.load(c);
      await kernel.close();
    }
    if (r >= 1) res[who].push([performance.now() - w, cpu() - s]);
  }
}
rmSync(scratch, { recursive: true, force: true });
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const f = (n, i) => `${n} ${i ? med(res[n].map((x) => x[i])).toFixed(0) : (med(res[n].map((x) => x[i])) * 1000).toFixed(0)}`;
const ratio = (i) => med(res.onedir.map((x, j) => x[i] / res.newdir[j][i])).toFixed(2);
console.log(`load ${la0}->${loadavg()[0].toFixed(1)}: wall ${names.map((n) => f(n, 0)).join(' ')} | cpu ${names.map((n) => f(n, 1)).join(' ')} | onedir/newdir per round: wall ${ratio(0)} cpu ${ratio(1)}`);
