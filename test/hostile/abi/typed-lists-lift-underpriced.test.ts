/**
 * Attack: hand a host function a list of many short number lists (`list<list<u16>>`,
 * `list<list<u64>>`, `list<list<f32>>`), again and again. Each inner list becomes a typed array,
 * which the host made by `ArrayBuffer#slice`: a backing store outside V8's heap for every list
 * (1-2 us whatever its length), priced at its bytes and a list's heap bytes. A list of lists of
 * 2 `u16` cost the host 50-65x compute per unit of fuel, of 16 `u64` 27-33x, of 64 `f32` 22x
 * (load 13-15; a byte list was already copied by `Uint8Array#slice`). Now every number list is
 * copied by its own typed array's slice (on V8's heap up to `ON_HEAP_TYPED_BYTES`), and one
 * longer than that costs `BACKING_STORE_LIFT_BYTES` more; every number list lifted costs
 * `TYPED_LIST_LIFT_BYTES` (its typed array: 2 `u16`s still read 7.8-11.8x at load 1 at
 * `VALUE_LIFT_BYTES`, 1.6-1.7x now). Measured against a compute loop's cost
 * per unit of fuel in the same process, interleaved, the best of ten rounds each.
 */
import { expect, it } from 'vitest';
import { BACKING_STORE_LIFT_BYTES, TYPED_LIST_LIFT_BYTES } from '../../../host/abi/heap.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { CapabilityProvider } from '../../../host/index.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { providerFlood, witTypes } from './support.js';

/** Each shape: the inner lists' element type and length, and how many inner lists a call. */
const SHAPES = [
  { element: 'u16', inner: 2, outer: 2_000 },
  { element: 'u64', inner: 16, outer: 2_000 },
  { element: 'f32', inner: 64, outer: 1_500 },
] as const;

const IFACE = `interface sink {
  ${SHAPES.map((s, i) => `take${i}: func(l: list<list<${s.element}>>) -> u32;`).join('\n  ')}
}`;
const WIT = `package keel:hostile;
${IFACE}
world w {
  import sink;
  export fill: func(outer: u32, inner: u32);
  ${SHAPES.map((_, i) => `export flood${i}: func(n: u32, len: u32) -> u32;`).join('\n  ')}
}`;

/** fill writes outer (pointer, length) pairs at 64 KiB, each inner elements of zeros at 256. */
const WAT = `(module
  ${SHAPES.map((_, i) => `(import "keel:hostile/sink" "take${i}" (func $take${i} (param i32 i32) (result i32)))`).join('\n  ')}
  (memory (export "memory") 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "fill") (param $outer i32) (param $inner i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $outer)))
      (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 3))) (i32.const 256))
      (i32.store (i32.add (i32.const 65540) (i32.shl (local.get $i) (i32.const 3))) (local.get $inner))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  ${SHAPES.map(
    (
      _,
      i,
    ) => `(func (export "flood${i}") (param $n i32) (param $len i32) (result i32) (local $i i32) (local $r i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $r (call $take${i} (i32.const 65536) (local.get $len)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $r))`,
  ).join('\n  ')})`;

it('typed lists lift underpriced: many short number lists handed to the host cost it near their fuel', async () => {
  const sink: CapabilityProvider = {
    name: 'sink',
    interfaces: ['keel:hostile/sink'],
    wit: await witTypes(`${IFACE} world w { import sink; }`),
    link: () =>
      Object.fromEntries(
        SHAPES.map((s, i) => [
          `take${i}`,
          (l: ArrayLike<number>[]) => l.filter((x) => x.length === s.inner).length,
        ]),
      ),
  };
  const { kernel, flood } = await providerFlood(sink, WAT, WIT);
  try {
    const fuel = (run: string, args: number[]) => flood.invokeSync(run, args).fuel.used;
    const floods: Record<string, () => number> = {};
    for (let i = 0; i < SHAPES.length; i++) {
      const { element, inner, outer } = SHAPES[i]!;
      flood.invokeSync('fill', [outer, inner]);
      expect(flood.invokeSync(`flood${i}`, [1, outer]).value).toBe(outer);
      // Each inner list pays for its typed array, however short.
      expect(fuel(`flood${i}`, [11, outer]) - fuel(`flood${i}`, [1, outer])).toBeGreaterThanOrEqual(
        10 * outer * TYPED_LIST_LIFT_BYTES * DEFAULT_HOST_COSTS.byte,
      );
      const bytes = inner * (element === 'u16' ? 2 : element === 'u64' ? 8 : 4);
      if (bytes > 64) {
        // A list kept outside V8's heap pays its backing store.
        expect(fuel(`flood${i}`, [11, outer]) - fuel(`flood${i}`, [1, outer])).toBeGreaterThanOrEqual(
          10 *
            (DEFAULT_HOST_COSTS.call + outer * (bytes + BACKING_STORE_LIFT_BYTES) * DEFAULT_HOST_COSTS.byte),
        );
      }
      floods[`${element}x${inner}`] = () => {
        flood.invokeSync('fill', [outer, inner]);
        return nsPerFuel(() => flood.invokeSync(`flood${i}`, [5, outer]));
      };
    }
    const ratio = await spinRatios(kernel, floods, 10);
    // Before: 50-65x, 27-33x and 22x (load 13-15, the red team's scratch copy).
    for (const [shape, r] of Object.entries(ratio)) expect(r, shape).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 180_000);
