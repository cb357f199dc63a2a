// node --expose-gc s.mjs TREE... : plain add vs each tree's sandbox.fn('add') (metered, and unmetered unless NOUNMET=1),
// loops made with new Function per subject, interleaved, reversed every other round; ROUNDS x N calls; median per-round ratio to plain.
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const trees = process.argv.slice(2);
const EXPR = process.env.EXPR ?? 'f(i, 1)';
const N = +(process.env.N ?? 1_000_000), ROUNDS = +(process.env.ROUNDS ?? 25);
const subjects = [];
let core;
for (const [ti, T] of trees.entries()) {
  const D = T + '/dist';
  const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
  const { wat } = await import(`${D}/scripts/lib/wat.js`);
  const S = await import(`${D}/bench/lib/subjects.js`);
  const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
  if (!core) { core = await WebAssembly.compile(await wat(BENCH_WAT)); const p = S.plainSubject(core); const x = await p.spawn(); subjects.push({ id: 'plain', f: x.add }); }
  for (const v of S.KEEL_VARIANTS) {
    if (v.id !== 'keel' && process.env.NOUNMET) continue;
    const k = await S.keelSubject(component, v, mkdtempSync(join(tmpdir(), 'fn11-')));
    if (!process.env.NOCHECK) await S.checkSubject(k);
    const x = await k.spawn();
    subjects.push({ id: `${ti}:${v.id}`, f: x.add });
  }
}
const loops = subjects.map((s) => ({ ...s, run: new Function('f', 'n', `/* ${s.id} */ let s = 0; for (let i = 0; i < n; i++) { s = ${EXPR}; } return s;`) }));
const t = new Map(loops.map((l) => [l.id, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...loops].reverse() : loops;
  for (const l of order) { const a = process.cpuUsage(); l.run(l.f, N); const b = process.cpuUsage(a); t.get(l.id).push((b.user + b.system) * 1000 / N); }
}
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
const plain = t.get('plain').slice(3);
for (const l of loops) { const v = t.get(l.id).slice(3); const ratios = v.map((x, i) => x / plain[i]); console.log(`${l.id.padEnd(18)} ${med(v).toFixed(2)} ns  ${med(ratios).toFixed(3)}x`); }
