// node --expose-gc bx2.mjs TREE : plain add (the bench's core) against Keel unmetered fn('add') of a component whose
// add does its own read-modify-write (RMW=global|mem|none), X and F, the bench's compare()
import { mkdtempSync } from 'node:fs'; import { tmpdir, loadavg } from 'node:os'; import { join } from 'node:path';
const T = process.argv[2];
const D = T + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const { compare } = await import(`${D}/bench/lib/measure.js`);
const RMW = process.env.RMW ?? 'global';
const body = {
  global: '(global.set $g (i64.sub (global.get $g) (i64.const 3))) (i32.add (local.get 0) (local.get 1))',
  mem: '(i64.store (i32.const 8) (i64.sub (i64.load (i32.const 8)) (i64.const 3))) (i32.add (local.get 0) (local.get 1))',
  none: '(i32.add (local.get 0) (local.get 1))',
}[RMW];
const src = BENCH_WAT.replace('(i32.add (local.get 0) (local.get 1)))', body + ')').replace('(memory (export "memory") 1)', '(memory (export "memory") 1)\n  (global $g (mut i64) (i64.const 0))');
if (src === BENCH_WAT) throw new Error('no edit');
const component = await componentFromWat(src, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const unmet = S.KEEL_VARIANTS.find((v) => v.id === 'keel-unmetered');
const subs = [S.plainSubject(core), await S.keelSubject(component, unmet, mkdtempSync(join(tmpdir(), 'fn15-')))];
for (const s of subs) await S.checkSubject(s);
const inst = new Map(); for (const s of subs) inst.set(s.id, await s.spawn());
const opts = { samples: 21, sampleMs: 15, warmupMs: 400, timer: 'cpu', reference: 'plain' };
const l0 = loadavg()[0];
const out = [];
const shapes = { X: ['x.m(i, 1)', undefined], F: ['f(i, 1)', 'const f = x.m;'] };
for (const sh of ['X', 'F']) {
  const [expr, prelude] = shapes[sh];
  const t = await compare(subs.map((s) => ({ subject: s.id, self: { m: inst.get(s.id).add, a: 0 }, expr, ...(prelude ? { prelude } : {}), async: false, units: 1 })), opts);
  out.push(`${sh} ` + t.map((r) => `${r.subject} ${r.ns.median.toFixed(2)}${r.subject === 'plain' ? '' : ' ' + r.ratio.toFixed(3)}`).join(' '));
}
for (const x of inst.values()) await x.close();
console.log(`${T.split('/').pop()} RMW=${RMW} load ${l0.toFixed(1)}-${loadavg()[0].toFixed(1)} ` + out.join(' | '));
process.exit(0);
