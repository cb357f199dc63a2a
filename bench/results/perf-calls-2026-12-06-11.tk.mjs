import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const D = process.argv[2] + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const { Kernel } = await import(`${D}/host/index.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const kernel = new Kernel({ cacheDir: mkdtempSync(join(tmpdir(), 'tk-')), providers: [S.benchHostProvider] });
const module = await kernel.load(component);
const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
const f = sandbox.fn('call-host');
const N = 50000;
for (let r = 0; r < 8; r++) { const a = process.hrtime.bigint(); for (let i = 0; i < N; i++) { sandbox.refuel(); f(1); } console.log(process.argv[2].slice(-12), Number(process.hrtime.bigint() - a) / N); }
