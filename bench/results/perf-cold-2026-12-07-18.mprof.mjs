// node mprof.mjs TREE OUTFILE [N]: profile the bench module's meter calls 2..N (inspector, 10 µs interval)
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const [tree, outFile, nS = '11', what = 'meter'] = process.argv.slice(2);
const imp = (p) => import(`${tree}/${p}`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const { meterHook } = await imp('dist/host/meter/index.js');
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const run = (i) => { const out = meterHook.transformSole(withNonce(core, i), { file: 'core0.wasm', kind: 'component', fastExports: new Set(['add', 'noop']) }); meterHook.release(out); };
run(1);
const s = new Session(); s.connect();
await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 10 });
await s.post('Profiler.start');
for (let i = 2; i <= Number(nS); i++) run(i);
const { profile } = await s.post('Profiler.stop');
writeFileSync(outFile, JSON.stringify(profile));
