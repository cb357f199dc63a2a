/**
 * Attack on the check that a core module type names each export and each two-level import once
 * (fix of validation/core-modules.wast 43-110): a module type of N imports and N exports. A
 * check that compared each name with those before it would cost N^2; each name is looked up once
 * in a set. Measured against a module type of the same size whose declarations are function
 * types (no names to check), so that the load's other costs, superlinear at this size on a
 * loaded machine, cancel out.
 */
import { expect, it } from 'vitest';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { loadMs } from './support.js';

const N = 20_000;

function text(named: boolean): string {
  const decls: string[] = [];
  for (let i = 0; i < N; i++)
    decls.push(
      named ? `(import "m${i % 7}" "f${i}" (func)) (export "e${i}" (func))` : '(type (func)) (type (func))',
    );
  return `(component (core type (module ${decls.join(' ')})))`;
}

it('a module type of many names loads in about the time of one of as many function types', async () => {
  const named = await parse(text(true));
  const unnamed = await parse(text(false));
  // A fresh copy of the bytes each time, as separate loads of an embedder would have.
  const time = (bytes: Uint8Array) => loadMs(bytes.slice(), { metering: false });
  let best = { named: Number.POSITIVE_INFINITY, unnamed: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 3; round++)
    best = {
      named: Math.min(best.named, await time(named)),
      unnamed: Math.min(best.unnamed, await time(unnamed)),
    };
  console.log(
    `module type of ${2 * N} names: ${best.named.toFixed(1)} ms, of ${2 * N} types: ${best.unnamed.toFixed(1)} ms`,
  );
  // A pairwise check of 20,000 names is 2 x 10^8 comparisons, seconds.
  expect(best.named / best.unnamed).toBeLessThan(8);
}, 120_000);
