// node --expose-gc held.mjs <dist> [n]: bytes of JS heap an ended sandbox's core instance still reaches (instances held by a wrapper of WebAssembly.Instance, spawn + terminate n times, full collection), Keel metered/unmetered against plain
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [D, n = '300'] = process.argv.slice(2);
const N = Number(n);
const held = [];
const Real = WebAssembly.Instance;
WebAssembly.Instance = function (m, i) { const x = new Real(m, i); if (globalThis.HOLD) held.push(x); return x; };
WebAssembly.Instance.prototype = Real.prototype;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const cache = mkdtempSync(join(tmpdir(), 'ps14h-'));
const subjects = [S.plainSubject(core), await S.keelSubject(component, S.KEEL_VARIANTS[0], join(cache, 'm')), await S.keelSubject(component, S.KEEL_VARIANTS[1], join(cache, 'u'))];
const out = [];
for (const s of subjects) {
  const op = s.id === 'plain' ? async () => { s.spawn().close(); } : async () => { const x = await s.spawn(); await x.close(); };
  for (let i = 0; i < 200; i++) await op();
  held.length = 0; gc(); gc();
  const h0 = process.memoryUsage().heapUsed;
  globalThis.HOLD = true;
  for (let i = 0; i < N; i++) await op();
  globalThis.HOLD = false;
  gc(); gc();
  const h1 = process.memoryUsage().heapUsed;
  out.push(`${s.id} ${((h1 - h0) / N).toFixed(0)} B/spawn (${held.length / N} instances each)`);
  held.length = 0; gc();
}
console.log(out.join('; '));
process.exit(0);
