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
 * The deadline is also the fast path's call gate (`CallGate`, host/abi/fast.ts): one word,
 * `busy`, says whether a fast-path call may start at once (0 or `RAN`) and whether one that
 * returned is done (`IN_CALL` alone; it leaves `RAN`, which the next invocation's fuel account
 * reads: the counter may have moved since the last invocation). Anything else sends the call to the sandbox's slow steps: the sandbox
 * not ready (`NOT_READY`, kept by the sandbox), the guest out of fuel (`OUT_OF_FUEL`, from the
 * meter), the clock read in the call (`CLOCKED`) or the deadline passed (`EXPIRED`). A fast-path
 * call thus writes one word on the way in and reads and writes it on the way out.
 *
 * The clock is real time; in deterministic mode it is the sandbox's virtual time (1 ns per
 * unit of fuel, plus the embedder's `advanceClock` steps), so that a replay times out exactly
 * where the run did.
 */
import { performance } from 'node:perf_hooks';
import { type CallGate, GATE_OPEN } from '../abi/fast.js';
import { KeelError } from './errors.js';

/**
 * `CallDeadline.busy`: a fast-path call ran since the last invocation (`ran()`); the only mark
 * that leaves the gate open (`GATE_OPEN`).
 */
export const RAN = GATE_OPEN;
/** `CallDeadline.busy`: the sandbox is not ready (running an invocation, or ended). */
export const NOT_READY = 2;
/** `CallDeadline.busy`: a fast-path call is running. */
export const IN_CALL = 4;
/** `CallDeadline.busy`: the guest ran out of fuel (its meter said so). */
export const OUT_OF_FUEL = 8;
/** `CallDeadline.busy`: the fast-path call in progress has read the clock (its deadline's clock runs). */
const CLOCKED = 16;
/** `CallDeadline.busy`: the deadline passed (`expired`). */
const EXPIRED = 32;

/** What a deadline reads the time from, in milliseconds (`performance` by default). */
export interface DeadlineClock {
  now(): number;
}

export class CallDeadline implements CallGate {
  readonly ms: number;
  /** Milliseconds on the deadline's clock. */
  #clock: DeadlineClock;
  /** Calls started (fast path); the clock belongs to call number `#timed`. */
  #calls = 0;
  #timed = -1;
  #start = 0;
  /** The deadline of the call in progress has passed (sticky until the next call). */
  expired = false;
  /** The fast path's word (see above): 0, or `RAN` | `NOT_READY` | `IN_CALL` | `OUT_OF_FUEL` | `CLOCKED` | `EXPIRED`. */
  busy = 0;

  constructor(ms: number, clock: DeadlineClock = performance) {
    this.ms = ms;
    this.#clock = clock;
  }

  /** Read the time from `clock` from now on (a sandbox's virtual clocks, in deterministic mode). */
  timeBy(clock: DeadlineClock): void {
    this.#clock = clock;
  }

  /** A call starts now (`now`: the deadline's clock, when the caller has just read it). */
  begin(now: number = this.#clock.now()): void {
    this.#timed = ++this.#calls;
    this.#start = now;
    this.#unexpire();
  }

  /** An untimed call starts: its clock starts at its first reading. */
  mark(): void {
    this.#calls++;
    this.#unexpire();
  }

  #unexpire(): void {
    this.expired = false;
    this.busy &= ~EXPIRED;
  }

  /** A fast-path call starts (`busy` was 0 or `RAN`): its clock starts at its first reading. */
  enter(): void {
    // Literals in the two hot methods (IN_CALL, RAN): TurboFan loads a module's constant at each
    // use (a hole check with it), a measurable share of a nanosecond-scale call.
    this.busy = 4;
  }

  /** The fast-path call returned: true when nothing happened that the sandbox must look at. */
  leave(): boolean {
    if (this.busy === 4) {
      this.busy = 1;
      return true;
    }
    return false;
  }

  /** The fast-path call ended some other way (`CallOwner.after`, `fail`): only `NOT_READY` stays, with `RAN`. */
  settle(): void {
    this.busy = (this.busy & NOT_READY) | RAN;
  }

  /** Whether a fast-path call ran since the last time this was asked (an invocation's start). */
  ran(): boolean {
    const ran = (this.busy & RAN) !== 0;
    this.busy &= ~RAN;
    return ran;
  }

  /** The sandbox found a fast-path call runnable after all (`busy` held a stale mark): a fresh start. */
  open(): void {
    this.busy = 0;
    this.expired = false;
  }

  /** Milliseconds left to the call in progress (never below zero). */
  left(now: number = this.#clock.now()): number {
    if ((this.busy & (IN_CALL | CLOCKED)) === IN_CALL) {
      // The first reading in a fast-path call.
      this.busy |= CLOCKED;
      this.#start = now;
    } else if ((this.busy & IN_CALL) === 0 && this.#timed !== this.#calls) {
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
    this.busy |= EXPIRED;
    return new KeelError('timeout', `the call ran past its deadline of ${this.ms} ms`, {
      deadlineMs: this.ms,
      elapsedMs: Math.round(this.elapsed()),
    });
  }
}
