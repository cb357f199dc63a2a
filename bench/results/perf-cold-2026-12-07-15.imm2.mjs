// node imm2.mjs GUEST: the same for every metered core module of GUEST (a committed .wasm), all started together
// per guest: async compile of each metered core module started together, then one setImmediate, then await: where does the time go; vs sync
import { readFileSync } from 'node:fs';
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const guest = process.argv[2];
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { meterModule } = await import(`${T}/dist/host/meter/index.js`);
const comp = new Uint8Array(readFileSync(`${T}/${guest}`));
const cores = mapCoreModules(comp, (c) => c).cores.map((c) => meterModule(c));
console.log(cores.map((c) => c.length).join(' '));
let n = 0; const rows = [];
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
for (let r = 0; r < 12; r++) {
  const bs = cores.map((c) => withNonce(c, n++));
  const c0 = cpu(); const t0 = performance.now();
  const ps = bs.map((b) => WebAssembly.compile(b));
  const t1 = performance.now();
  await new Promise((r) => setImmediate(r));
  const t2 = performance.now();
  await Promise.all(ps);
  const t3 = performance.now(); const c1 = cpu();
  const b2 = cores.map((c) => withNonce(c, n++));
  const c2 = cpu(); const s0 = performance.now(); for (const b of b2) new WebAssembly.Module(b); const s1 = performance.now(); const c3 = cpu();
  rows.push([t1 - t0, t2 - t1, t3 - t2, c1 - c0, s1 - s0, c3 - c2]);
}
const med = (x) => x.sort((p, q) => p - q)[x.length >> 1];
const k = ['call', 'immediate', 'await', 'asyncCPU', 'sync', 'syncCPU'];
console.log(k.map((name, i) => `${name} ${(med(rows.slice(2).map((x) => x[i])) * (i === 3 || i === 5 ? 1 : 1000)).toFixed(0)}`).join(' | '));
