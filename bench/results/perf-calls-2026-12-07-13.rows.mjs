// node --expose-gc rows.mjs TREE : plain and the tree's Keel (metered, unmetered) on noop, call-host(1000) (per host call)
// and shout(1 KiB), each in its own loop, interleaved and reversed every other round; median of per-round ratios to plain.
import { mkdtempSync } from 'node:fs'; import { tmpdir, loadavg } from 'node:os'; import { join } from 'node:path';
const D = process.argv[2] + '/dist';
const ROUNDS = +(process.env.ROUNDS ?? 15);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const subjects = [{ id: 'plain', x: await S.plainSubject(core).spawn() }];
for (const v of S.KEEL_VARIANTS) {
  const k = await S.keelSubject(component, v, mkdtempSync(join(tmpdir(), 'fn13-')));
  await S.checkSubject(k);
  subjects.push({ id: v.id, x: await k.spawn() });
}
const text = 'x'.repeat(1024);
const ROWS = {
  noop: [2_000_000, 'let s = 0; for (let i = 0; i < n; i++) { s = x.noop(); } return s;', 1],
  tick: [400, 'let s = 0; for (let i = 0; i < n; i++) { s = x.callHost(1000); } return s;', 1000],
  shout: [20_000, 'let s; for (let i = 0; i < n; i++) { s = x.shout(t); } return s;', 1],
};
const WANT = (process.env.ROWS ?? 'noop,tick,shout').split(',');
const loops = [];
for (const [row, [n, body, per]] of Object.entries(ROWS).filter(([r]) => WANT.includes(r)))
  for (const s of subjects) loops.push({ row, sid: s.id, x: s.x, n, per, run: new Function('x', 'n', 't', `/* ${row} ${s.id} */ ${body}`) });
const t = new Map(loops.map((l) => [`${l.row} ${l.sid}`, []]));
const l0 = loadavg()[0];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...loops].reverse() : loops;
  for (const l of order) { const a = process.cpuUsage(); l.run(l.x, l.n, text); const b = process.cpuUsage(a); t.get(`${l.row} ${l.sid}`).push(((b.user + b.system) * 1000) / (l.n * l.per)); }
}
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
const out = [];
for (const row of WANT) {
  const p = t.get(`${row} plain`).slice(2);
  out.push(`${row}: ` + subjects.map((s) => { const v = t.get(`${row} ${s.id}`).slice(2); return `${s.id} ${med(v).toFixed(2)}${s.id === 'plain' ? '' : ' ' + med(v.map((x, i) => x / p[i])).toFixed(3) + 'x'}`; }).join(' | '));
}
console.log(`load ${l0.toFixed(1)}-${loadavg()[0].toFixed(1)}\n` + out.join('\n'));
