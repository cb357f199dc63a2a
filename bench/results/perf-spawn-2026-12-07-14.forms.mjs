// node --expose-gc --trace-gc forms.mjs <dist> [rounds]: plain V8 spawns of the bench's core module with a fuel counter's forms beside each (TRACE markers for gcsum.py):
// plain; +global: a new WebAssembly.Global (i64, mutable) per spawn; +batch: a global taken from a batch instance of 512 (Keel's imported form); +defined: the module metered with its counter defined (transformSole), instantiated with a meter's imports
import { loadavg } from 'node:os';
const [D, rounds = '5'] = process.argv.slice(2);
const { BENCH_WAT } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const M = await import(`${D}/host/meter/index.js`);
const R = await import(`${D}/host/meter/runtime.js`);
const bytes = await wat(BENCH_WAT);
const core = await WebAssembly.compile(bytes);
const tick = (x) => (x + 1) >>> 0;
const imports = { 'keel:bench/host@0.1.0': { tick } };
const definedModule = new WebAssembly.Module(M.meterHook.transformSole(bytes, { file: 'core0.wasm', kind: 'component' }).slice());
const batchModule = new WebAssembly.Module(R.fuelBatchBytes(512));
let spare = [];
const noop = () => 0;
const subjects = {
  plain: () => new WebAssembly.Instance(core, imports),
  global: () => { const g = new WebAssembly.Global({ value: 'i64', mutable: true }, 0n); return [new WebAssembly.Instance(core, imports), g]; },
  batch: () => { if (!spare.length) { const e = new WebAssembly.Instance(batchModule).exports; spare = Object.values(e); } const g = spare.pop(); return [new WebAssembly.Instance(core, imports), g]; },
  defined: () => new WebAssembly.Instance(definedModule, { ...imports, keel: { fuel_slice: noop, memory_grow: noop, table_grow: noop } }),
};
const names = Object.keys(subjects);
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) * 1000; };
const rows = Object.fromEntries(names.map((n) => [n, []]));
for (const n of names) for (let i = 0; i < 500; i++) subjects[n]();
const l0 = loadavg()[0];
for (let r = 0; r < Number(rounds); r++) for (let k = 0; k < names.length; k++) {
  const n = names[(r + k) % names.length];
  gc(); const e0 = cpu(); gc(); const e1 = cpu();
  process.stdout.write(`@@B ${n}\n`);
  const b0 = cpu();
  for (let i = 0; i < 1500; i++) subjects[n]();
  process.stdout.write('@@E\n');
  gc(); const b2 = cpu();
  rows[n].push((b2 - b0 - (e1 - e0)) / 1500);
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
console.log(`load ${l0.toFixed(1)}->${loadavg()[0].toFixed(1)} | ` + names.map((n) => `${n} ${(med(rows[n]) / 1000).toFixed(1)} us (${med(rows[n].map((x, i) => x / rows.plain[i])).toFixed(2)}x)`).join(' | '));
process.exit(0);
