// node --cpu-prof prof.mjs TREE [timed|async] : a plain loop of invokeSync('add', [i, 1]) (default options) for ~6 s
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const TREE = process.argv[2], MODE = process.argv[3] ?? 'default';
const D = TREE + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const k = await S.keelSubject(component, S.KEEL_VARIANTS.find((v) => v.id === 'keel'), mkdtempSync(join(tmpdir(), 'inv13p-')));
const sb = await k.kernel.spawn(k.module, { grants: ['keel:bench/host'] });
const T = { timing: true }, U = { timing: false };
let s = 0; const t0 = performance.now(); let n = 0;
if (MODE === 'async') { while (performance.now() - t0 < 6000) { for (let i = 0; i < 100000; i++) s = (await sb.invoke('add', [i, 1])).value; n += 100000; } }
else { const o = MODE === 'timed' ? T : MODE === 'untimed' ? U : undefined; while (performance.now() - t0 < 6000) { for (let i = 0; i < 100000; i++) s = sb.invokeSync('add', [i, 1], o).value; n += 100000; } }
console.log(MODE, n, ((performance.now() - t0) * 1e6 / n).toFixed(1), 'ns wall', s);
