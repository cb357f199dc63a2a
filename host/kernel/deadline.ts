/**
 * The wall-clock deadline of one sandbox's calls (`limits.deadlineMs`). Each call (an `invoke`,
 * a fast-path call, a delivery, the start function) may run that long, waiting included; past
 * it the call fails with `timeout` and the sandbox is poisoned.
 *
 * Reading the clock on every fast-path call would cost more than the call, so a fast-path call
 * only bumps a counter (`mark`); the clock is read when the guest next needs the host anyway:
 * at the end of a fuel slice (the meter's `onSlice`) or before a blocking wait. The first such
 * reading in a new call starts its clock, at most one slice after the call really started.
 * `begin` starts it at once (`invoke`, deliveries, the start function).
 *
 * The clock is real time; in deterministic mode it is the sandbox's virtual time (1 ns per
 * unit of fuel, plus the embedder's `advanceClock` steps), so that a replay times out exactly
 * where the run did.
 */
import { performance } from 'node:perf_hooks';
import { KeelError } from './errors.js';

/** What a deadline reads the time from, in milliseconds (`performance` by default). */
export interface DeadlineClock {
  now(): number;
}

export class CallDeadline {
  readonly ms: number;
  /** Milliseconds on the deadline's clock. */
  readonly #clock: DeadlineClock;
  /** Calls started (fast path); the clock belongs to call number `#timed`. */
  #calls = 0;
  #timed = -1;
  #start = 0;
  /** The deadline of the call in progress has passed (sticky until the next call). */
  expired = false;

  constructor(ms: number, clock: DeadlineClock = performance) {
    this.ms = ms;
    this.#clock = clock;
  }

  /** A call starts now (`now`: the deadline's clock, when the caller has just read it). */
  begin(now: number = this.#clock.now()): void {
    this.#timed = ++this.#calls;
    this.#start = now;
    this.expired = false;
  }

  /** A fast-path call starts: its clock starts at its first reading. */
  mark(): void {
    this.#calls++;
    this.expired = false;
  }

  /** Milliseconds left to the call in progress (never below zero). */
  left(now: number = this.#clock.now()): number {
    if (this.#timed !== this.#calls) {
      this.#timed = this.#calls;
      this.#start = now;
    }
    const left = this.#start + this.ms - now;
    return left > 0 ? left : 0;
  }

  /** Milliseconds since the call in progress started (by its clock, see above). */
  elapsed(now: number = this.#clock.now()): number {
    this.left(now);
    return now - this.#start;
  }

  /** Throw `timeout` (and remember it) when the call in progress is past its deadline. */
  check(): void {
    if (this.expired || this.left() <= 0) throw this.exceeded();
  }

  /** The deadline has passed: remember it and return the error to throw. */
  exceeded(): KeelError {
    this.expired = true;
    return new KeelError('timeout', `the call ran past its deadline of ${this.ms} ms`, {
      deadlineMs: this.ms,
      elapsedMs: Math.round(this.elapsed()),
    });
  }
}
