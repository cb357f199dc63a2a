// node --cpu-prof prof.mjs TREE [timed|untimed|async] [N]
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const T = process.argv[2], mode = process.argv[3] ?? 'untimed', N = +(process.argv[4] ?? 3_000_000);
const D = T + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const k = await S.keelSubject(component, S.KEEL_VARIANTS.find((v) => v.id === 'keel'), mkdtempSync(join(tmpdir(), 'inv12-')));
const sb = await k.kernel.spawn(k.module, { grants: ['keel:bench/host'] });
const U = { timing: false };
async function run(n) {
  let s = 0;
  if (mode === 'async') for (let i = 0; i < n; i++) s += (await sb.invoke('add', [i & 0xffff, 1], U)).value;
  else if (mode === 'untimed') for (let i = 0; i < n; i++) s += sb.invokeSync('add', [i & 0xffff, 1], U).value;
  else for (let i = 0; i < n; i++) s += sb.invokeSync('add', [i & 0xffff, 1]).value;
  return s;
}
await run(200000);
const c0 = process.cpuUsage(); const s = await run(N); const c1 = process.cpuUsage(c0);
console.log(mode, ((c1.user + c1.system) * 1e3 / N).toFixed(1), 'ns/call', s);
