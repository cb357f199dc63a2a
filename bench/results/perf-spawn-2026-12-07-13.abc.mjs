// interleaved C probe spawn CPU: node --expose-gc abc.mjs n rounds distA distB ...
import { readFileSync, mkdtempSync } from 'node:fs';
import { loadavg } from 'node:os';
const [n, rounds, ...dists] = process.argv.slice(2);
const { probeTypes, probeGrants } = await import(`/work/wt/perf-spawn13/dist/test/sdk/probe-host.js`);
const wasm = new Uint8Array(readFileSync('/work/wt/perf-spawn13/guests/sdk-probe/c/probe.wasm'));
const subs = [];
for (const d of dists) {
  const { Kernel } = await import(`${d}/host/index.js`);
  const kernel = new Kernel({ cacheDir: mkdtempSync('/tmp/perf-spawn13/c-'), providers: [probeTypes] });
  const module = await kernel.load(wasm, { name: 'probe' });
  const grants = probeGrants(mkdtempSync('/tmp/perf-spawn13/pd-'));
  const op = async () => { const s = await kernel.spawn(module, { grants }); s.terminate(); };
  for (let i = 0; i < 200; i++) await op();
  subs.push({ d, op, t: [] });
}
console.log(`# load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (let r = 0; r < Number(rounds); r++) for (let k = 0; k < subs.length; k++) {
  const s = subs[(r + k) % subs.length]; gc();
  const c0 = process.cpuUsage(); for (let i = 0; i < Number(n); i++) await s.op(); gc(); const c = process.cpuUsage(c0);
  s.t.push((c.user + c.system) / Number(n));
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const s of subs) console.log(`${s.d.split('/').slice(-2).join('/')} med ${med(s.t).toFixed(0)} us [${s.t.map((x) => x.toFixed(0)).join(' ')}] ratio to first ${med(s.t.map((x, i) => x / subs[0].t[i])).toFixed(3)}`);
console.log(`# load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
process.exit(0);
