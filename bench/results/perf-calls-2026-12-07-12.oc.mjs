// node --print-opt-code --print-opt-code-filter='loop*' oc.mjs TREE : plain and Keel add in loops of both shapes
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const T = process.argv[2] + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/scripts/lib/fixtures.js`);
const { wat } = await import(`${T}/scripts/lib/wat.js`);
const S = await import(`${T}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const p = S.plainSubject(core).spawn();
const k = await S.keelSubject(component, S.KEEL_VARIANTS[0], mkdtempSync(join(tmpdir(), 'fn12-')));
await S.checkSubject(k);
const kx = await k.spawn();
if (process.env.PRIME) {
  const y = await k.spawn();
  for (const args of [[-1, 1], [1, -1], ['x', 1], [1, 2n], [], [1, 2, 3]]) { try { y.add(...args); } catch (e) { if (process.env.V) console.log(e.code, e.message); } }
  await y.close();
}
const mk = (name, e) => new Function('f', 'n', 'x', `return function ${name}(f, n, x) { let s = 0; for (let i = 0; i < n; i++) { s = ${e}; } return s; }`)();
const W = process.env.WHO ?? 'keel';
const f = W === 'keel' ? kx.add : p.add;
const loopF = mk('loopF', 'f(i, 1)'), loopX = mk('loopX', 'x.m(i, 1)');
for (let r = 0; r < 5; r++) for (const [l, nm] of [[loopF, 'F'], [loopX, 'X']]) { const a = process.cpuUsage(); l(f, 1e6, { m: f, a: 0 }); const b = process.cpuUsage(a); if (r === 4) console.log(W, nm, ((b.user + b.system) / 1e3).toFixed(2)); }
