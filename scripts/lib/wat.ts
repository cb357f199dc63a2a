/**
 * WAT → wasm for tests, benchmarks and the demo, with the `wabt` npm package (no Debian package needed).
 */
import wabtInit from 'wabt';

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

/** Features V8 in Node 20 accepts by default. */
export const WAT_FEATURES = {
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  multi_value: true,
  bulk_memory: true,
  reference_types: true,
  tail_call: true,
};

/** Features beyond `WAT_FEATURES` that the metering tests also use: exceptions (legacy), threads. */
export const WAT_ALL_FEATURES = { ...WAT_FEATURES, exceptions: true, threads: true };

export async function wat(source: string, name = 'inline.wat', features = WAT_FEATURES): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const module = wabt.parseWat(name, source, features);
  try {
    module.resolveNames();
    module.validate();
    return new Uint8Array(module.toBinary({ log: false, write_debug_names: true }).buffer);
  } finally {
    module.destroy();
  }
}
