// node --expose-gc ab.mjs <rounds> <distA> <distB>: plain, Keel of A, Keel of B through the bench's compare() with its spawn options (1,500 a sample), interleaved
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
const [rounds, A, B] = process.argv.slice(2);
const W = '/work/wt/perf-spawn13/dist';
const { compare } = await import(`${W}/bench/lib/measure.js`);
const { spawnOptions } = await import(`${W}/bench/wasm.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${W}/scripts/lib/fixtures.js`);
const { wat } = await import(`${W}/scripts/lib/wat.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const SW = await import(`${W}/bench/lib/subjects.js`);
const subjects = [SW.plainSubject(core)];
for (const [tag, d] of [['A', A], ['B', B]]) {
  const S = await import(`${d}/bench/lib/subjects.js`);
  const s = await S.keelSubject(component, S.KEEL_VARIANTS[0], join(mkdtempSync(join(tmpdir(), 'ps13-')), tag));
  subjects.push({ ...s, id: `keel-${tag}` });
}
const variants = subjects.map((s) => s.id === 'plain' ? { subject: s.id, op: () => s.spawn().close() } : { subject: s.id, async: true, op: async () => { const x = await s.spawn(); await x.close(); } });
const l0 = loadavg();
const t = await compare(variants, { ...spawnOptions(true), samples: Number(rounds) });
const by = Object.fromEntries(t.map((x) => [x.subject, x]));
console.log(`load ${l0[0].toFixed(1)} -> ${loadavg()[0].toFixed(1)}: plain ${(by.plain.ns.median / 1000).toFixed(1)} us, A ${(by['keel-A'].ns.median / 1000).toFixed(1)} us (${by['keel-A'].ratio.toFixed(2)}x), B ${(by['keel-B'].ns.median / 1000).toFixed(1)} us (${by['keel-B'].ratio.toFixed(2)}x); B/A per round ${(by['keel-B'].ratio / by['keel-A'].ratio).toFixed(3)}`);
process.exit(0);
