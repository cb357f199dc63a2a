/**
 * Attack: in deterministic mode, wait 2^64 - 1 ns (`subscribe-duration` and `block`, or
 * preview1's `poll_oneoff` on a relative clock), then read the clock. The virtual clock jumps by
 * what the guest waits for, and went past 2^64: `monotonic-clock.now` then ended the call as
 * `internal` (the host's own error code, at the guest's will: "returned a value that does not fit
 * instant"), and preview1's `clock_time_get` wrapped, its monotonic clock going back. The virtual
 * clock stops at the last instant a u64 carries.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { componentFromWat } from '../../helpers/components.js';

const MAX = 2n ** 64n - 1n;

const WIT = `package test:hostile;
world clock-overflow {
  import wasi:clocks/monotonic-clock@0.2.3;
  import wasi:clocks/wall-clock@0.2.3;
  import wasi:io/poll@0.2.3;
  /// Waits d ns (subscribe-duration, block), then reads the monotonic clock.
  export wait-then-now: func(d: u64) -> u64;
  /// Waits until the instant (subscribe-instant, block), then reads the wall clock's seconds.
  export wait-until-then-wall: func(at: u64) -> u64;
}
package wasi:io@0.2.3 { interface poll { resource pollable { ready: func() -> bool; block: func(); } } }
package wasi:clocks@0.2.3 {
  interface monotonic-clock {
    use wasi:io/poll@0.2.3.{pollable};
    type instant = u64;
    type duration = u64;
    now: func() -> instant;
    subscribe-instant: func(when: instant) -> pollable;
    subscribe-duration: func(when: duration) -> pollable;
  }
  interface wall-clock {
    record datetime { seconds: u64, nanoseconds: u32 }
    now: func() -> datetime;
  }
}
`;

const WAT = `(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-instant" (func $at (param i64) (result i32)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $after (param i64) (result i32)))
  (import "wasi:clocks/wall-clock@0.2.3" "now" (func $wall (param i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (memory (export "memory") 1)
  (func (export "wait-then-now") (param $d i64) (result i64)
    (call $block (call $after (local.get $d)))
    (drop (call $now))
    (call $now))
  (func (export "wait-until-then-wall") (param $t i64) (result i64)
    (call $block (call $at (local.get $t)))
    (call $wall (i32.const 64))
    (i64.load (i32.const 64))))`;

/** A preview1 command: reads the monotonic clock, polls 2^64 - 1 ns, reads it again; traps if it went back. */
const PREVIEW1 = `(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $time (i32.const 1) (i64.const 0) (i32.const 256)))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const -1))
    (if (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)) (then unreachable))
    ;; the clock subscription is reported: one event
    (if (i32.ne (i32.load (i32.const 128)) (i32.const 1)) (then unreachable))
    (drop (call $time (i32.const 1) (i64.const 0) (i32.const 264)))
    (if (i64.lt_u (i64.load (i32.const 264)) (i64.load (i32.const 256))) (then unreachable))
    (if (i64.ne (i64.load (i32.const 264)) (i64.const -1)) (then unreachable))))`;

it('virtual clock overflow: a wait of 2^64 - 1 ns stops the virtual clock at the last instant, never internal', async () => {
  const kernel = new Kernel({ deterministic: true, cacheDir: false });
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'clock-overflow'));
  const sandbox = await kernel.spawn(module, { grants: ['wasi:clocks/*'] });
  expect(String(await sandbox.call('wait-then-now', MAX))).toBe(String(MAX));
  // The clock stays there: read again, waited on again, it neither wraps nor fails.
  expect(String(await sandbox.call('wait-then-now', MAX))).toBe(String(MAX));
  expect(String(await sandbox.call('wait-until-then-wall', MAX))).toBe(String(MAX / 1_000_000_000n));
  expect(sandbox.state).not.toBe('poisoned');
  const other = await kernel.spawn(module, { grants: ['wasi:clocks/*'] });
  expect(String(await other.call('wait-until-then-wall', MAX))).toBe(String(MAX / 1_000_000_000n));
  await kernel.close();
});

it('virtual clock overflow: preview1 poll_oneoff of 2^64 - 1 ns reports the clock and its monotonic clock never goes back', async () => {
  const kernel = new Kernel({ deterministic: true, cacheDir: false });
  const module = await kernel.load(await wat(PREVIEW1, 'clock-overflow.wat'));
  const sandbox = await kernel.spawn(module, { grants: ['wasi:clocks/*'] });
  // It traps if poll_oneoff reported nothing or the clock went back or past the last instant.
  const outcome = await sandbox.invoke('wasi:cli/run#run');
  expect(outcome.fuel.used).toBeGreaterThan(0);
  expect(sandbox.state).not.toBe('poisoned');
  await kernel.close();
});
