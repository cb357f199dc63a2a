/**
 * WAT → wasm for tests, with the `wabt` npm package (no Debian package needed).
 */
import { readFileSync } from 'node:fs';
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

/** Compile a WAT file from the repository (`guests/wat/...`). */
export async function watFile(path: string): Promise<Uint8Array> {
  const url = new URL(`../../${path}`, import.meta.url);
  return wat(readFileSync(url, 'utf8'), path);
}
