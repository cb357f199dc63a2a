// node --expose-gc v8only.mjs <dist> <rounds>: plain V8 spawns of the bench core module as is, metered (defined counter) and metered with an imported counter from a batch, with memory maxima
// node --expose-gc v8only.mjs <dist> <rounds>: plain V8 spawns (bench protocol, 1,500 a sample) of the bench core module, as is and as the meter rewrites it (sole form: defined counter)
const [D, rounds = '9'] = process.argv.slice(2);
const { BENCH_WAT } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const M = await import(`${D}/host/meter/index.js`);
const bytes = await wat(BENCH_WAT);
const sole = M.meterHook.transformSole(bytes, { file: 'core0.wasm', kind: 'component' }).slice();
const orig = new WebAssembly.Module(bytes), met = new WebAssembly.Module(sole);
const tr = new WebAssembly.Module(M.meterHook.transform(bytes, { file: 'core0.wasm', kind: 'component' }).slice());
const batch = new WebAssembly.Instance(new WebAssembly.Module(M.fuelBatchBytes ? M.fuelBatchBytes(512) : (await import(`${D}/host/meter/runtime.js`)).fuelBatchBytes(512))).exports; let bi = 0;
const maxed = new WebAssembly.Module(await wat(BENCH_WAT.replace('(memory (export "memory") 1)', '(memory (export "memory") 1 65536)')));
const max16 = new WebAssembly.Module(await wat(BENCH_WAT.replace('(memory (export "memory") 1)', '(memory (export "memory") 1 16)')));
const imps = (m) => { const o = {}; for (const i of WebAssembly.Module.imports(m)) { (o[i.module] ??= {})[i.name] = () => 0; } return o; };
const subjects = [['orig', () => new WebAssembly.Instance(orig, imps(orig))], ['metered', () => { const x = new WebAssembly.Instance(met, imps(met)); return x.exports['keel:fuel']; }], ['max65536', () => new WebAssembly.Instance(maxed, imps(maxed))], ['max16', () => new WebAssembly.Instance(max16, imps(max16))], ['imported', () => { const o = imps(tr); o.keel.fuel = batch[bi++ & 511]; return new WebAssembly.Instance(tr, o); }]];
const cpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
const R = subjects.map(() => []);
for (let r = 0; r < Number(rounds); r++) for (let k = 0; k < subjects.length; k++) {
  const i = (r + k) % subjects.length; const f = subjects[i][1];
  gc(); const e0 = cpu(); gc(); const e1 = cpu();
  const b0 = cpu(); for (let n = 0; n < 1500; n++) f(); gc(); const b2 = cpu();
  R[i].push((b2 - b0 - (e1 - e0)) / 1500);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(subjects.map(([n], i) => `${n} ${med(R[i]).toFixed(1)} us`).join(' | '), '| metered/orig per round', med(R[1].map((x, k) => x / R[0][k])).toFixed(3), 'max/orig', med(R[2].map((x, k) => x / R[0][k])).toFixed(3), 'max16/orig', med(R[3].map((x, k) => x / R[0][k])).toFixed(3), 'imported/orig', med(R[4].map((x, k) => x / R[0][k])).toFixed(3));
