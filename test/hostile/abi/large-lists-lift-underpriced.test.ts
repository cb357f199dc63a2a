/**
 * Attack: hand a host function lists of more than 16,000 values, again and again. Past that
 * length the array the host lifts a list into needs a backing store over 128 KiB, which V8
 * allocates in its large-object space (pages of their own, given back only by a full
 * collection): 25-35 ns an element against 2-5 ns for a shorter list. Priced as any list's
 * values (`VALUE_LIFT_BYTES` and their heap bytes), a `list<bool>` of 17,000 to 128,000 values
 * cost the host 15-57x compute per unit of fuel (load 24-31; 0.9-1.0x at 8,000 and 16,000:
 * test/hostile/abi/PENDING.md). Now each value of such a list costs `LARGE_LIST_LIFT_BYTES` more,
 * where it is lifted and again where `invoke` renders such a list of a result as JSON.
 * Measured against a compute loop's cost per unit of fuel in the same process, interleaved, the
 * best of ten rounds each.
 */
import { expect, it } from 'vitest';
import { LARGE_LIST_LIFT_BYTES, LARGE_LIST_VALUES, VALUE_LIFT_BYTES } from '../../../host/abi/heap.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { CapabilityProvider } from '../../../host/index.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { providerFlood, sinkFloodWat, witTypes } from './support.js';

/** Values handed over a flood, in lists of each length. */
const VALUES = 256_000;
const LENGTHS = [8_000, 17_000, 64_000, 128_000] as const;

const IFACE = 'interface sink { take: func(l: list<bool>) -> u32; }';
const WIT = `package keel:hostile;
${IFACE}
world w {
  import sink;
  export flood: func(n: u32, len: u32) -> u32;
  export get: func(len: u32) -> list<bool>;
}`;

/** The flood hands the zeroed memory from 64 KiB on (`false`s) n times; `get` returns it as a list. */
const WAT = sinkFloodWat(`
  (func (export "get") (param $len i32) (result i32)
    (i32.store (i32.const 16) (i32.const 65536)) (i32.store (i32.const 20) (local.get $len)) (i32.const 16))`);

it('large lists lift underpriced: lists past 16,000 values cost the host near their fuel', async () => {
  const sink: CapabilityProvider = {
    name: 'sink',
    interfaces: ['keel:hostile/sink'],
    wit: await witTypes(`${IFACE} world w { import sink; }`),
    link: () => ({ take: (l: ArrayLike<unknown>) => l.length }),
  };
  const { kernel, flood } = await providerFlood(sink, WAT, WIT);
  try {
    const fuel = (n: number, len: number) => flood.invokeSync('flood', [n, len]).fuel.used;
    for (const len of LENGTHS) expect(flood.invokeSync('flood', [1, len]).value).toBe(len);
    // A long list's values pay the large list's price each; a short one's do not.
    const perValue = (len: number) => (fuel(11, len) - fuel(1, len)) / (10 * len);
    expect(perValue(LARGE_LIST_VALUES + 1)).toBeGreaterThanOrEqual(
      (VALUE_LIFT_BYTES + LARGE_LIST_LIFT_BYTES) * DEFAULT_HOST_COSTS.byte,
    );
    expect(perValue(LARGE_LIST_VALUES)).toBeLessThan(LARGE_LIST_LIFT_BYTES * DEFAULT_HOST_COSTS.byte);
    // An export's long list result pays it twice through invoke: lifted, then rendered as JSON.
    const got = (len: number) => flood.invokeSync('get', [len]).fuel.used;
    expect(got(LARGE_LIST_VALUES + 1) - got(LARGE_LIST_VALUES)).toBeGreaterThanOrEqual(
      2 * (LARGE_LIST_VALUES + 1) * LARGE_LIST_LIFT_BYTES * DEFAULT_HOST_COSTS.byte,
    );
    const ratio = await spinRatios(
      kernel,
      Object.fromEntries(
        LENGTHS.map((len) => [
          `len${len}`,
          () => nsPerFuel(() => flood.invokeSync('flood', [Math.ceil(VALUES / len), len])),
        ]),
      ),
      10,
    );
    // Before: 8,000: 1.0x, 17,000: 37.6x, 64,000: 45.2x, 128,000: 57.1x (load 24-31).
    for (const len of LENGTHS) expect(ratio[`len${len}`]).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 180_000);
