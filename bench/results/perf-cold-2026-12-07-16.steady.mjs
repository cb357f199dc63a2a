// node --expose-gc steady.mjs TREE ROUNDS [flags note]: cold loads (new kernel + load + close, new dir, fresh bytes) rotated with plain compiles and unmetered; medians by round window
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
const [tree, roundsS = '200'] = process.argv.slice(2);
const R = Number(roundsS);
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const benchHost = { name: 'bench-host', interfaces: ['keel:bench/host'], link: () => ({ tick: (x) => (x + 1) >>> 0 }) };
const scratch = mkdtempSync(join(tmpdir(), 'st16-'));
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const names = ['plain', 'keel', 'unmetered'];
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
      const kernel = new Kernel({ cacheDir: join(scratch, `d${dir++}`), ...(who === 'keel' ? {} : { metering: false }), providers: [benchHost] });
      await kernel.load(c);
      await kernel.close();
    }
    res[who].push([performance.now() - w, cpu() - s]);
  }
}
rmSync(scratch, { recursive: true, force: true });
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const win = (from, to) => names.map((n) => { const xs = res[n].slice(from, to); return `${n} ${(med(xs.map((x) => x[0])) * 1000).toFixed(0)}/${med(xs.map((x) => x[1])).toFixed(0)}`; }).join(' ') +
  ` ratio(cpu) keel ${med(res.keel.slice(from, to).map((x, i) => x[1] / res.plain[from + i][1])).toFixed(2)} unmet ${med(res.unmetered.slice(from, to).map((x, i) => x[1] / res.plain[from + i][1])).toFixed(2)}`;
console.log(`load ${la0}->${loadavg()[0].toFixed(1)} rounds 2-11: ${win(1, 11)} || rounds ${R - 50}-${R}: ${win(R - 50, R)}  (wall/cpu us)`);
