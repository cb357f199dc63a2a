/**
 * Builds the committed binaryen corpus for differential fuzzing: modules made by Debian
 * binaryen's `wasm-opt -ttf` ("translate to fuzz") from seeded random bytes, restricted to
 * the features Node 20's V8 ships. Only this script needs binaryen; the output is committed.
 *
 *     apt-get install -y binaryen        # version 108
 *     npm run build && node dist/scripts/fuzz-corpus.js [--modules 150]
 *
 * Writes `test/fuzz/corpus/binaryen-ttf.json.gz`: `{ generator, flags, modules: [{ seed, wasm }] }`
 * (wasm as base64). Modules V8 rejects are left out and counted.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from '../test/fuzz/rng.js';
import { repoRoot } from '../test/spec/suite.js';

export const TTF_FLAGS = [
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-bulk-memory',
  '--enable-multivalue',
  '--enable-simd',
  '--enable-mutable-globals',
  '--enable-tail-call',
  '--enable-exception-handling',
];

function main(): void {
  const i = process.argv.indexOf('--modules');
  const count = i >= 0 ? Number(process.argv[i + 1]) : 150;
  const version = spawnSync('wasm-opt', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (!version) throw new Error('wasm-opt not found: apt-get install -y binaryen');
  const work = mkdtempSync(join(tmpdir(), 'keel-ttf-'));
  const modules: { seed: number; wasm: string }[] = [];
  let rejected = 0;
  try {
    for (let seed = 1; modules.length < count; seed++) {
      const rng = new Rng(seed * 7919);
      const input = join(work, 'input.dat');
      const output = join(work, 'out.wasm');
      writeFileSync(input, new Uint8Array(rng.bytes(1000 + rng.int(7000))));
      const r = spawnSync('wasm-opt', [input, '-ttf', ...TTF_FLAGS, '-o', output], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`wasm-opt failed for seed ${seed}: ${r.stderr}`);
      const bytes = new Uint8Array(readFileSync(output));
      if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
        rejected++;
        continue;
      }
      modules.push({ seed, wasm: Buffer.from(bytes).toString('base64') });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const dir = join(repoRoot(), 'test/fuzz/corpus');
  mkdirSync(dir, { recursive: true });
  const data = { generator: `${version} -ttf`, flags: TTF_FLAGS, modules };
  writeFileSync(join(dir, 'binaryen-ttf.json.gz'), gzipSync(JSON.stringify(data), { level: 9 }));
  console.log(`${modules.length} modules written (${rejected} rejected by V8), ${version}`);
}

main();
