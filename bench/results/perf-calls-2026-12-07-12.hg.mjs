// node --expose-gc hg.mjs TREE : the harness gap. Subjects as the quick bench builds them (SUBJ subset,
// default all), checkSubject each (NOCHECK=1 skips), one instance each; NOOP=1 runs the bench's noop
// measure first; then REPS times: the bench's compare() on add (x.m(i, 1)), and an s.mjs-style loop set
// (f(i, 1), one new Function per subject, 25 rounds interleaved), printing fn add / plain for each.
import { mkdtempSync } from 'node:fs'; import { tmpdir, loadavg } from 'node:os'; import { join } from 'node:path';
const T = process.argv[2] + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/scripts/lib/fixtures.js`);
const { wat } = await import(`${T}/scripts/lib/wat.js`);
const { compare } = await import(`${T}/bench/lib/measure.js`);
const S = await import(`${T}/bench/lib/subjects.js`);
const want = (process.env.SUBJ ?? 'plain,keel,keel-unmetered,keel-invoke,jco-1.12,jco-current,extism').split(',');
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const root = mkdtempSync(join(tmpdir(), 'fn12-'));
const all = [S.plainSubject(core)];
const keels = [];
for (const v of S.KEEL_VARIANTS) keels.push(await S.keelSubject(component, v, join(root, v.id)));
all.push(...keels, S.keelInvokeSubject(keels[0]));
if (want.includes('jco-1.12')) all.push(await S.jcoSubject(component, 'jco-1.12.0'));
if (want.includes('jco-current')) all.push(await S.jcoSubject(component, 'jco-transpile-0.3.9'));
if (want.includes('extism')) all.push(await S.extismSubject());
const subjects = all.filter((s) => want.includes(s.id));
if (!process.env.NOCHECK) for (const s of subjects) await S.checkSubject(s);
const inst = new Map();
for (const s of subjects) inst.set(s.id, await s.spawn());
const opts = { samples: 7, sampleMs: 4, warmupMs: 150, timer: 'cpu', reference: 'plain' };
const vs = (m, expr, a) => subjects.map((s) => ({ subject: s.id, self: { m: inst.get(s.id)[m], a }, expr, async: s.async, units: 1 }));
if (process.env.NOOP) await compare(vs('noop', 'x.m()'), opts);
const SX = process.env.SX ?? 'f(i, 1)';
const sync = subjects.filter((s) => !s.async && ['plain', 'keel', 'keel-unmetered'].includes(s.id));
let loopNo = 0;
const scriptRun = () => {
  const loops = sync.map((s) => ({ id: s.id, f: inst.get(s.id).add, x: { m: inst.get(s.id).add, a: undefined }, run: new Function('f', 'n', 'x', `/* ${s.id} ${loopNo++} */ let s${process.env.SINIT ?? ' = 0'}; for (let i = 0; i < n; i++) { s = ${SX}; } return s;`) }));
  if (process.env.SWARM) for (const l of loops) for (let b = 1; b < 1 << 17; b *= 2) l.run(l.f, b, l.x);
  const t = new Map(loops.map((l) => [l.id, []]));
  const N = 1_000_000;
  for (let r = 0; r < 25; r++) {
    const order = r % 2 ? [...loops].reverse() : loops;
    for (const l of order) { const a = process.cpuUsage(); l.run(l.f, N, l.x); const b = process.cpuUsage(a); t.get(l.id).push(((b.user + b.system) * 1000) / N); }
  }
  const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
  const p = t.get('plain').slice(3);
  return loops.map((l) => { const v = t.get(l.id).slice(3); return `${l.id} ${med(v).toFixed(2)} ${med(v.map((x, i) => x / p[i])).toFixed(3)}x`; }).join(' | ');
};
const REPS = +(process.env.REPS ?? 2);
for (let k = 0; k < REPS; k++) {
  if (!process.env.NOHARNESS) {
    const t = await compare(vs('add', process.env.HX ?? 'x.m(i, 1)'), opts);
    console.log(`harness load ${loadavg()[0].toFixed(1)}: ` + t.map((r) => `${r.subject} ${r.ns.median.toFixed(2)} ${r.ratio.toFixed(3)}x`).join(' | '));
  }
  if (!process.env.NOSCRIPT) console.log(`script  load ${loadavg()[0].toFixed(1)}: ` + scriptRun());
}
