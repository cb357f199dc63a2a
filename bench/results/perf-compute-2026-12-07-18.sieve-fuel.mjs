// sieve18: two metered forms of a compute kernel charge the same fuel. Each `run(n)` at ten sizes
// under six limits (the default slice, slices of 997 and 7, budgets that run out part-way):
// the result or the error's code, and `meter.used()`, equal. After `npm run build`:
//   node bench/results/perf-compute-2026-12-07-18.sieve-fuel.mjs A.wasm B.wasm
import { readFileSync } from 'node:fs';
import { createMeterRuntime } from '../../dist/host/meter/index.js';

const [a, b] = process.argv.slice(2);
const modules = [a, b].map((path) => new WebAssembly.Module(readFileSync(path)));
const MAX = Number.MAX_SAFE_INTEGER;
const LIMITS = [
  { fuel: MAX },
  { fuel: MAX, sliceFuel: 997 },
  { fuel: MAX, sliceFuel: 7 },
  { fuel: 123457, sliceFuel: 997 },
  { fuel: 5000000, sliceFuel: 131072 },
  { fuel: 777, sliceFuel: 7 },
];

function go(module, n, limits) {
  const meter = createMeterRuntime({ memoryBytes: 65536 * 65536, tableElements: 1e7, ...limits });
  const imports = { keel: meter.imports.keel, env: { abort: () => { throw new Error('abort'); } } };
  const run = new WebAssembly.Instance(module, imports).exports.run;
  try {
    return JSON.stringify({ result: run(n), used: meter.used() });
  } catch (error) {
    return JSON.stringify({ error: error.code ?? String(error), used: meter.used() });
  }
}

let differ = 0;
let total = 0;
for (const n of [0, 1, 2, 3, 5, 17, 100, 1000, 65537, 1000000])
  for (const limits of LIMITS) {
    const x = go(modules[0], n, limits);
    const y = go(modules[1], n, limits);
    total++;
    if (x !== y) {
      differ++;
      console.log('differ', n, JSON.stringify(limits), x, y);
    }
  }
console.log(`${total - differ} of ${total} equal`);
