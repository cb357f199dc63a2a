/**
 * A sandbox's virtual clocks in deterministic mode: time moved by its fuel and by the embedder's
 * `advanceClock`. Made only in deterministic mode (idle memory, issue 12); `virtualNanos` and
 * `advanceClock` answer for a sandbox without one as its clock would outside that mode.
 */
import { KeelError } from '../errors.js';
import type { MeterRuntime } from '../metering.js';

/** Deterministic mode: virtual time the guest's computation takes, per unit of fuel. */
export const NS_PER_FUEL = 1n;
/** How far `advanceClock` may move a sandbox's clocks in all (about 146 years). */
const MAX_CLOCK_ADVANCE_NS = 2n ** 62n;

export class VirtualClock {
  /** Set when the kernel runs in deterministic mode (the sandbox's context says so). */
  deterministic = false;
  /** Nanoseconds the embedder moved the clocks. */
  #advance = 0n;
  readonly #meter: MeterRuntime | undefined;

  constructor(meter: MeterRuntime | undefined) {
    this.#meter = meter;
  }

  /** The sandbox's time: its fuel used (1 ns per unit) plus the embedder's steps. */
  nanos(): bigint {
    return this.#advance + fuelNanos(this.#meter);
  }

  /**
   * Milliseconds for the sandbox's call deadlines: its virtual time in deterministic mode,
   * `performance.now()` otherwise (the sandbox's `CallDeadline` reads this).
   */
  now(): number {
    return this.deterministic ? Number(this.nanos() / 1000n) / 1000 : performance.now();
  }

  /** `Sandbox.advanceClock`: an explicit step forward, `invalid-argument` outside deterministic mode. */
  advance(nanoseconds: number | bigint): void {
    if (!this.deterministic) throw notDeterministic();
    const step =
      typeof nanoseconds === 'bigint'
        ? nanoseconds
        : Number.isSafeInteger(nanoseconds)
          ? BigInt(nanoseconds)
          : -1n;
    if (step < 0n) {
      throw new KeelError(
        'invalid-argument',
        `advanceClock takes a non-negative integer of nanoseconds, got ${nanoseconds}`,
      );
    }
    // Virtual instants are u64 nanoseconds in WASI (from 2026 on the wall clock): stay far below.
    if (this.#advance + step > MAX_CLOCK_ADVANCE_NS) {
      throw new KeelError(
        'invalid-argument',
        `advanceClock would move the clocks past ${MAX_CLOCK_ADVANCE_NS} ns`,
      );
    }
    this.#advance += step;
  }
}

/** Virtual time of the fuel used: 1 ns per unit. */
function fuelNanos(meter: MeterRuntime | undefined): bigint {
  return BigInt(meter?.used() ?? 0) * NS_PER_FUEL;
}

function notDeterministic(): KeelError {
  return new KeelError(
    'invalid-argument',
    'advanceClock needs deterministic mode (new Kernel({ deterministic: { seed } })): real clocks cannot be moved',
  );
}

/** `SandboxContext.virtualNanos` of a sandbox: its clock's, or (no clock: not deterministic) its fuel's time alone. */
export function virtualNanos(clock: VirtualClock | undefined, meter: MeterRuntime | undefined): bigint {
  return clock ? clock.nanos() : fuelNanos(meter);
}

/** `Sandbox.advanceClock`: `invalid-argument` without a virtual clock (outside deterministic mode). */
export function advanceClock(clock: VirtualClock | undefined, nanoseconds: number | bigint): void {
  if (!clock) throw notDeterministic();
  clock.advance(nanoseconds);
}
