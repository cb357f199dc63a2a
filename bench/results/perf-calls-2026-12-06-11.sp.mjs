// node --expose-gc sp.mjs TREE... : spawn+terminate per tree (metered, the bench's keel subject) against plain's
// instantiation, and call-host(1) (tick) against plain's; interleaved, reversed every other round; median per-round ratio.
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const trees = process.argv.slice(2);
const ROUNDS = +(process.env.ROUNDS ?? 21), SP = +(process.env.SP ?? 400), TK = +(process.env.TK ?? 100000);
const subs = [];
let plain;
for (const [ti, T] of trees.entries()) {
  const D = T + '/dist';
  const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
  const { wat } = await import(`${D}/scripts/lib/wat.js`);
  const S = await import(`${D}/bench/lib/subjects.js`);
  const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
  if (!plain) { plain = S.plainSubject(await WebAssembly.compile(await wat(BENCH_WAT))); subs.push({ id: 'plain', s: plain }); }
  const k = await S.keelSubject(component, S.KEEL_VARIANTS[0], mkdtempSync(join(tmpdir(), 'fn11s-')));
  subs.push({ id: `${ti}:keel`, s: k });
}
const spawnT = new Map(subs.map((x) => [x.id, []])), tickT = new Map(subs.map((x) => [x.id, []]));
const live = new Map();
for (const x of subs) live.set(x.id, await x.s.spawn());
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...subs].reverse() : subs;
  for (const x of order) {
    let a = process.hrtime.bigint();
    for (let i = 0; i < SP; i++) { const y = await x.s.spawn(); y.close(); }
    spawnT.get(x.id).push(Number(process.hrtime.bigint() - a) / SP);
    const y = live.get(x.id);
    x.tick ??= new Function('f', 'n', `/* ${x.id} */ for (let i = 0; i < n; i++) f(1);`);
    a = process.hrtime.bigint();
    x.tick(y.callHost, TK);
    tickT.get(x.id).push(Number(process.hrtime.bigint() - a) / TK);
  }
}
const med = (a) => { const b = [...a].sort((p, q) => p - q); return b[b.length >> 1]; };
for (const [name, t] of [['spawn', spawnT], ['call-host(1)', tickT]]) {
  const p = t.get('plain').slice(2);
  for (const x of subs) { const v = t.get(x.id).slice(2); console.log(`${name.padEnd(13)} ${x.id.padEnd(8)} ${med(v).toFixed(1).padStart(9)} ns  ${med(v.map((y, i) => y / p[i])).toFixed(3)}x`); }
}
