// node --expose-gc bx.mjs TREE : the bench's own compare() on plain and Keel fn add, X (x.m(i, 1)) and F (f(i, 1)); U=1 adds unmetered
import { mkdtempSync } from 'node:fs'; import { tmpdir, loadavg } from 'node:os'; import { join } from 'node:path';
const T = process.argv[2];
const D = T + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const { compare } = await import(`${D}/bench/lib/measure.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const subs = [S.plainSubject(core)];
for (const v of S.KEEL_VARIANTS) if (v.id === 'keel' || process.env.U) subs.push(await S.keelSubject(component, v, mkdtempSync(join(tmpdir(), 'fn15-'))));
for (const s of subs) await S.checkSubject(s);
const inst = new Map(); for (const s of subs) inst.set(s.id, await s.spawn());
const opts = { samples: +(process.env.SAMPLES ?? 21), sampleMs: 15, warmupMs: 400, timer: 'cpu', reference: 'plain' };
const l0 = loadavg()[0];
const out = [];
const method = process.env.M ?? 'add';
const shapes = { X: ['x.m(i, 1)', undefined], F: ['f(i, 1)', 'const f = x.m;'] };
if (method === 'noop') { shapes.X[0] = 'x.m()'; shapes.F[0] = 'f()'; }
for (const sh of (process.env.SHAPES ?? 'X,F').split(',')) {
  const [expr, prelude] = shapes[sh];
  const t = await compare(subs.map((s) => ({ subject: s.id, self: { m: inst.get(s.id)[method], a: 0 }, expr, ...(prelude ? { prelude } : {}), async: s.async, units: 1 })), opts);
  out.push(`${sh} ` + t.map((r) => `${r.subject} ${r.ns.median.toFixed(2)}${r.subject === 'plain' ? '' : ' ' + r.ratio.toFixed(3)}`).join(' '));
}
for (const x of inst.values()) await x.close();
console.log(`${process.argv[2].split('/').pop()} load ${l0.toFixed(1)}-${loadavg()[0].toFixed(1)} ` + out.join(' | '));
process.exit(0);
