/**
 * Round trips of random values of random types through swap components (swap.ts) on every
 * engine: each run generates function types over any nesting of WIT types (random-types.ts),
 * builds a component in a random string encoding, and checks what the host import received
 * and what the export returned against the values sent, and the engines against each other.
 *
 * KEEL_ABI_SEED (default 1) picks the first seed, KEEL_ABI_RUNS (default 3) how many seeds
 * follow it, KEEL_ABI_CASES (default 2) the random vectors per function; a failure names its
 * seed, to replay with KEEL_ABI_SEED=<seed> KEEL_ABI_RUNS=1.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../fuzz/rng.js';
import { ENGINES } from './engine.js';
import { differential } from './harness.js';
import { Names, randomFunc } from './random-types.js';
import type { StringEncoding } from './swap.js';
import { swapEntry } from './swap-corpus.js';

const SEED = Number(process.env.KEEL_ABI_SEED ?? 1);
const RUNS = Number(process.env.KEEL_ABI_RUNS ?? 3);
const CASES = Number(process.env.KEEL_ABI_CASES ?? 2);
const ENCODINGS: StringEncoding[] = ['utf8', 'utf16', 'compact-utf16'];

describe('random types, round trip through a guest', () => {
  it.each(Array.from({ length: RUNS }, (_, i) => SEED + i))(
    'seed %i',
    async (seed) => {
      const rng = new Rng(seed);
      const names = new Names();
      const functions = Array.from({ length: 6 }, (_, i) => ({
        name: `rand${i}`,
        type: randomFunc(rng, names),
      }));
      const encoding = ENCODINGS[seed % ENCODINGS.length]!;
      const entry = await swapEntry(
        `random seed ${seed} (${encoding})`,
        { functions, encoding },
        seed,
        CASES,
      );
      expect(await differential(ENGINES, entry), `KEEL_ABI_SEED=${seed} KEEL_ABI_RUNS=1 to replay`).toEqual(
        [],
      );
    },
    300_000,
  );
});
