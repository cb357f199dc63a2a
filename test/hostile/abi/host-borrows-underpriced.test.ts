/**
 * Attack: hand an embedder's provider many borrows of its own resource in each call, again and
 * again: 56 borrow parameters (a fixed part of 56 x 72 heap bytes, under `SMALL_VALUE_BYTES`,
 * so it rode on the call's price) or one `list<borrow<thing>>` of 5,000 (admitted at its 72
 * heap bytes a borrow). The host looks each handle up, counts its lend and lists it for the
 * call's end, 27-45 ns a handle: 12-21x and 5.6-11.5x compute per unit of fuel (load 6-11).
 * Now each handle of a host resource the host lifts costs `HANDLE_LIFT_BYTES` more (a list's
 * elements charged, a fixed part's counted in its size; small-values-underpriced for the other
 * values). Measured against a compute loop's cost per unit of fuel in the same process,
 * interleaved, the best of ten rounds each.
 */
import { expect, it } from 'vitest';
import { HANDLE_LIFT_BYTES } from '../../../host/abi/heap.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { CapabilityProvider } from '../../../host/index.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { providerFlood, witTypes } from './support.js';

/** The most borrow parameters whose heap bytes (72 each) stay under `SMALL_VALUE_BYTES`. */
const PARAMS = 56;
const LIST = 5_000;

const IFACE = `interface things {
  resource thing { constructor(); }
  take: func(ts: list<borrow<thing>>) -> u32;
  take-many: func(${Array.from({ length: PARAMS }, (_, i) => `a${i}: borrow<thing>`).join(', ')}) -> u32;
}`;
const WIT = `package keel:hostile;
${IFACE}
world w {
  import things;
  /// Makes count things (handles kept from 64 KiB on).
  export make: func(count: u32);
  /// Hands the first count to take, n times; returns take's last answer.
  export flood: func(n: u32, count: u32) -> u32;
  /// Hands the first 56 to take-many, n times; returns its last answer.
  export flood-many: func(n: u32) -> u32;
}`;

const WAT = `(module
  (import "keel:hostile/things" "[constructor]thing" (func $new (result i32)))
  (import "keel:hostile/things" "take" (func $take (param i32 i32) (result i32)))
  (import "keel:hostile/things" "take-many" (func $take-many (param i32) (result i32)))
  (memory (export "memory") 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 131072))
  (func (export "make") (param $count i32) (local $i i32)
    (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $count)))
      (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 2))) (call $new))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
  (func (export "flood") (param $n i32) (param $count i32) (result i32) (local $i i32) (local $r i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $r (call $take (i32.const 65536) (local.get $count)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $r))
  (func (export "flood-many") (param $n i32) (result i32) (local $i i32) (local $r i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $r (call $take-many (i32.const 65536)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $r)))`;

class Thing {}

it('host borrows underpriced: many borrows of a host resource in a call cost the host near their fuel', async () => {
  const things: CapabilityProvider = {
    name: 'things',
    interfaces: ['keel:hostile/things'],
    wit: await witTypes(`${IFACE} world w { import things; }`),
    link: () => ({ Thing, take: (ts: Thing[]) => ts.length, takeMany: (...ts: Thing[]) => ts.length }),
  };
  const { kernel, flood } = await providerFlood(things, WAT, WIT);
  try {
    flood.invokeSync('make', [LIST]);
    expect(flood.invokeSync('flood', [1, LIST]).value).toBe(LIST);
    expect(flood.invokeSync('flood-many', [1]).value).toBe(PARAMS);
    // The 56 parameters are a fixed part past SMALL_VALUE_BYTES now: admitted, heapBytesOf(borrow)
    // (72) and a handle's lift each; each borrow of the list the same.
    const fuel = (run: string, n: number, count?: number) =>
      flood.invokeSync(run, count === undefined ? [n] : [n, count]).fuel.used;
    const perBorrow = (72 + HANDLE_LIFT_BYTES) * DEFAULT_HOST_COSTS.byte;
    expect(fuel('flood-many', 101) - fuel('flood-many', 1)).toBeGreaterThanOrEqual(
      100 * (DEFAULT_HOST_COSTS.call + PARAMS * perBorrow),
    );
    expect(fuel('flood', 11, LIST) - fuel('flood', 1, LIST)).toBeGreaterThanOrEqual(
      10 * (DEFAULT_HOST_COSTS.call + LIST * perBorrow),
    );
    const ratio = await spinRatios(
      kernel,
      {
        list: () => nsPerFuel(() => flood.invokeSync('flood', [50, LIST])),
        params: () => nsPerFuel(() => flood.invokeSync('flood-many', [20_000])),
      },
      10,
    );
    // Before: list 5.6-11.5x, params 12.5-20.6x (load 6-11).
    expect(ratio.list).toBeLessThan(10);
    expect(ratio.params).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 180_000);
