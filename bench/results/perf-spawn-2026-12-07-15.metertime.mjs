// node metertime.mjs <distA> <distB> <file> [rounds]: meterModule CPU time on one module, builds interleaved
import { readFileSync } from 'node:fs';
const [A, B, file, rounds = '9'] = process.argv.slice(2);
const MA = await import(`${A}/host/meter/index.js`), MB = await import(`${B}/host/meter/index.js`);
let bytes = new Uint8Array(readFileSync(file));
if (!(bytes[4] === 1 && bytes[6] === 0)) { const { mapCoreModules } = await import(`${B}/bench/lib/nonce.js`); bytes = mapCoreModules(bytes, (c) => c).cores.sort((x, y) => y.length - x.length)[0]; }
const t = { A: [], B: [] };
for (let r = 0; r < Number(rounds); r++) for (const [k, M] of r % 2 ? [['A', MA], ['B', MB]] : [['B', MB], ['A', MA]]) {
  const c0 = process.cpuUsage(); M.meterModule(bytes, {}); const c = process.cpuUsage(c0); t[k].push((c.user + c.system) / 1000);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`${bytes.length} bytes: A ${med(t.A).toFixed(1)} ms, B ${med(t.B).toFixed(1)} ms`);
