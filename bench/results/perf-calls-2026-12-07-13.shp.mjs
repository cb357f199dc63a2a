// node --expose-gc shp.mjs TREE... : plain add and each tree's metered (and unmetered unless NOUNMET) fn('add')
// under several loop shapes, one new Function loop per (subject, shape), all interleaved, reversed every other round;
// ROUNDS x N calls; median of per-round ratios to plain's loop of the same shape.
import { mkdtempSync } from 'node:fs'; import { tmpdir, loadavg } from 'node:os'; import { join } from 'node:path';
const trees = process.argv.slice(2);
const N = +(process.env.N ?? 1_000_000), ROUNDS = +(process.env.ROUNDS ?? 21);
const SHAPES = {
  F: ['', 'f(i, 1)'],            // the function held in a variable (const add = sandbox.fn('add'))
  X: ['', 'x.m(i, 1)'],          // the bench harness's: a method of an object, read in the loop
  H: ['const m = x.m; ', 'm(i, 1)'], // read once before the loop
  D: ['', 'f(i & 0xffff, s & 0xffff)'], // each call waits for the last
};
const want = (process.env.SHAPES ?? 'F,X,H').split(',');
const subjects = [];
let core;
for (const [ti, T] of trees.entries()) {
  const D = T + '/dist';
  const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
  const { wat } = await import(`${D}/scripts/lib/wat.js`);
  const S = await import(`${D}/bench/lib/subjects.js`);
  const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
  if (!core) { core = await WebAssembly.compile(await wat(BENCH_WAT)); const x = await S.plainSubject(core).spawn(); subjects.push({ id: 'plain', f: x.add }); }
  for (const v of S.KEEL_VARIANTS) {
    if (v.id !== 'keel' && process.env.NOUNMET) continue;
    const k = await S.keelSubject(component, v, mkdtempSync(join(tmpdir(), 'fn12-')));
    await S.checkSubject(k);
    const x = await k.spawn();
    subjects.push({ id: `${ti}:${v.id}`, f: x.add });
  }
}
let no = 0;
const loops = [];
for (const sh of want) for (const s of subjects) {
  const [pre, e] = SHAPES[sh];
  loops.push({ id: `${sh} ${s.id}`, sh, sid: s.id, f: s.f, x: { m: s.f, a: 0 }, run: new Function('f', 'n', 'x', `/* ${no++} */ ${pre}let s = 0; for (let i = 0; i < n; i++) { s = ${e}; } return s;`) });
}
const t = new Map(loops.map((l) => [l.id, []]));
const l0 = loadavg()[0];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...loops].reverse() : loops;
  for (const l of order) { const a = process.cpuUsage(); l.run(l.f, N, l.x); const b = process.cpuUsage(a); t.get(l.id).push(((b.user + b.system) * 1000) / N); }
}
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
const out = [];
for (const sh of want) {
  const p = t.get(`${sh} plain`).slice(3);
  out.push(`${sh}: ` + loops.filter((l) => l.sh === sh).map((l) => { const v = t.get(l.id).slice(3); return `${l.sid} ${med(v).toFixed(2)}${l.sid === 'plain' ? '' : ' ' + med(v.map((x, i) => x / p[i])).toFixed(3) + 'x'}`; }).join(' | '));
}
console.log(`load ${l0.toFixed(1)}-${loadavg()[0].toFixed(1)}\n` + out.join('\n'));
