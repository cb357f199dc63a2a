// node --expose-gc phases.mjs TREE ROUNDS: bench-like cold loads (plain, keel, keel-unmetered rotated), per-phase wall medians of rounds 2..
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
const [tree, roundsS = '12'] = process.argv.slice(2);
const R = Number(roundsS);
const imp = (p) => import(`${tree}/${p}`);
const { Kernel } = await imp('dist/host/index.js');
const { benchHostProvider } = await imp('dist/bench/lib/subjects.js');
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'c18-'));
let n = 0;
for (const metering of [true, false]) {
  const k = new Kernel({ cacheDir: join(scratch, `s${n++}`), ...(metering ? {} : { metering: false }), providers: [benchHostProvider] });
  const m = await k.load(comp);
  const sb = await k.spawn(m, { grants: ['keel:bench/host'] });
  sb.fn('add')(1, 2);
  await k.close();
}
const who = ['plain', 'keel', 'unmetered'];
const res = { plain: [], keel: [], unmetered: [] };
const coreBytes = mapCoreModules(comp, (c) => c).cores[0];
for (let r = 0; r < R; r++) {
  for (let j = 0; j < 3; j++) {
    const w = who[(r + j) % 3];
    globalThis.__T = {};
    const t0 = performance.now();
    if (w === 'plain') await WebAssembly.compile(withNonce(coreBytes, n++));
    else {
      const c = mapCoreModules(comp, (x) => withNonce(x, n++)).component;
      const a = performance.now();
      const k = new Kernel({ cacheDir: join(scratch, `d${n++}`), ...(w === 'keel' ? {} : { metering: false }), providers: [benchHostProvider] });
      globalThis.__T.kernel = performance.now() - a;
      const b = performance.now();
      await k.load(c);
      globalThis.__T.load = performance.now() - b;
      const d = performance.now();
      await k.close();
      globalThis.__T.close = performance.now() - d;
    }
    globalThis.__T.total = performance.now() - t0;
    res[w].push({ ...globalThis.__T });
  }
}
rmSync(scratch, { recursive: true, force: true });
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const us = (x) => (x * 1000).toFixed(0);
const from = 1;
for (const w of who) {
  const xs = res[w].slice(from);
  const keys = Object.keys(xs.at(-1));
  console.log(w.padEnd(10), keys.map((k) => `${k} ${us(med(xs.map((x) => x[k] ?? 0)))}`).join(' | '));
}
console.log('keel/plain', (med(res.keel.slice(from).map((x, i) => x.total / res.plain[from + i].total))).toFixed(2), 'unmetered/plain', (med(res.unmetered.slice(from).map((x, i) => x.total / res.plain[from + i].total))).toFixed(2), 'load', loadavg()[0].toFixed(1));
