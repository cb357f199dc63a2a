// Builds bench.wasm from bench.wat with the repository's wabt (npm), the same features as
// scripts/lib/wat.ts. The output is committed; test/bench/results.test.ts checks that it is what
// the source builds. Run from the repository root: node guests/extism/build.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import wabtInit from 'wabt';

const here = new URL('./', import.meta.url);

export async function buildExtismPlugin() {
  const wabt = await wabtInit();
  const module = wabt.parseWat('bench.wat', readFileSync(new URL('bench.wat', here), 'utf8'));
  try {
    module.resolveNames();
    module.validate();
    return new Uint8Array(module.toBinary({ log: false, write_debug_names: true }).buffer);
  } finally {
    module.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bytes = await buildExtismPlugin();
  const target = new URL('bench.wasm', here);
  if (process.argv.includes('--check')) {
    const committed = readFileSync(target);
    if (!committed.equals(Buffer.from(bytes))) {
      console.error('guests/extism/bench.wasm is stale: run node guests/extism/build.mjs');
      process.exit(1);
    }
    console.log('guests/extism/bench.wasm is up to date');
  } else {
    writeFileSync(target, bytes);
    console.log(`built guests/extism/bench.wasm (${bytes.length} bytes)`);
  }
}
