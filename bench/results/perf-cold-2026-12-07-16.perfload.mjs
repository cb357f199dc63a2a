// node --perf-basic-prof perfload.mjs TREE N: the bench's set-up loads, then waits for $GO (perfrun.sh attaches perf), then N metered cold loads, then $DONE, and waits for $QUIT
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [tree, nS = '10'] = process.argv.slice(2);
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { benchHostProvider } = await import(`${tree}/dist/bench/lib/subjects.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'pl16-'));
let n = 0;
for (const metering of [true, false]) {
  const k = new Kernel({ cacheDir: join(scratch, `s${n++}`), ...(metering ? {} : { metering: false }), providers: [benchHostProvider] });
  const m = await k.load(comp);
  const sb = await k.spawn(m, { grants: ['keel:bench/host'] });
  sb.fn('add')(1, 2);
  await k.close();
}
const comps = Array.from({ length: Number(nS) }, () => mapCoreModules(comp, (x) => withNonce(x, n++)).component);
const { writeFileSync, existsSync } = await import('node:fs');
writeFileSync(process.env.READY, String(process.pid));
while (!existsSync(process.env.GO)) await new Promise((r) => setTimeout(r, 5));
for (const c of comps) {
  const k = new Kernel({ cacheDir: join(scratch, `d${n++}`), providers: [benchHostProvider] });
  await k.load(c);
  await k.close();
}
writeFileSync(process.env.DONE, 'x');
while (!existsSync(process.env.QUIT)) await new Promise((r) => setTimeout(r, 5));
rmSync(scratch, { recursive: true, force: true });
