// node loop.mjs TREE [metered|unmetered|plain] [N]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const tree = process.argv[2];
const which = process.argv[3] ?? 'metered';
const N = Number(process.argv[4] ?? 2_000_000);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const S = await import(`${tree}/dist/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const STRING = 'k'.repeat(1024);
let inst;
if (which === 'plain') {
  const { wat } = await import(`${tree}/dist/scripts/lib/wat.js`);
  const core = new WebAssembly.Module(await wat(BENCH_WAT));
  inst = S.plainSubject(core).spawn();
} else {
  const v = S.KEEL_VARIANTS.find((x) => x.id === (which === 'metered' ? 'keel' : 'keel-unmetered'));
  const subj = await S.keelSubject(component, v, mkdtempSync(join(tmpdir(), 'pstr-')));
  inst = await subj.spawn();
}
const shout = inst.shout;
let r;
for (let i = 0; i < 200000; i++) r = shout(STRING);
if (r !== 'K' + STRING.slice(1)) throw new Error('bad result ' + String(r).slice(0, 10));
const res = [];
for (let round = 0; round < 5; round++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N / 5; i++) r = shout(STRING);
  const t1 = process.hrtime.bigint();
  res.push(Number(t1 - t0) / (N / 5));
}
res.sort((a, b) => a - b);
console.log(`${which} ${tree}: ${res.map((x) => x.toFixed(1)).join(' ')} ns  (median ${res[2].toFixed(1)})`);
process.exit(0);
