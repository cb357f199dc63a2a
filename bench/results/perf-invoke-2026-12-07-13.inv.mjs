// node --expose-gc inv.mjs TREE... : plain add vs each tree's invokeSync add: default options, { timing: false },
// { timing: true }, and await invoke (default, timing: true); loops made with new Function per subject, interleaved,
// reversed every other round; ROUNDS x N calls; CPU time; median ns, per-round ratio to plain and to tree 0's same subject.
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const trees = process.argv.slice(2);
const N = +(process.env.N ?? 4000), ROUNDS = +(process.env.ROUNDS ?? 151);
const ONLY = process.env.ONLY ? new RegExp(process.env.ONLY) : null;
const subjects = [];
let core;
const U = { timing: false }, T = { timing: true };
for (const [ti, TREE] of trees.entries()) {
  const D = TREE + '/dist';
  const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
  const { wat } = await import(`${D}/scripts/lib/wat.js`);
  const S = await import(`${D}/bench/lib/subjects.js`);
  const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
  if (!core) { core = await WebAssembly.compile(await wat(BENCH_WAT)); const p = S.plainSubject(core); const x = await p.spawn(); subjects.push({ id: 'plain', f: x.add, e: 'f(i, 1)' }); }
  const v = S.KEEL_VARIANTS.find((v) => v.id === 'keel');
  const k = await S.keelSubject(component, v, mkdtempSync(join(tmpdir(), 'inv13-')));
  const sb = await k.kernel.spawn(k.module, { grants: ['keel:bench/host'] });
  subjects.push({ id: `${ti}:add-d`, f: sb, e: "f.invokeSync('add', [i, 1]).value" });
  subjects.push({ id: `${ti}:add-u`, f: sb, e: "f.invokeSync('add', [i, 1], u).value" });
  subjects.push({ id: `${ti}:add-t`, f: sb, e: "f.invokeSync('add', [i, 1], t).value" });
  subjects.push({ id: `${ti}:noop-d`, f: sb, e: "f.invokeSync('noop').value" });
  if (!process.env.NOASYNC) {
    subjects.push({ id: `${ti}:async-d`, f: sb, e: "(await f.invoke('add', [i, 1])).value", async: true });
    subjects.push({ id: `${ti}:async-u`, f: sb, e: "(await f.invoke('add', [i, 1], u)).value", async: true });
    subjects.push({ id: `${ti}:async-t`, f: sb, e: "(await f.invoke('add', [i, 1], t)).value", async: true });
  }
}
const AF = Object.getPrototypeOf(async function () {}).constructor;
const loops = subjects.filter((s) => !ONLY || s.id === 'plain' || ONLY.test(s.id)).map((s) => ({ ...s, run: new (s.async ? AF : Function)('f', 'n', 'u', 't', `/* ${s.id} */ let s = 0; for (let i = 0; i < n; i++) { s = ${s.e}; } return s;`) }));
const tm = new Map(loops.map((l) => [l.id, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...loops].reverse() : loops;
  for (const l of order) { globalThis.gc?.(); const a = process.cpuUsage(); const s = l.run(l.f, N, U, T); if (l.async) await s; const b = process.cpuUsage(a); tm.get(l.id).push((b.user + b.system) * 1000 / N); }
}
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
const q = (a, p) => { const b = [...a].sort((x, y) => x - y); return b[Math.floor((b.length - 1) * p)]; };
const plain = tm.get('plain').slice(3);
for (const l of loops) { const v = tm.get(l.id).slice(3); const ratios = v.map((x, i) => x / plain[i]); console.log(`${l.id.padEnd(12)} p10 ${q(v, 0.1).toFixed(1).padStart(6)} med ${med(v).toFixed(1).padStart(7)} ns [${q(v, 0.25).toFixed(1)}-${q(v, 0.75).toFixed(1)}]  ${med(ratios).toFixed(2)}x plain`); }
for (const l of loops) { const m = /^(\d+):(.*)$/.exec(l.id); if (!m || m[1] === '0') continue; const base = tm.get(`0:${m[2]}`); if (!base) continue; const v = tm.get(l.id); const r = v.map((x, i) => x / base[i]).slice(3); console.log(`${l.id.padEnd(12)} / 0:${m[2].padEnd(8)} med ${med(r).toFixed(3)} [${q(r, 0.25).toFixed(3)}-${q(r, 0.75).toFixed(3)}]`); }
