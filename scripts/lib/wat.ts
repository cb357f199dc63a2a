/**
 * WAT → wasm for tests, benchmarks and the demo, with the `wabt` npm package (no Debian package needed).
 */
import wabtInit from 'wabt';

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

/** Features V8 in Node 20 accepts by default. */
const FEATURES = {
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  multi_value: true,
  bulk_memory: true,
  reference_types: true,
  tail_call: true,
};

export async function wat(source: string, name = 'inline.wat'): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const module = wabt.parseWat(name, source, FEATURES);
  try {
    module.resolveNames();
    module.validate();
    return new Uint8Array(module.toBinary({ log: false, write_debug_names: true }).buffer);
  } finally {
    module.destroy();
  }
}
