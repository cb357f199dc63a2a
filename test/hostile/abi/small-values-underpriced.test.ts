/**
 * Attack: hand a host function values that take few heap bytes but a lift each, many at a time,
 * again and again: a `list<enum>` or `list<bool>` (8 heap bytes an element, 16 fuel), a
 * `list<string>` of empty strings (32), or 511 `bool` parameters (4,088 heap bytes: under
 * `SMALL_VALUE_BYTES`, they rode on the call's price). The host loads each element through its
 * codec into an array, 5-15 ns a value: 15-25x, 17x and 26x compute per unit of fuel (load
 * 20). Now each value lifted costs `VALUE_LIFT_BYTES` more, a string `STRING_LIFT_BYTES` (a
 * list's elements charged, a fixed part's counted in its size). Measured against a compute loop's cost per unit of fuel in the
 * same process, interleaved, the best of ten rounds each.
 */
import { expect, it } from 'vitest';
import { STRING_LIFT_BYTES, VALUE_LIFT_BYTES } from '../../../host/abi/heap.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { CapabilityProvider } from '../../../host/index.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { providerFlood, witTypes } from './support.js';

const LEN = 5_000;
const BOOLS = 511;
const LISTS = ['e', 'bool', 'string'] as const;

const IFACE = `interface sink {
  enum e { a, b }
  ${LISTS.map((t, i) => `take${i}: func(l: list<${t}>) -> u32;`).join('\n  ')}
  take-bools: func(${Array.from({ length: BOOLS }, (_, i) => `a${i}: bool`).join(', ')}) -> u32;
}`;
const WIT = `package keel:hostile;
${IFACE}
world w {
  import sink;
  ${LISTS.map((_, i) => `export flood${i}: func(n: u32, len: u32) -> u32;`).join('\n  ')}
  export flood-bools: func(n: u32) -> u32;
}`;

/** Each flood hands the zeroed memory from 64 KiB on (enum case a, false, empty strings) n times. */
const loop = (call: string) => `(local $i i32) (local $r i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $r ${call})
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $r)`;
const WAT = `(module
  ${LISTS.map((_, i) => `(import "keel:hostile/sink" "take${i}" (func $take${i} (param i32 i32) (result i32)))`).join('\n  ')}
  (import "keel:hostile/sink" "take-bools" (func $take-bools (param i32) (result i32)))
  (memory (export "memory") 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  ${LISTS.map(
    (_, i) => `(func (export "flood${i}") (param $n i32) (param $len i32) (result i32)
    ${loop(`(call $take${i} (i32.const 65536) (local.get $len))`)})`,
  ).join('\n  ')}
  (func (export "flood-bools") (param $n i32) (result i32) ${loop('(call $take-bools (i32.const 65536))')}))`;

it('small values underpriced: many values of few heap bytes in a call cost the host near their fuel', async () => {
  const count = (l: ArrayLike<unknown>) => l.length;
  const sink: CapabilityProvider = {
    name: 'sink',
    interfaces: ['keel:hostile/sink'],
    wit: await witTypes(`${IFACE} world w { import sink; }`),
    link: () => ({ take0: count, take1: count, take2: count, takeBools: (...bs: boolean[]) => bs.length }),
  };
  const { kernel, flood } = await providerFlood(sink, WAT, WIT);
  try {
    const fuel = (run: string, args: number[]) => flood.invokeSync(run, args).fuel.used;
    for (let i = 0; i < LISTS.length; i++) {
      expect(flood.invokeSync(`flood${i}`, [1, LEN]).value).toBe(LEN);
      // Each element: at least its lift beyond the call.
      const lift = LISTS[i] === 'string' ? STRING_LIFT_BYTES : VALUE_LIFT_BYTES;
      expect(fuel(`flood${i}`, [11, LEN]) - fuel(`flood${i}`, [1, LEN])).toBeGreaterThanOrEqual(
        10 * (DEFAULT_HOST_COSTS.call + LEN * lift * DEFAULT_HOST_COSTS.byte),
      );
    }
    expect(flood.invokeSync('flood-bools', [1]).value).toBe(BOOLS);
    // The 511 booleans are a fixed part past SMALL_VALUE_BYTES now: admitted, 8 + a lift each.
    expect(fuel('flood-bools', [101]) - fuel('flood-bools', [1])).toBeGreaterThanOrEqual(
      100 * (DEFAULT_HOST_COSTS.call + BOOLS * (8 + VALUE_LIFT_BYTES) * DEFAULT_HOST_COSTS.byte),
    );
    const ratio = await spinRatios(
      kernel,
      {
        enums: () => nsPerFuel(() => flood.invokeSync('flood0', [20, LEN])),
        bools: () => nsPerFuel(() => flood.invokeSync('flood1', [20, LEN])),
        strings: () => nsPerFuel(() => flood.invokeSync('flood2', [20, LEN])),
        params: () => nsPerFuel(() => flood.invokeSync('flood-bools', [10_000])),
      },
      10,
    );
    // Before: enums 21-25x, bools 15-18x, strings 17.6x, params 26x (load 20).
    expect(ratio.enums).toBeLessThan(10);
    expect(ratio.bools).toBeLessThan(10);
    expect(ratio.strings).toBeLessThan(10);
    expect(ratio.params).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 180_000);
