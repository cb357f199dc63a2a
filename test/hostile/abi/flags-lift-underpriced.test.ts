/**
 * Attack: hand a host function `flags` of 32 names, many at a time, again and again: a `list`
 * of 2,000 of them, or 16 of them as its parameters (flat: no list, a fixed part of 16 x 320
 * heap bytes). The host makes each an object of 32 boolean properties by name (keyed stores:
 * past 16 names V8 keeps it as a dictionary), 4-5.7 µs a value at load 20, priced as one value:
 * the list cost the host 253x compute per unit of fuel. Now each name costs `FLAG_LIFT_BYTES`
 * (a list's elements charged, a fixed part's counted in its size). Measured against a compute
 * loop's cost per unit of fuel in the same process, interleaved, the best of ten rounds each.
 * The list is a few MB of host heap (each value a V8 dictionary, admitted so since redteam18's
 * wide-record-heap): `limits.hostArgBytes` is 8 MiB here so that it still reaches the host.
 */
import { expect, it } from 'vitest';
import { FLAG_LIFT_BYTES } from '../../../host/abi/heap.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { CapabilityProvider } from '../../../host/index.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { providerFlood, witTypes } from './support.js';

const LEN = 2_000;
const PARAMS = 16;
const NAMES = 32;

const IFACE = `interface sink {
  flags f { ${Array.from({ length: NAMES }, (_, i) => `n${i}`).join(', ')} }
  take: func(l: list<f>) -> u32;
  take-many: func(${Array.from({ length: PARAMS }, (_, i) => `a${i}: f`).join(', ')}) -> u32;
}`;
const WIT = `package keel:hostile;
${IFACE}
world w {
  import sink;
  export flood: func(n: u32, len: u32) -> u32;
  export flood-many: func(n: u32) -> u32;
}`;

/** Every flag set (memory from 64 KiB on is all ones). */
const loop = (call: string) => `(local $i i32) (local $r i32)
    (memory.fill (i32.const 65536) (i32.const 0xff) (i32.const 65536))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $r ${call})
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $r)`;
const WAT = `(module
  (import "keel:hostile/sink" "take" (func $take (param i32 i32) (result i32)))
  (import "keel:hostile/sink" "take-many" (func $take-many ${'(param i32) '.repeat(PARAMS)}(result i32)))
  (memory (export "memory") 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "flood") (param $n i32) (param $len i32) (result i32)
    ${loop('(call $take (i32.const 65536) (local.get $len))')})
  (func (export "flood-many") (param $n i32) (result i32)
    ${loop(`(call $take-many ${'(i32.const -1) '.repeat(PARAMS)})`)}))`;

it('flags lift underpriced: flags of many names handed to the host cost it near their fuel', async () => {
  const sink: CapabilityProvider = {
    name: 'sink',
    interfaces: ['keel:hostile/sink'],
    wit: await witTypes(`${IFACE} world w { import sink; }`),
    link: () => ({
      take: (l: unknown[]) => l.length,
      takeMany: (...fs: Record<string, boolean>[]) => fs.filter((f) => f.n31).length,
    }),
  };
  const { kernel, flood } = await providerFlood(sink, WAT, WIT, 8 * 1024 * 1024);
  try {
    const fuel = (run: string, args: number[]) => flood.invokeSync(run, args).fuel.used;
    expect(flood.invokeSync('flood', [1, LEN]).value).toBe(LEN);
    expect(flood.invokeSync('flood-many', [1]).value).toBe(PARAMS);
    // Each flags value pays its names.
    const names = NAMES * FLAG_LIFT_BYTES * DEFAULT_HOST_COSTS.byte;
    expect(fuel('flood', [11, LEN]) - fuel('flood', [1, LEN])).toBeGreaterThanOrEqual(
      10 * (DEFAULT_HOST_COSTS.call + LEN * names),
    );
    expect(fuel('flood-many', [101]) - fuel('flood-many', [1])).toBeGreaterThanOrEqual(
      100 * (DEFAULT_HOST_COSTS.call + PARAMS * names),
    );
    const ratio = await spinRatios(
      kernel,
      {
        list: () => nsPerFuel(() => flood.invokeSync('flood', [5, LEN])),
        params: () => nsPerFuel(() => flood.invokeSync('flood-many', [500])),
      },
      10,
    );
    // Before: the list 253x (load 20).
    expect(ratio.list).toBeLessThan(10);
    expect(ratio.params).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 180_000);
