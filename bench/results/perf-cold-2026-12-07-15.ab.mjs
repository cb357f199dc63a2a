// node --expose-gc perf-cold-2026-12-07-15.ab.mjs GUEST ROUNDS A=dir B=dir [opts-json]: cold loads (new kernel + load + close, new cache dir, fresh bytes) of trees A and B
// and plain compiles, interleaved in one process (order rotates); wall and CPU; round 1 dropped
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
const [guest, roundsArg, A, B, optsArg] = process.argv.slice(2);
const R = Number(roundsArg);
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const opts = optsArg ? JSON.parse(optsArg) : {};
const K = { a: (await import(`${A}/dist/host/index.js`)).Kernel, b: (await import(`${B}/dist/host/index.js`)).Kernel };
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const comp = guest === 'bench' ? await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench') : new Uint8Array(readFileSync(`${T}/${guest}`));
const benchHost = { name: 'bench-host', interfaces: ['keel:bench/host'], link: () => ({ tick: (x) => (x + 1) >>> 0 }) };
const scratch = mkdtempSync(join(tmpdir(), 'ab13-'));
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const names = ['plain', 'a', 'b'];
const res = Object.fromEntries(names.map((n) => [n, { c: [], w: [] }]));
let nonce = 0, dir = 0;
const la0 = loadavg().map((x) => x.toFixed(1)).join(' ');
for (let r = 0; r < R + 1; r++) {
  for (let k = 0; k < 3; k++) {
    const who = names[(r + k) % 3];
    const f = mapCoreModules(comp, (c) => withNonce(c, nonce++));
    const s = cpu(), w = performance.now();
    if (who === 'plain') await Promise.all(f.cores.map((c) => WebAssembly.compile(c)));
    else {
      const kernel = new K[who]({ cacheDir: join(scratch, `d${dir++}`), ...opts, providers: [benchHost] });
      await kernel.load(f.component);
      await kernel.close();
    }
    const c = cpu() - s, tw = (performance.now() - w) * 1000;
    if (r >= 1) { res[who].c.push(c); res[who].w.push(tw); }
  }
}
rmSync(scratch, { recursive: true, force: true });
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const f = (k, t) => `${med(res[k][t]).toFixed(0)} us (${med(res[k][t].map((x, i) => x / res.plain[t][i])).toFixed(2)}x)`;
console.log(`${guest} ${R} rounds, load ${la0} -> ${loadavg().map((x) => x.toFixed(1)).join(' ')}: ` +
  ['w', 'c'].map((t) => `${t === 'w' ? 'wall' : 'cpu'}: plain ${med(res.plain[t]).toFixed(0)}, a ${f('a', t)}, b ${f('b', t)}, b/a per round ${med(res.b[t].map((x, i) => x / res.a[t][i])).toFixed(2)}`).join(' | '));
