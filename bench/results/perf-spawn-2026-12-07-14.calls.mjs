// node --expose-gc calls.mjs <dist> [rounds]: fn add (x.m(i, 1)), add held (f(i, 1)), tick (call-host(1000)/1000) of plain and Keel of <dist>, the bench's compare(), one tree per process
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
const [D, rounds = '9'] = process.argv.slice(2);
const { compare } = await import(`${D}/bench/lib/measure.js`);
const { HOST_CALLS } = await import(`${D}/bench/wasm.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const subjects = [S.plainSubject(core), await S.keelSubject(component, S.KEEL_VARIANTS[0], join(mkdtempSync(join(tmpdir(), 'ps14-')), 'k'))];
const inst = new Map();
for (const s of subjects) inst.set(s.id, await s.spawn());
const opts = { samples: Number(rounds), sampleMs: 15, warmupMs: 400, timer: 'cpu', reference: 'plain' };
const l0 = loadavg()[0];
const out = [];
for (const [name, method, expr, arg, units, prelude] of [
  ['add', 'add', 'x.m(i, 1)', undefined, 1],
  ['held', 'add', 'f(i, 1)', undefined, 1, 'const f = x.m;'],
  ['tick', 'callHost', 'x.m(x.a)', HOST_CALLS, HOST_CALLS],
]) {
  const t = await compare(subjects.map((s) => ({ subject: s.id, self: { m: inst.get(s.id)[method], a: arg }, expr, ...(prelude ? { prelude } : {}), units })), opts);
  const by = Object.fromEntries(t.map((x) => [x.subject, x]));
  const k = by[subjects[1].id];
  out.push(`${name} ${k.ratio.toFixed(3)}x (plain ${by.plain.ns.median.toFixed(1)} ns, keel ${k.ns.median.toFixed(1)} ns)`);
}
console.log(`${D.split('/').slice(-2).join('/')} load ${l0.toFixed(1)}->${loadavg()[0].toFixed(1)}: ${out.join('; ')}`);
process.exit(0);
