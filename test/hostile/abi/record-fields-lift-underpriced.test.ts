/**
 * Attack: hand a host function records of many fields, many at a time, again and again: a
 * `list` of 1,000 records of 64 `bool` fields. The host makes each record an object by keyed
 * stores, one a field (past 16 fields V8 may keep it as a dictionary), 40-350 ns a field, and
 * priced each field as one small value (`VALUE_LIFT_BYTES`): the red team measured the list at
 * 95x compute per unit of fuel (load 17, PENDING.md). Now each field of a record costs
 * `FIELD_LIFT_BYTES` as well (a list's elements charged, a fixed part's counted in its size).
 * Measured against a compute loop's cost per unit of fuel in the same process, interleaved, the
 * best of ten rounds each.
 * The list is a few MB of host heap (each value a V8 dictionary, admitted so since redteam18's
 * wide-record-heap): `limits.hostArgBytes` is 8 MiB here so that it still reaches the host.
 */
import { expect, it } from 'vitest';
import { FIELD_LIFT_BYTES } from '../../../host/abi/heap.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { CapabilityProvider } from '../../../host/index.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { providerFlood, sinkFloodWat, witTypes } from './support.js';

const LEN = 1_000;
const FIELDS = 64;

const IFACE = `interface sink {
  record r { ${Array.from({ length: FIELDS }, (_, i) => `x${i}: bool`).join(', ')} }
  take: func(l: list<r>) -> u32;
}`;
const WIT = `package keel:hostile;
${IFACE}
world w {
  import sink;
  export flood: func(n: u32, len: u32) -> u32;
}`;

/** Hands the zeroed memory from 64 KiB on (every field false) as len records, n times. */
const WAT = sinkFloodWat();

it('record fields lift underpriced: records of many fields handed to the host cost it near their fuel', async () => {
  const sink: CapabilityProvider = {
    name: 'sink',
    interfaces: ['keel:hostile/sink'],
    wit: await witTypes(`${IFACE} world w { import sink; }`),
    link: () => ({ take: (l: Record<string, boolean>[]) => l.filter((r) => r.x63 === false).length }),
  };
  const { kernel, flood } = await providerFlood(sink, WAT, WIT, 8 * 1024 * 1024);
  try {
    const fuel = (args: number[]) => flood.invokeSync('flood', args).fuel.used;
    expect(flood.invokeSync('flood', [1, LEN]).value).toBe(LEN);
    // Each record pays its fields.
    expect(fuel([11, LEN]) - fuel([1, LEN])).toBeGreaterThanOrEqual(
      10 * (DEFAULT_HOST_COSTS.call + LEN * FIELDS * FIELD_LIFT_BYTES * DEFAULT_HOST_COSTS.byte),
    );
    const ratio = await spinRatios(
      kernel,
      { list: () => nsPerFuel(() => flood.invokeSync('flood', [5, LEN])) },
      10,
    );
    // Before: 95x (load 17, the red team's scratch copy).
    expect(ratio.list).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 180_000);
