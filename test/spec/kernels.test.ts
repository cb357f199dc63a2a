/**
 * Real programs under every transform: each compute-bench kernel (C and AssemblyScript,
 * bench/compute) returns the checksum of the native C build, on plain V8 and transformed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './suite.js';
import { instantiateWith, TRANSFORMS } from './transforms.js';

const dir = join(repoRoot(), 'bench/compute');
const spec = JSON.parse(readFileSync(join(dir, 'kernels.json'), 'utf8')) as {
  kernels: { name: string; quickN: number; checksum: Record<string, number> }[];
};
const abort = () => {
  throw new Error('abort');
};

describe('compute kernels', () => {
  const subjects = spec.kernels.flatMap((k) => ['c', 'as'].map((lang) => [`${lang}-${k.name}`, k] as const));
  it.each(subjects)('%s gives its native checksum on plain V8 and under every transform', (subject, k) => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'wasm', `${subject}.wasm`)));
    for (const t of [undefined, ...TRANSFORMS]) {
      const code = t ? t.transform(bytes) : bytes;
      const imports = { ...t?.extraImports(), env: { abort } } as WebAssembly.Imports;
      const instance = instantiateWith(t, new WebAssembly.Module(code as Uint8Array<ArrayBuffer>), imports);
      const run = instance.exports.run as (n: number) => number;
      expect(run(k.quickN), `${subject} ${t?.name ?? 'plain'}`).toBe(k.checksum[String(k.quickN)]);
    }
  });
});
