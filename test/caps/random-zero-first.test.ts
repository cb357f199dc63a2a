/**
 * A process's first request for random bytes may ask for none: the pool of system randomness
 * (host/caps/wasi-random.ts) is made on first use, and a request of 0 bytes before it existed
 * read it undefined (a TypeError: preview1's `random_get(buf, 0)` ended as a bad value,
 * test/hostile/preview1/cheapest-call-flood). This file's module state is its own: no request
 * came before these.
 */
import { expect, it } from 'vitest';
import { FILL_RANDOM, wasiRandom } from '../../host/caps/wasi-random.js';

function link(): Record<PropertyKey, unknown> {
  const context = { deterministic: false, limits: { memoryBytes: 1 << 20 }, charge() {} };
  return wasiRandom.link({ interface: 'wasi:random/random', context } as never) as Record<
    PropertyKey,
    unknown
  >;
}

it('random bytes: a first request of 0 bytes, in place and as a list, then more', () => {
  const random = link();
  const fill = random[FILL_RANDOM] as (target: Uint8Array) => void;
  fill(new Uint8Array(0));
  expect((random.getRandomBytes as (n: bigint) => Uint8Array)(0n)).toHaveLength(0);
  const target = new Uint8Array(64);
  fill(target);
  expect(target.some((b) => b !== 0)).toBe(true);
});
