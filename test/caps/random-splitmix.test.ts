/**
 * Deterministic mode's SplitMix64 (its loop in WebAssembly, its state in two 32-bit halves) makes
 * the same bytes as the BigInt form it replaced, so a replayed run's randomness does not change:
 * the old implementation is kept here as the reference.
 */
import { expect, it } from 'vitest';
import { SplitMix64 } from '../../host/caps/wasi-random.js';

/** The BigInt SplitMix64 Keel used before (host/caps/wasi-random.ts until 2026-12-06). */
class BigIntSplitMix64 {
  #state: bigint;
  constructor(seed: bigint) {
    this.#state = BigInt.asUintN(64, seed);
  }
  next(): bigint {
    this.#state = BigInt.asUintN(64, this.#state + 0x9e3779b97f4a7c15n);
    let z = this.#state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    const view = new DataView(out.buffer);
    let i = 0;
    for (; i + 8 <= length; i += 8) view.setBigUint64(i, this.next(), true);
    if (i < length) {
      const tail = this.next();
      for (let j = 0; i < length; i++, j++) out[i] = Number((tail >> BigInt(8 * j)) & 0xffn);
    }
    return out;
  }
}

/** Seeds at the edges of 64 and 32 bits, then spread over the range (a fixed walk, replayable). */
function seeds(): bigint[] {
  const out = [
    0n,
    1n,
    2n,
    0xffffffffn,
    0x100000000n,
    0x7fffffffffffffffn,
    0xffffffffffffffffn,
    -1n,
    1n << 63n,
  ];
  let x = 0x243f6a8885a308d3n;
  for (let i = 0; i < 500; i++) {
    x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
    out.push(x, x & 0xffffffffn, x >> 32n);
  }
  return out;
}

// Lengths across a word's edges and across the module's chunk (65,520 bytes).
const LENGTHS = [0, 1, 3, 7, 8, 9, 15, 16, 17, 100, 255, 256, 257, 4096, 65519, 65520, 65521, 131047];

it('makes the same bytes as the BigInt SplitMix64 on 1,509 seeds, request after request', () => {
  let compared = 0;
  for (const seed of seeds()) {
    const a = new SplitMix64(seed);
    const b = new BigIntSplitMix64(seed);
    // A run of requests of mixed lengths: the state carries over from each to the next.
    for (const length of seed % 7n === 0n ? LENGTHS : [5, 8, 13, 64, 1, 0, 24]) {
      const got = a.bytes(length);
      const want = b.bytes(length);
      expect(Buffer.from(got).equals(Buffer.from(want)), `seed ${seed}, length ${length}`).toBe(true);
      compared += length;
    }
  }
  expect(compared).toBeGreaterThan(1_000_000);
});

it('fills a view in place from any offset, leaving the bytes around it alone', () => {
  const a = new SplitMix64(42n);
  const b = new BigIntSplitMix64(42n);
  const target = new Uint8Array(70_000).fill(0xaa);
  a.fill(target, 3, 69_990);
  expect(Buffer.from(target.subarray(3, 69_993)).equals(Buffer.from(b.bytes(69_990)))).toBe(true);
  expect([...target.subarray(0, 3), ...target.subarray(69_993)]).toEqual(new Array(10).fill(0xaa));
});
