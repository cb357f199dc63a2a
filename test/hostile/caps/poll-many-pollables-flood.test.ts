/**
 * Attack: poll thousands of ready pollables in one call, again and again (`wasi:io/poll` needs
 * no grant; the pollables come from the monotonic clock's `subscribe-duration(0)`). The host
 * lifts each borrow, asks each pollable whether it is ready and lowers the list of indices:
 * host work per pollable (a clock's reads the clock) priced only as the borrow's heap bytes.
 * Now each pollable costs `POLLABLE_BYTES` more. Measured against a compute loop's cost per
 * unit of fuel in the same process, interleaved, the best of six rounds each.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';

const WIT = `package test:hostile;
world poll-many-pollables-flood {
  import wasi:io/poll@0.2.3;
  import wasi:clocks/monotonic-clock@0.2.3;
  /// Makes count ready pollables (kept at 64 KiB on).
  export make: func(count: u32);
  /// Polls the first count n times; returns the last count ready.
  export flood: func(n: u32, count: u32) -> u32;
}
package wasi:io@0.2.3 { interface poll {
  resource pollable { ready: func() -> bool; block: func(); }
  poll: func(in: list<borrow<pollable>>) -> list<u32>;
} }
package wasi:clocks@0.2.3 { interface monotonic-clock {
  use wasi:io/poll@0.2.3.{pollable};
  type duration = u64;
  subscribe-duration: func(when: duration) -> pollable;
} }
`;

const WAT = `(module
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $sub (param i64) (result i32)))
  (memory (export "memory") 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 131072))
  (func (export "make") (param $count i32) (local $i i32)
    (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $count)))
      (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 2))) (call $sub (i64.const 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
  (func (export "flood") (param $n i32) (param $count i32) (result i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $poll (i32.const 65536) (local.get $count) (i32.const 32))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.load (i32.const 36))))`;

it('poll many pollables flood: polling thousands of ready pollables costs the host near its fuel', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const flood = await kernel.spawn(
      await kernel.load(await componentFromWat(WAT, WIT, 'poll-many-pollables-flood')),
      { grants: ['wasi:clocks/monotonic-clock'] },
    );
    flood.invokeSync('make', [5_000]);
    expect(flood.invokeSync('flood', [1, 5_000]).value).toBe(5_000);
    const ratio = await spinRatios(kernel, {
      poll: () => nsPerFuel(() => flood.invokeSync('flood', [50, 5_000])),
    });
    // Before: 13-167x (priced at the borrows' heap bytes only); now 2.1-2.7x (load 15-20).
    expect(ratio.poll).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 120_000);
