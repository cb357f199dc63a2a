// twins17: the bench's add loop, plain V8 and Keel's fn('add') interleaved in one process (CPU time). Run from a built tree: node --expose-gc bench/results/twins-2026-12-07-17.addloop.mjs
import { Kernel } from '../../dist/host/index.js';
import { componentFromWat, BENCH_WAT, BENCH_WIT } from '../../dist/scripts/lib/fixtures.js';
import { benchHostProvider } from '../../dist/bench/lib/subjects.js';
import { wat } from '../../dist/scripts/lib/wat.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const kernel = new Kernel({ cacheDir: mkdtempSync(join(tmpdir(), 'keel-addloop-')), providers: [benchHostProvider] });
const module = await kernel.load(component, { name: 'bench' });
const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
const add = sandbox.fn('add');
const plainInst = new WebAssembly.Instance(new WebAssembly.Module(await wat(BENCH_WAT)), { 'keel:bench/host@0.1.0': { tick: (x) => x } });
const mk = (k) => new Function('x', 'n', `/* loop ${k} */ let s; for (let i = 0; i < n; i++) s = x.m(i, 1); return s;`);
const loops = { plain: [mk(1), { m: plainInst.exports.add }], keel: [mk(2), { m: add }] };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const res = { plain: [], keel: [] };
for (let b = 1; b < 1 << 20; b *= 2) for (const k of ['plain', 'keel']) loops[k][0](loops[k][1], b);
for (let r = 0; r < 15; r++) for (const k of ['plain', 'keel']) {
  const [f, x] = loops[k]; const n = 3_000_000; const t = cpu(); f(x, n); res[k].push((cpu() - t) / n);
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(process.argv[2] ?? '', 'plain', med(res.plain).toFixed(2), 'keel', med(res.keel).toFixed(2), 'ratio', (med(res.keel) / med(res.plain)).toFixed(2));
await kernel.close();
