/**
 * Attack on the check that a core module type names each export and each two-level import once
 * (fix of validation/core-modules.wast 43-110): a module type of N imports and N exports. A
 * check that compared each name with those before it would cost N^2 (10x the names, 100x the
 * time); each name is looked up once in a set, so the load is linear in the component.
 */
import { expect, it } from 'vitest';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { loadMs } from './support.js';

function text(n: number): string {
  const decls: string[] = [];
  for (let i = 0; i < n; i++) decls.push(`(import "m${i % 7}" "f${i}" (func)) (export "e${i}" (func))`);
  return `(component (core type (module ${decls.join(' ')})))`;
}

it('a module type of many names loads in time linear in its size', async () => {
  const small = await parse(text(2_000));
  const large = await parse(text(20_000));
  const time = (bytes: Uint8Array) => loadMs(bytes, { metering: false });
  let best = { small: Number.POSITIVE_INFINITY, large: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 3; round++)
    best = { small: Math.min(best.small, await time(small)), large: Math.min(best.large, await time(large)) };
  console.log(`module type names: ${best.small.toFixed(1)} ms, 10x: ${best.large.toFixed(1)} ms`);
  // 10x the names: about 10x the time; a pairwise check would be about 100x.
  expect(best.large / best.small).toBeLessThan(30);
}, 120_000);
