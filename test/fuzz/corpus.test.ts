/**
 * Differential fuzzing on a corpus nobody here wrote: modules from binaryen's `wasm-opt -ttf`
 * (built by scripts/fuzz-corpus.ts, committed), run on plain V8 and under every transform.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../spec/suite.js';
import { TRANSFORMS } from '../spec/transforms.js';
import { BINARYEN, callKind, differential, pinWasmTier, plan } from './diff.js';

const corpus = JSON.parse(
  gunzipSync(readFileSync(join(repoRoot(), 'test/fuzz/corpus/binaryen-ttf.json.gz'))).toString('utf8'),
) as { generator: string; modules: { seed: number; wasm: string }[] };

pinWasmTier();

describe('binaryen corpus', () => {
  it(`plain V8 and every transform agree on ${corpus.modules.length} wasm-opt -ttf modules`, () => {
    const kinds: Record<string, number> = {};
    let calls = 0;
    const mismatches: unknown[] = [];
    for (const m of corpus.modules) {
      const bytes = new Uint8Array(Buffer.from(m.wasm, 'base64'));
      const c = plan(bytes, m.seed, BINARYEN, 2);
      calls += c.length;
      const r = differential(bytes, c, TRANSFORMS, BINARYEN);
      for (const line of r.plain) kinds[callKind(line)] = (kinds[callKind(line)] ?? 0) + 1;
      for (const mm of r.mismatches) mismatches.push({ seed: m.seed, ...mm });
    }
    const outcomes = Object.entries(kinds)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `    ${n} ${k}`)
      .join('\n');
    console.log(
      `binaryen corpus (${corpus.generator}): ${corpus.modules.length} modules, ${calls} calls, transforms: ${TRANSFORMS.map((t) => t.name).join(', ')}; ${mismatches.length} mismatches\n  outcomes on plain V8:\n${outcomes}`,
    );
    expect(mismatches).toEqual([]);
    expect(kinds.returned ?? 0).toBeGreaterThan(calls / 4);
    // Three transforms (metered-defined since perf-fn11): 140 s at load 26 for 150 modules.
  }, 240_000);
});
