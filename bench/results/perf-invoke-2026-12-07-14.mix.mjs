// node --expose-gc mix.mjs TREE : the wasm group's call measures (MEASURES=noop,add,held) with the bench's own harness
// (compare: 21 samples of 15 ms, 400 ms warm-up, CPU time), TREE's dist; prints the median ns per subject.
// Subjects: plain V8 and the bench's keel-invoke (default options), and beside it by MIX:
//   0 nothing; 1 the bench's keel-invoke-timed ({ timing: true }, the same closures as keel-invoke);
//   2 a timed subject through closures of its own; 3 (keel-invoke from closures like the bench's) a second subject
//   through the same closures with { timing: false }; 4 the same with default options (a second sandbox only).
// FN=1 adds Keel's fast path (sandbox.fn).
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const TREE = process.argv[2]; const D = TREE + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const { compare } = await import(`${D}/bench/lib/measure.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const k = await S.keelSubject(component, S.KEEL_VARIANTS[0], mkdtempSync(join(tmpdir(), 'mix14-')));
// mk: the bench's keelInvokeSubject shape (one literal for every subject made by it)
const mk = (id, options) => ({ id, async spawn() { const sandbox = await k.kernel.spawn(k.module, { grants: ['keel:bench/host'] });
  return { noop: () => sandbox.invokeSync('noop', undefined, options).value, add: (a, b) => sandbox.invokeSync('add', [a, b], options).value }; } });
const mk2 = (id, options) => ({ id, async spawn() { const sandbox = await k.kernel.spawn(k.module, { grants: ['keel:bench/host'] });
  return { noop: () => sandbox.invokeSync('noop', undefined, options).value, add: (a, b) => sandbox.invokeSync('add', [a, b], options).value }; } });
const MIX = process.env.MIX ?? '0';
const subjects = [S.plainSubject(core), MIX === '3' || MIX === '4' ? mk('keel-invoke') : S.keelInvokeSubject(k)];
if (MIX === '1') subjects.push(S.keelInvokeSubject(k, true));
if (MIX === '2') subjects.push(mk2('timed-own-closure', Object.freeze({ timing: true })));
if (MIX === '3') subjects.push(mk('untimed-shape2', Object.freeze({ timing: false })));
if (MIX === '4') subjects.push(mk('untimed-same'));
if (process.env.FN === '1') subjects.push(k);
const inst = new Map(); for (const s of subjects) inst.set(s.id, await s.spawn());
const opts = { samples: +(process.env.SAMPLES ?? 21), sampleMs: 15, warmupMs: 400, timer: 'cpu', reference: 'plain' };
const out = [];
for (const [m, expr, prelude] of (process.env.MEASURES ?? 'noop,add,held').split(',').map((m) => m === 'noop' ? ['noop', 'x.m()'] : m === 'add' ? ['add', 'x.m(i, 1)'] : ['add', 'f(i, 1)', 'const f = x.m;'])) {
  const t = await compare(subjects.map((s) => ({ subject: s.id, self: { m: inst.get(s.id)[m] }, expr, ...(prelude ? { prelude } : {}) })), opts);
  out.push(`${(prelude ? 'held' : m).padEnd(5)} ` + t.map((r) => `${r.subject} ${r.ns.median.toFixed(1)}`).join('  '));
}
console.log(`MIX=${process.env.MIX ?? 0} FN=${process.env.FN ?? 0} ${out.join(' | ')}`);
