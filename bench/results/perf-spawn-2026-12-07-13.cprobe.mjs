// node --expose-gc cprobe.mjs <dist> cpu|gc [n]
import { readFileSync, mkdtempSync } from 'node:fs';
const d = process.argv[2]; const mode = process.argv[3] ?? 'gc'; const n = Number(process.argv[4] ?? 200);
const { probeTypes, probeGrants } = await import(`/work/wt/perf-spawn13/dist/test/sdk/probe-host.js`);
const { Kernel } = await import(`${d}/host/index.js`);
const kernel = new Kernel({ cacheDir: mkdtempSync('/tmp/perf-spawn13/c-'), providers: [probeTypes] });
const module = await kernel.load(new Uint8Array(readFileSync('/work/wt/perf-spawn13/guests/sdk-probe/c/probe.wasm')), { name: 'probe' });
const grants = probeGrants(mkdtempSync('/tmp/perf-spawn13/pd-'));
const op = async () => { const s = await kernel.spawn(module, { grants }); s.terminate(); };
for (let i = 0; i < 300; i++) await op();
gc(); const t0 = process.cpuUsage();
for (let r = 0; r < 5; r++) { for (let i = 0; i < n; i++) await op(); gc(); }
const c = process.cpuUsage(t0);
console.log(`cpu per spawn + terminate ${((c.user + c.system) / (5 * n)).toFixed(1)} us`);
