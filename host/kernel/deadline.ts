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
 * meter), the clock read in the call (`CLOCKED`), the deadline passed (`EXPIRED`), host code
 * run inside the call (`HOST`), or host code that threw into the guest (`THREW`, with the error
 * in `thrown`: the call fails with it however the guest returns, host/abi/handles.ts `hostThrew`).
 *
 * The scalar fast path's common call (host/abi/fast.ts) writes nothing: it starts only when the
 * word is exactly `RAN` and looks again when the guest returns. Instead, host code that its
 * guest reaches marks the word first (`markHost`, host/abi/handles.ts: the lowered imports and
 * resource built-ins, host/abi/calls.ts and instance.ts; the meter's imports, `onHostEntry`,
 * host/kernel/metering.ts): the word exactly `RAN` then becomes `RAN | HOST`, kept until the
 * call returns and the sandbox settles it. Whatever that code does to the sandbox (a call into
 * it, a kill, a destructor, a reading of the clock) thus knows a call is in progress
 * (`IN_CALL | HOST`, `inFastCall`), as `IN_CALL` tells it for the marked way. Only the common
 * call runs guest code with the word exactly `RAN` (an invocation, the start function and the
 * marked way all run it with `NOT_READY`, 0 or `IN_CALL`), so no other code is marked. Writing
 * the word around each call cost 0.1-0.2x of plain V8's call (bench/results/perf-calls-2026-12-07-13.md).
 *
 * The clock is real time; in deterministic mode it is the sandbox's virtual time (1 ns per
 * unit of fuel, plus the embedder's `advanceClock` steps), so that a replay times out exactly
 * where the run did.
 */
import { performance } from 'node:perf_hooks';
import { type CallGate, GATE_OPEN } from '../abi/fast.js';
import { HOST, THREW } from '../abi/handles.js';
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

/** `CallDeadline.busy`: a fast-path call is in progress, marked by itself or by host code it reached. */
export const CALL_IN_PROGRESS = IN_CALL | HOST;

/** What stops the guest when host code threw into it (the sandbox's meter: `MeterRuntime.stop`). */
export interface GuestStopper {
  stop(error: Error): void;
  stopped(): Error | undefined;
}

/**
 * Host code threw `error` into the guest: stop its meter with it (a thrown non-`Error` as one),
 * so that the guest runs no further than its next check, unless it is stopped already (a
 * deadline's error stays the guest's). A sandbox's `HostMark.onThrown`, inline
 * (`CallDeadline.onThrown`) and in its worker (host/isolate/worker-main.ts).
 */
export function stopGuest(meter: GuestStopper | undefined, error: unknown): void {
  if (meter !== undefined && meter.stopped() === undefined)
    meter.stop(error instanceof Error ? error : new Error(String(error)));
}

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
  /** The fast path's word (see above): 0, or `RAN` | `NOT_READY` | `IN_CALL` | `OUT_OF_FUEL` | `CLOCKED` | `EXPIRED` | `HOST` | `THREW`. */
  busy = 0;
  /** The first error host code threw into the guest in the call in progress (`THREW`, `hostThrew`). */
  thrown: unknown = undefined;
  /** The guest's meter, stopped with that error (`onThrown`). */
  readonly #meter: GuestStopper | undefined;

  constructor(ms: number, clock: DeadlineClock = performance, meter?: GuestStopper) {
    this.ms = ms;
    this.#clock = clock;
    this.#meter = meter;
  }

  /**
   * `hostThrew`: host code threw `error` into the guest (the first of the call). The guest may
   * catch it; its meter is stopped with it, so that it runs no further than its next check
   * (unless stopped already: a deadline's error stays the guest's).
   */
  onThrown(error: unknown): void {
    stopGuest(this.#meter, error);
  }

  /** Whether host code threw into the guest in the call in progress (`THREW`). */
  threw(): boolean {
    return this.busy >= THREW;
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
    this.busy &= ~(EXPIRED | THREW);
    this.thrown = undefined;
  }

  /** A fast-path call starts the marked way (`busy` was 0 or `RAN`): its clock starts at its first reading. */
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

  /**
   * The fast-path call ended some other way (`CallOwner.after`, `fail`): only `NOT_READY` stays,
   * with `RAN` (the host's mark `HOST` goes: it belonged to this call).
   */
  settle(): void {
    this.busy = (this.busy & NOT_READY) | RAN;
    this.thrown = undefined;
  }

  /** A fast-path call is in progress: one that marked the word (`IN_CALL`), or the common one whose guest reached host code (`HOST`). */
  inFastCall(): boolean {
    return (this.busy & CALL_IN_PROGRESS) !== 0;
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
    this.thrown = undefined;
  }

  /** Milliseconds left to the call in progress (never below zero). */
  left(now: number = this.#clock.now()): number {
    const busy = this.busy;
    if ((busy & CALL_IN_PROGRESS) !== 0) {
      if ((busy & CLOCKED) === 0) {
        // The first reading in a fast-path call.
        this.busy = busy | CLOCKED;
        this.#start = now;
      }
    } else if (this.#timed !== this.#calls) {
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
