// node perf-calls-2026-12-07-16.probe.mjs TREE: fn(add) on budgets of 10-300,000 fuel, 200,000 calls each: how many ran, what the sandbox reports (main: all ran, used clamped at the budget)
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const D = (process.argv[2] ?? '/work/main') + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { Kernel } = await import(`${D}/host/index.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const kernel = new Kernel({ cacheDir: mkdtempSync(join(tmpdir(), 'p16-')), providers: [S.benchHostProvider] });
const module = await kernel.load(component, { name: 'bench' });
for (const fuel of [10, 11, 12, 13, 300000]) {
  const sb = await kernel.spawn(module, { grants: ['keel:bench/host'], limits: { fuel } });
  const add = sb.fn('add'); const noop = sb.fn('noop');
  let n = 0, err;
  try { for (; n < 200000; n++) add(n, 1); } catch (e) { err = e.code ?? e.message; }
  console.log('fuel', fuel, 'calls', n, 'err', err, 'fuel()', JSON.stringify(sb.fuel()), sb.state);
}
const sb = await kernel.spawn(module, { grants: ['keel:bench/host'], limits: { fuel: 10 } });
const noop = sb.fn('noop'); let n=0, err; try { for (; n < 100; n++) noop(); } catch (e) { err = e.code; } console.log('noop', n, err, JSON.stringify(sb.fuel()));
await kernel.close();
