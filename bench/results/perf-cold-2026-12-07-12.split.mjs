// node --expose-gc split.mjs TREE ROUNDS [GUEST]: the bench's cold regime (new kernel + load + close, fresh bytes,
// a new cache dir each), interleaved in one process: plain compile, Keel unmetered, Keel metered with no disk cache
// (cacheDir: false), Keel metered (default). Wall and CPU per sample; medians of rounds 2.. and per-round ratios.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
const [tree, roundsArg, guest = 'bench'] = process.argv.slice(2);
const R = Number(roundsArg ?? 10);
const T = '/work/wt/perf-cold12';
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const comp = guest === 'bench' ? await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench') : new Uint8Array(readFileSync(`${T}/${guest}`));
const benchHost = { name: 'bench-host', interfaces: ['keel:bench/host'], link: () => ({ tick: (x) => (x + 1) >>> 0 }) };
const scratch = mkdtempSync(join(tmpdir(), 'split12-'));
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const subjects = {
  plain: null,
  unmetered: { metering: false },
  'metered-nodisk': { cacheDir: false },
  metered: {},
};
const names = Object.keys(subjects);
const res = Object.fromEntries(names.map((n) => [n, { c: [], w: [] }]));
let nonce = 0, dir = 0;
const la0 = loadavg().map((x) => x.toFixed(1)).join(' ');
for (let r = 0; r < R; r++) {
  for (let k = 0; k < names.length; k++) {
    const who = names[(r + k) % names.length];
    const f = mapCoreModules(comp, (c) => withNonce(c, nonce++));
    const s = cpu(), w = performance.now();
    if (who === 'plain') await Promise.all(f.cores.map((c) => WebAssembly.compile(c)));
    else {
      const o = subjects[who];
      const kernel = new Kernel({ cacheDir: join(scratch, `d${dir++}`), ...o, providers: [benchHost] });
      await kernel.load(f.component);
      await kernel.close();
    }
    const c = cpu() - s, tw = (performance.now() - w) * 1000;
    if (r >= 1) { res[who].c.push(c); res[who].w.push(tw); }
  }
}
rmSync(scratch, { recursive: true, force: true });
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const out = { tree: tree.split('/').at(-1), guest, rounds: R, load: `${la0} -> ${loadavg().map((x) => x.toFixed(1)).join(' ')}` };
for (const n of names) out[n] = { wall: Math.round(med(res[n].w)), cpu: Math.round(med(res[n].c)), wallx: +med(res[n].w.map((t, i) => t / res.plain.w[i])).toFixed(2), cpux: +med(res[n].c.map((t, i) => t / res.plain.c[i])).toFixed(2) };
console.log(JSON.stringify(out));
