const D = process.argv[2];
const { BENCH_WAT } = await import(`${D}/scripts/lib/fixtures.js`);
const { wat } = await import(`${D}/scripts/lib/wat.js`);
const M = await import(`${D}/host/meter/index.js`);
const wabt = await (await import('wabt')).default();
const bytes = await wat(BENCH_WAT);
for (const form of ['transform', 'transformSole']) {
  const out = M.meterHook[form](bytes, { file: 'core0.wasm', kind: 'component' }).slice();
  const m = wabt.readWasm(out, { readDebugNames: true, tail_call: true, bulk_memory: true, multi_value: true, reference_types: true, mutable_globals: true, sign_extension: true, sat_float_to_int: true });
  console.log(`;; ===== ${form}`); console.log(m.toText({}));
}
