import wabt from 'wabt';
import { readFileSync } from 'node:fs';
import { meterModule } from './dist/host/meter/index.js';
const w = await wabt();
const bytes = readFileSync(process.argv[2]);
const out = process.argv[3] === 'metered' ? meterModule(bytes) : bytes;
const m = w.readWasm(out, { readDebugNames: true, features: { simd: true, bulk_memory: true, sat_float_to_int: true, sign_extension: true, mutable_globals: true, multi_value: true } });
m.generateNames(); m.applyNames();
console.log(m.toText({ foldExprs: false }));
