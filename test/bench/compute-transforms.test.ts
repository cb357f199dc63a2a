/**
 * The compute bench runs every transform of test/spec/transforms.ts, each instantiated as its
 * harness says (`metered-defined` adopts the module's own counter: a plain instantiation of it
 * has no `keel` import and threw, which ended `npm run bench` in its compute group).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { type KernelSpec, measure } from '../../bench/compute/run.js';
import { TRANSFORMS } from '../spec/transforms.js';

it('measures a kernel under every transform, each with the checksum of its native build', () => {
  const spec = JSON.parse(readFileSync('bench/compute/kernels.json', 'utf8')) as { kernels: KernelSpec[] };
  const fib = spec.kernels.find((k) => k.name === 'fib')!;
  const bytes = new Uint8Array(readFileSync('bench/compute/wasm/c-fib.wasm'));
  const result = measure('c-fib', bytes, fib, 'c', fib.quickN, TRANSFORMS, 1, 1);
  expect(result.variants.map((v) => v.name)).toEqual(TRANSFORMS.map((t) => t.name));
  expect(TRANSFORMS.map((t) => t.name)).toContain('metered-defined');
});
