/**
 * `wasi:clocks` (wall-clock, monotonic-clock). Real clocks by default; in deterministic mode a
 * virtual clock that starts at a fixed instant and advances with the guest's fuel (1 ns per
 * unit), by the embedder's explicit steps, by a fixed step on every reading, and by the
 * requested amount when the guest waits, so that runs replay exactly.
 *
 * A real wait (`block` on a pollable from `subscribe-duration` or `subscribe-instant`, `poll`)
 * sleeps on the kernel's thread until the instant, but never past the call's deadline: a wait
 * that reaches the deadline fails the call with `timeout` (see wait.ts). A worker sandbox whose
 * call the kernel awaits on its event loop waits on a timer there instead, leaving the kernel's
 * thread free (its deadline ends the worker).
 */
import type { CapabilityProvider, SandboxContext } from './provider.js';
import { blockingWait, MAX_TIMER_MS } from './wait.js';
import { Pollable } from './wasi-io.js';
import { wasiClocksTypes } from './wit-types.js';

/** 2026-01-01T00:00:00Z, the virtual epoch. */
const VIRTUAL_EPOCH_NS = 1_767_225_600_000_000_000n;
const VIRTUAL_STEP_NS = 1_000n;
/**
 * The last instant a clock can read (`instant` and preview1's `timestamp` are u64 nanoseconds).
 * The virtual clock stops there: a guest that waits 2^64 - 1 ns must not move it past what its
 * readings can carry (a reading that does not fit u64 ended the call as `internal`; preview1's
 * wrapped, the monotonic clock going back).
 */
const MAX_INSTANT = (1n << 64n) - 1n;
/** `ns`, or the last instant a clock reads when `ns` is past it. */
export const atMost = (ns: bigint): bigint => (ns < MAX_INSTANT ? ns : MAX_INSTANT);

interface Clock {
  monotonic(): bigint;
  wall(): bigint;
  /** Wait until the monotonic clock reaches `instant` (virtual: jump; real: sleep, within the deadline). */
  waitUntil(instant: bigint): void;
  /** A real clock: a timer that fires when `instant` may be reached (never past the deadline). */
  later?(instant: bigint): Promise<void> | undefined;
}

function virtualClock(context: SandboxContext): Clock {
  let now = 0n;
  // What the guest waited for on top of the time its fuel and the embedder account for.
  let waited = 0n;
  // Each reading is at least one step after the last, and never behind the sandbox's time.
  const read = (): bigint => {
    const floor = context.virtualNanos() + waited;
    now = atMost(now + VIRTUAL_STEP_NS > floor ? now + VIRTUAL_STEP_NS : floor);
    return now;
  };
  return {
    monotonic: read,
    wall: () => atMost(VIRTUAL_EPOCH_NS + read()),
    waitUntil(instant) {
      const until = atMost(instant);
      if (until <= now) return;
      waited += until - now;
      now = until;
    },
  };
}

function realClock(context: SandboxContext): Clock {
  const origin = process.hrtime.bigint();
  // The timers armed for waits on the kernel's event loop (a worker sandbox's), made on first use.
  let timers: Set<ReturnType<typeof setTimeout>> | undefined;
  let ended = false;
  const monotonic = () => process.hrtime.bigint() - origin;
  return {
    monotonic,
    wall: () => BigInt(Date.now()) * 1_000_000n,
    waitUntil(instant) {
      // A sleep may end a little early: sleep again for what is left.
      for (let left = instant - monotonic(); left > 0n; left = instant - monotonic()) {
        blockingWait(context, Number(left) / 1e6);
      }
    },
    later(instant) {
      const left = instant - monotonic();
      if (left <= 0n) return undefined;
      // A sandbox that ended waits for nothing (its call is over): no timer.
      if (ended) return new Promise<void>(() => {});
      if (timers === undefined) {
        const made = new Set<ReturnType<typeof setTimeout>>();
        timers = made;
        // A worker sandbox ended mid-wait (killed, timed out, the kernel closed) leaves no timer:
        // one would keep the embedder's process alive until it fired, the deadline or 24 days.
        context.onEnd(() => {
          ended = true;
          for (const timer of made) clearTimeout(timer);
          made.clear();
        });
      }
      const armed = timers;
      // Within setTimeout's range: the pollable's wait arms another timer if it is not due yet.
      const ms = Math.min(Math.ceil(Number(left) / 1e6), context.timeLeftMs(), MAX_TIMER_MS);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          armed.delete(timer);
          resolve();
        }, ms);
        armed.add(timer);
      });
    },
  };
}

export function sandboxClock(context: SandboxContext): Clock {
  return context.state('wasi-clocks:clock', () =>
    context.deterministic ? virtualClock(context) : realClock(context),
  );
}

/**
 * A pollable ready once the sandbox's monotonic clock reaches `instant` (nanoseconds); blocking
 * on it waits by the clock's rule. The one way both ABIs wait on time (`subscribe-*` and
 * preview1's `poll_oneoff`).
 */
export function instantPollable(context: SandboxContext, at: bigint): Pollable {
  const clock = sandboxClock(context);
  // An instant past the last one a clock reads is that one (the virtual clock stops there).
  const instant = atMost(at);
  let armed: Promise<void> | undefined;
  return new Pollable(
    () => clock.monotonic() >= instant,
    () => clock.waitUntil(instant),
    instant,
    () => {
      if (!context.mayAwait()) return undefined;
      // One timer per pollable at a time, however often it is blocked on or polled.
      armed ??= clock.later?.(instant)?.then(() => {
        armed = undefined;
      });
      return armed;
    },
  );
}

export const wasiClocks: CapabilityProvider = {
  name: 'wasi-clocks',
  interfaces: ['wasi:clocks/wall-clock', 'wasi:clocks/monotonic-clock'],
  wit: wasiClocksTypes,
  link({ interface: iface, context }) {
    const clock = sandboxClock(context);
    if (iface === 'wasi:clocks/wall-clock') {
      return {
        now: () => {
          const ns = clock.wall();
          return { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) };
        },
        resolution: () => ({ seconds: 0n, nanoseconds: context.deterministic ? 1000 : 1 }),
      };
    }
    const until = (instant: bigint) => instantPollable(context, instant);
    return {
      now: () => clock.monotonic(),
      resolution: () => (context.deterministic ? VIRTUAL_STEP_NS : 1n),
      subscribeInstant: (instant: bigint) => until(instant),
      subscribeDuration: (duration: bigint) => until(clock.monotonic() + duration),
    };
  },
};
