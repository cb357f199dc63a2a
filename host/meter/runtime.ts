/**
 * The host side of metering: one fuel counter per sandbox, and the checks behind
 * `memory.grow` and `table.grow`. A metered module imports these from `keel`; pass the same
 * `imports.keel` object to every core module of one sandbox so they share one counter.
 *
 * Example:
 *   const meter = createMeterRuntime({ fuel: 1_000_000, memoryBytes: 64 << 20, tableElements: 10_000 });
 *   const instance = new WebAssembly.Instance(module, { ...imports, keel: meter.imports.keel });
 */
import { KeelError } from '../kernel/errors.js';
import { KEEL_EXPORTS, type KEEL_IMPORTS } from './module.js';

export const PAGE_BYTES = 65536;

/**
 * The memory limit as a message names it: in bytes, and in pages when the byte count is not a
 * whole number of pages (the limit counts whole 64 KiB pages, rounded down).
 */
export function describeMemoryLimit(memoryBytes: number): string {
  const pages = Math.floor(memoryBytes / PAGE_BYTES);
  const bytes = `${memoryBytes} byte${memoryBytes === 1 ? '' : 's'}`;
  const whole = `${pages} page${pages === 1 ? '' : 's'}`;
  if (pages * PAGE_BYTES === memoryBytes) return `memory limit of ${bytes} (${whole})`;
  return `memory limit of ${bytes}, i.e. ${whole} of 64 KiB (${pages * PAGE_BYTES} bytes): limits count whole pages`;
}

export interface MeterLimits {
  /** Fuel the sandbox may use before `setRemaining` is called again. */
  fuel: number;
  /**
   * Linear memory of the sandbox, in bytes (rounded down to whole 64 KiB pages): the total of
   * all its memories (see `MemoryLayout`).
   */
  memoryBytes: number;
  /**
   * Which memory each instance's `memory.grow` grows, in the order the instances read `imports`
   * (see `MemoryLayout`). Without one, each read of `imports` is an instance with one memory
   * of its own, counted at its size at its last grow.
   */
  layout?: MemoryLayout;
  /** Elements per table. */
  tableElements: number;
  /** What a grow past the limit does: return -1 as the spec allows (default), or fail the call. */
  growFailure?: 'return-minus-one' | 'error';
  /**
   * Fuel handed to the guest at a time (default `DEFAULT_SLICE_FUEL`): when a slice runs out,
   * the host is consulted (`MeterEvents.onSlice`) before the next is given. Slices change when
   * the host is consulted, never what is charged.
   */
  sliceFuel?: number;
}

/** See `MeterLimits.sliceFuel` and docs/fuel.md ("Slices"), where the figure is measured. */
export const DEFAULT_SLICE_FUEL = 131_072;

/**
 * A sandbox's linear memories as its plan says (the kernel's `memoryLayout`): every memory an
 * instance defines is a slot, counted once however many instances import it. A `memory.grow`
 * is checked against the total of all slots: the other slots at their known sizes, the grown
 * one at its size now (V8's `memory.size`, read just before the call: a grow V8 refused is
 * never counted). An instance with several memories cannot tell which one grows: its grows go
 * to one shared slot (`SHARED_SLOT`) and stay counted, an over-count, never an under-count.
 */
export interface MemoryLayout {
  /** Per instance, in instantiation order: the slot its `memory.grow` counts against. */
  readonly slotOf: readonly number[];
  /** Per slot: initial size in pages. */
  readonly initial: readonly number[];
  /** Per slot: the maximum V8 allows it, in pages (a grow past it fails in V8: refused here, silently). */
  readonly maximum: readonly number[];
  /** The shared slot of instances with several memories (it only adds), or -1. */
  readonly shared: number;
}

export interface MeterEvents {
  /**
   * A `memory.grow` was refused; `requestedPages` is the sandbox's total it asked for (all its
   * memories), in pages.
   */
  onMemoryLimit?(requestedPages: number): void;
  /** A `table.grow` was refused; `requested` is the size it asked for, in elements. */
  onTableLimit?(requested: number): void;
  /**
   * The guest used up a slice and the budget has more: called before the next slice is given.
   * Unlike the observers above it may throw (a deadline that passed, say): the guest then
   * unwinds with that error, and every later check and charge throws it again until
   * `setRemaining` (see `MeterRuntime.stop`).
   */
  onSlice?(): void;
  /**
   * The guest ran out of fuel (`exhausted()` is now true), just before the `fuel-exhausted`
   * error is thrown into it: a host that skips reading `exhausted()` after each call (the
   * kernel's fast path) is told this way. An observer: what it throws is ignored.
   */
  onExhausted?(): void;
  /**
   * The guest called one of the meter's imports (the end of a slice, a grow): called first,
   * before anything else the import does (the kernel marks its sandbox's fast-path call as
   * having reached host code, `markHost`). Never called for the host's own charges.
   */
  onHostEntry?(): void;
  /**
   * A grow's error (`growFailure: 'error'`) is thrown into the guest: returns what to throw, the
   * call's first error kept as any host error thrown into the guest is (the kernel's
   * `hostThrew`: a guest that catches it cannot carry on as if the grow had been refused).
   */
  onHostThrew?(error: unknown): unknown;
}

export interface MeterRuntime {
  /**
   * The imports a metered module needs: a fresh record at each read, every one with the same
   * fuel global (pass one to every core module of a sandbox: they share one counter). Its `fuel`
   * is a getter on the record's prototype, taken when first read: pass the record itself, not a
   * copy of its own properties.
   */
  readonly imports: { keel: Record<string, WebAssembly.Global | Function> };
  /** Fuel left (0 once exhausted). */
  remaining(): number;
  /**
   * Fuel left, exactly, below zero when the last charge went past the budget (a counted loop's
   * charge, or straight-line code just before a check): the counter plus what is not handed
   * out yet. `remaining()` is this, never below zero.
   */
  balance(): bigint;
  /** Fuel used since the runtime was created, over every budget. */
  used(): number;
  /**
   * Set the fuel left: a refuel, or a fresh per-invocation budget. Clears `exhausted()` and
   * `stopped()`. `usedNow` is what `used()` returns now, when the caller has just read it (the
   * read is a call into WebAssembly: the host's per-invocation bookkeeping saves one this way).
   */
  setRemaining(n: number, usedNow?: number): void;
  /**
   * A fresh budget after an invocation: reads `used()`, then sets the fuel left to
   * `min(limit, max(0, total - used))` as `setRemaining` does; returns the `used()` read. One
   * read of the counter and, while the counter holds no more than the new budget, no write: the
   * rest of the budget goes to what is not handed out yet (the guest's next check that finds
   * the counter below zero gets it), so the guest runs out at the same point.
   */
  renew(limit: number, total: number): number;
  /**
   * `renew` at a call's end that has nothing to settle, in the same one read of the counter:
   * the counter at or above zero, the meter neither exhausted nor stopped. Anything else (a
   * counter below zero, as a body with no check leaves it past the budget) returns -1 and does
   * nothing: the caller settles first (`spent`), then renews.
   */
  close(limit: number, total: number): number;
  /**
   * Whether the host moved the counter since the last `renew` (a charge, a slice handed out, a
   * `setRemaining`, a `stop`). The guest's own charges between checks are not seen here.
   */
  moved(): boolean;
  /** Whether the guest ran out of fuel since the last `setRemaining` (even if it caught the error). */
  exhausted(): boolean;
  /**
   * After guest code ran: `settle`, then whether the meter is out of fuel. A body with no loop
   * and no call never checks its counter, so one that started with little fuel ends past the
   * budget with the counter below zero: that is out of fuel too (the overshoot counted), never
   * a result billed at the budget. Never throws.
   */
  spent(): boolean;
  /**
   * Fuel lent to the host's scalar fast path (host/abi/fast.ts), part of the budget: a call of a
   * constant-cost leaf export (host/meter/leaves.ts) takes its cost from here before it runs,
   * and gives it back if the call trapped (the pass charges a leaf at its end). Every reading of
   * the fuel counts it; everything that hands fuel out or sets the budget takes it back first.
   */
  lent: number;
  /**
   * The fast path's `lent` is below `cost`: lend at least `cost` (from the fuel not handed out
   * yet, else from the counter), or throw `fuel-exhausted` when the budget left cannot pay it
   * (the call does not run), or the error the guest was stopped with.
   */
  lend(cost: number): void;
  /**
   * A call of the fast path returned: a counter below zero is what a check would find (a
   * loop-free body never checks its own charge): the slice refilled from the budget, or
   * `fuel-exhausted` (the error the guest was stopped with) when the budget cannot pay what the
   * call overshot.
   */
  settle(): void;
  /**
   * Charge `n` fuel from the host (a host function's price, per call or per byte). Throws
   * `fuel-exhausted` when that leaves the budget below zero. Metered code writes its counter
   * back before it calls an import and reads it again after, so this is exact.
   */
  charge(n: number): void;
  /**
   * Stop the guest with `error`: its next check (every loop header or back edge, every calling function's
   * entry) and the host's next charge throw it, and so do all later ones until `setRemaining`.
   * The fuel used so far stays as it is.
   */
  stop(error: Error): void;
  /** The error the guest was stopped with (by `stop` or by `onSlice`), if any, since the last `setRemaining`. */
  stopped(): Error | undefined;
  /**
   * The host is done with the guest (its sandbox ended): the meter tells its events nothing
   * more, and no longer reaches them. A guest instance holds its `keel` functions, and through
   * them this meter, until V8 collects the instance (a full collection: instances live in the
   * old generation); detached, that is the meter alone. Counting and checks go on as before,
   * except with an adopted counter (`adopt`): the meter takes a counter of its own again (the
   * guest's keeps its instance alive), and a guest still running runs out of fuel at its next
   * check (the kernel detaches a meter only when its sandbox ended, empty when in a call).
   */
  detach(): void;
  /**
   * Take `fuel`, a counter the guest's one core instance defines (`counter: 'defined'`), as this
   * meter's from now on: it gets the counter's value, and the host's charges, refills, stops and
   * reads use it. At most once, and only by a meter whose imports went to one instance at most
   * (another would keep counting on the old counter): else `internal`. See `adoptCounter`.
   */
  adopt(fuel: WebAssembly.Global): void;
}

/**
 * After instantiating a metered module with `meter.imports`: when the module defines its
 * counter (`KEEL_EXPORTS.fuel`, a name the pass refuses in a module's own exports), the meter
 * adopts it, then the module's start function runs (the pass exports it instead of starting it,
 * so that it runs with the meter's counter). Nothing for a module that imports its counter.
 */
export function adoptCounter(meter: MeterRuntime, instance: WebAssembly.Instance): void {
  const exports = instance.exports;
  const fuel = exports[KEEL_EXPORTS.fuel];
  if (fuel === undefined) return;
  meter.adopt(fuel as WebAssembly.Global);
  const start = exports[KEEL_EXPORTS.start];
  if (typeof start === 'function') (start as () => void)();
}

/**
 * A meter's `keel` imports for one instance. The counter is a getter on the prototype: V8
 * resolves an instance's import with a property read, so a module that defines its own counter
 * (the plan's only core instance: `adoptCounter`) never asks for one, and the meter takes none
 * (a getter in an object literal cost 540 B a spawn more than this class).
 */
class KeelImports {
  readonly #meter: Meter;
  readonly fuel_slice: () => void;
  readonly memory_grow: (current: number, delta: number) => number;
  readonly table_grow: (current: number, delta: number) => number;

  constructor(
    meter: Meter,
    fuelSlice: () => void,
    memoryGrow: (current: number, delta: number) => number,
    tableGrow: (current: number, delta: number) => number,
  ) {
    this.#meter = meter;
    this.fuel_slice = fuelSlice;
    this.memory_grow = memoryGrow;
    this.table_grow = tableGrow;
  }

  get fuel(): WebAssembly.Global {
    return this.#meter.counter();
  }
}

/** The events of a detached meter: none. */
const NO_EVENTS: MeterEvents = Object.freeze({});

/** The counter's value once the guest is stopped: below any slice, so every check fails. */
const STOPPED = -(2n ** 62n);

export function createMeterRuntime(limits: MeterLimits, events: MeterEvents = {}): MeterRuntime {
  return new Meter(limits, events);
}

/**
 * One sandbox's meter. Its state lives in fields and its methods on the prototype: a sandbox
 * costs the fuel global, the three functions the guest imports and this object, not a closure
 * per method (spawn time and idle memory, issue 12).
 */
class Meter implements MeterRuntime {
  readonly #slice: number;
  readonly #limits: MeterLimits;
  #events: MeterEvents;
  // The budget is handed out a slice at a time: `#fuel` holds the slice in progress (the guest
  // charges it; below zero it calls `fuel_slice`), `#reserve` what is not handed out yet.
  // The guest's own once adopted (`adopt`); else taken from a batch when first needed (an
  // instance imports it, or the host charges through it): until then, and once an adopted one is
  // given back (`detach`), the counter's value is `#held`. A sandbox whose only core instance
  // defines its counter takes none: it took two before, one at spawn and one at its end, and a
  // batch's instance cost 2-20 us a spawn (bench/results/perf-spawn-2026-12-07-12.md).
  #fuel: WebAssembly.Global | undefined;
  #held: number | bigint;
  #adopted = false;
  /** The adopted counter was given back at `detach` (see there). */
  #released = false;
  #budget = 0;
  #reserve = 0;
  lent = 0;
  #usedBefore = 0;
  #exhausted = false;
  #stopError: Error | undefined;
  /** See `moved()`. */
  #moved = false;
  /** `remaining()` when the guest was stopped (the counter then holds `STOPPED`). */
  #stoppedRemaining = 0;
  // The counter is read and written through a small WebAssembly module once the sandbox is
  // used (see `FuelCell`): made on the first host charge or after a few reads and writes, so a
  // sandbox spawned and dropped never pays for its instance.
  #cell: FuelCell | undefined;
  #bigintAccesses = 0;
  /** Reads of `imports` so far: the instance index of the next one. */
  #instances = 0;
  /** Pages of each memory slot (the shared slot last, when the layout has one), as last known. */
  #pages: number[];

  constructor(limits: MeterLimits, events: MeterEvents) {
    this.#slice = checkLimits(limits);
    this.#limits = limits;
    this.#events = events;
    // The first budget is handed out as the counter is made (what `setRemaining(limits.fuel)`
    // does, without writing the counter a second time through a BigInt).
    const give = limits.fuel < this.#slice ? limits.fuel : this.#slice;
    this.#held = give;
    this.#budget = limits.fuel;
    this.#reserve = limits.fuel - give;
    this.#pages = limits.layout ? limits.layout.initial.slice() : [];
  }

  /**
   * The `keel` imports, made when asked (at each instantiation) and not kept: an instance keeps
   * the functions its module imports, and the meter none (idle memory, issue 12). Every record
   * holds the same fuel global, so all of a sandbox's core modules share one counter (the
   * names of KEEL_IMPORTS, checked below).
   */
  get imports(): { keel: Record<string, WebAssembly.Global | Function> } {
    // The slot this instance's grows count against; past the layout (or without one), one of
    // its own, counted from its first grow.
    const instance = this.#instances++;
    const planned = this.#limits.layout?.slotOf[instance] ?? -1;
    const slot = planned >= 0 ? planned : this.#pages.push(0) - 1;
    const keel = new KeelImports(
      this,
      () => {
        this.#events.onHostEntry?.();
        this.#fuelSlice();
      },
      (current: number, delta: number) => {
        this.#events.onHostEntry?.();
        try {
          return this.#memoryGrow(slot, current, delta);
        } catch (error) {
          throw this.#events.onHostThrew?.(error) ?? error;
        }
      },
      (current: number, delta: number) => {
        this.#events.onHostEntry?.();
        try {
          return this.#tableGrow(current, delta);
        } catch (error) {
          throw this.#events.onHostThrew?.(error) ?? error;
        }
      },
    ) satisfies Record<(typeof KEEL_IMPORTS)[keyof typeof KEEL_IMPORTS], unknown>;
    return { keel: keel as unknown as Record<string, WebAssembly.Global | Function> };
  }

  /** The counter as a global (taken from a batch, holding `#held`, on the first call). */
  counter(): WebAssembly.Global {
    this.#fuel ??= fuelGlobal(this.#held);
    return this.#fuel;
  }

  #cellNow(): FuelCell | undefined {
    if (this.#cell) return this.#cell;
    if (++this.#bigintAccesses < CELL_AFTER_ACCESSES) return undefined;
    this.#cell = fuelCell(this.counter());
    return this.#cell;
  }

  #readFuel(): number {
    const fuel = this.#fuel;
    if (fuel === undefined) return Number(this.#held);
    const c = this.#cellNow();
    if (c === undefined) return Number(fuel.value as bigint);
    // The counter is a slice at most (DEFAULT_SLICE_FUEL) while the guest runs: an i32.
    const small = c.small();
    return small !== SMALL_OUT_OF_RANGE ? small : c.get();
  }

  #writeFuel(n: number): void {
    const fuel = this.#fuel;
    if (fuel === undefined) {
      this.#held = n;
      return;
    }
    const c = this.#cellNow();
    if (c) c.set(n);
    else fuel.value = BigInt(n);
  }

  /** The counter's exact value. */
  #value(): bigint {
    return this.#fuel === undefined ? BigInt(this.#held) : (this.#fuel.value as bigint);
  }

  /** The counter set to `value` exactly (`STOPPED`). */
  #setValue(value: bigint): void {
    if (this.#fuel === undefined) this.#held = value;
    else this.#fuel.value = value;
  }

  /** Fill the counter from `left`, the fuel the budget has (counter and reserve together). */
  #handOut(left: number): void {
    const give = left < this.#slice ? left : this.#slice;
    this.#writeFuel(give);
    this.#reserve = left - give;
  }

  remaining(): number {
    if (this.#stopError) return this.#stoppedRemaining;
    const left = this.#readFuel() + this.#reserve + this.lent;
    return left > 0 ? left : 0;
  }

  used(): number {
    return this.#usedBefore + Math.max(0, this.#budget - this.remaining());
  }

  balance(): bigint {
    return this.#stopError
      ? BigInt(this.#stoppedRemaining)
      : this.#value() + BigInt(this.#reserve + this.lent);
  }

  stop(error: Error): void {
    this.#moved = true;
    if (!this.#stopError) this.#stoppedRemaining = this.remaining();
    this.#stopError = error;
    this.#reserve = 0;
    this.lent = 0;
    this.#setValue(STOPPED);
  }

  stopped(): Error | undefined {
    return this.#stopError;
  }

  detach(): void {
    this.#events = NO_EVENTS;
    this.#takeBack();
    // An adopted counter is the guest instance's own global, which keeps the instance and its
    // memory alive (V8's global object points to its instance): the ended sandbox's meter takes
    // a counter of its own again, with the same value, so that it reaches nothing of the guest.
    // Its value is kept as a number (a global is taken again only if the host charges later).
    if (this.#adopted && !this.#released) {
      this.#held = this.#value();
      this.#fuel = undefined;
      this.#cell = undefined;
      this.#released = true;
    }
  }

  adopt(fuel: WebAssembly.Global): void {
    if (this.#adopted || this.#instances > 1 || !(fuel instanceof WebAssembly.Global)) {
      throw new KeelError(
        'internal',
        "a meter adopts one counter, a global of the sandbox's only core instance",
      );
    }
    // Throws on a global that is not a mutable i64 (not the pass's): adopted only if it took the value.
    fuel.value = this.#value();
    this.#fuel = fuel;
    this.#adopted = true;
    // The cell reads and writes the counter it was made with: made again for this one when used.
    this.#cell = undefined;
  }

  exhausted(): boolean {
    return this.#exhausted;
  }

  spent(): boolean {
    try {
      this.settle();
    } catch {
      // #outOfFuel marked the meter exhausted.
    }
    return this.#exhausted;
  }

  /**
   * A check found the counter below zero (or a host charge took it there): the slice is used
   * up. Refill it from the reserve, or throw when the budget is spent or the host says stop.
   * Never returns with the counter below zero.
   */
  #fuelSlice(): void {
    this.#moved = true;
    this.#takeBack();
    if (this.#stopError) {
      this.#setValue(STOPPED);
      throw this.#stopError;
    }
    // A guest still running once its counter was given back (its sandbox killed in one of its
    // host calls, the budget emptied: `detach`) calls here with its own counter below zero: out
    // of fuel, as it was on the shared counter.
    const left = this.#released ? -1 : this.#readFuel() + this.#reserve;
    if (left < 0) {
      this.#reserve = 0;
      throw this.#outOfFuel();
    }
    const onSlice = this.#events.onSlice;
    if (onSlice) {
      try {
        onSlice.call(this.#events);
      } catch (error) {
        this.stop(error instanceof Error ? error : new Error(String(error)));
        throw this.#stopError;
      }
    }
    this.#handOut(left);
  }

  setRemaining(n: number, usedNow?: number): void {
    checkCount('fuel', n);
    this.#moved = true;
    this.#usedBefore = usedNow ?? this.used();
    this.#budget = n;
    this.#exhausted = false;
    this.#stopError = undefined;
    this.lent = 0;
    this.#handOut(n);
  }

  /** The guest is out of fuel: marked so, its observer told, the error to throw made. */
  #outOfFuel(): KeelError {
    this.#exhausted = true;
    try {
      this.#events.onExhausted?.();
    } catch {
      // Observers cannot change the outcome.
    }
    return new KeelError('fuel-exhausted', 'all fuel consumed by WebAssembly', {
      used: this.used(),
      limit: this.#budget,
    });
  }

  /** What the fast path holds goes back to the fuel not handed out (see `lent`). */
  #takeBack(): void {
    this.#reserve += this.lent;
    this.lent = 0;
  }

  lend(cost: number): void {
    this.#moved = true;
    if (this.#stopError) throw this.#stopError;
    this.#takeBack();
    const reserve = this.#reserve;
    if (reserve >= cost) {
      // Lent a slice at most from the reserve: the counter, which the guest charges, is untouched.
      const slice = this.#slice > cost ? this.#slice : cost;
      const give = reserve < slice ? reserve : slice;
      this.#reserve = reserve - give;
      this.lent = give;
      return;
    }
    const left = this.#released ? -1 : this.#readFuel() + reserve;
    if (left < cost) {
      // The call would go past the budget: out of fuel before it runs, as a check would find it.
      throw this.#outOfFuel();
    }
    // The reserve is short (a budget within one slice): the counter's fuel too.
    this.#writeFuel(0);
    this.#reserve = 0;
    this.lent = left;
  }

  settle(): void {
    // The common case in one call into WebAssembly: the cell made, the counter an i32 at or above zero.
    const cell = this.#cell;
    if (cell !== undefined && cell.small() >= 0) return;
    if (this.#readFuel() < 0) this.#fuelSlice();
  }

  moved(): boolean {
    return this.#moved;
  }

  renew(limit: number, total: number): number {
    this.#takeBack();
    // The common case in few bytes of code (V8 inlines it into an invocation's end, within a
    // budget of bytecode a call: bench/results/perf-invoke-2026-12-07-15.md): the cell made, the
    // counter an i32, the meter not stopped. Anything else: `#renewAny`, the same steps in full.
    const cell = this.#cell;
    const counter = cell === undefined || this.#stopError ? SMALL_OUT_OF_RANGE : cell.small();
    if (counter === SMALL_OUT_OF_RANGE) return this.#renewAny(limit, total);
    return this.#renewed(counter, limit, total);
  }

  close(limit: number, total: number): number {
    // A counter below zero (SMALL_OUT_OF_RANGE too) is what `settle` looks at: left to `spent`.
    const cell = this.#cell;
    if (cell === undefined || this.#stopError !== undefined || this.#exhausted) return -1;
    const counter = cell.small();
    if (counter < 0) return -1;
    this.#takeBack();
    return this.#renewed(counter, limit, total);
  }

  /** `renew` with the counter read, an i32, the meter not stopped. */
  #renewed(counter: number, limit: number, total: number): number {
    this.#moved = false;
    const left = counter + this.#reserve;
    const used = this.#usedBefore + Math.max(0, this.#budget - (left > 0 ? left : 0));
    const n = Math.min(limit, Math.max(0, total - used));
    this.#usedBefore = used;
    this.#budget = n;
    this.#exhausted = false;
    if (counter <= n) this.#reserve = n - counter;
    else this.#handOut(n);
    return used;
  }

  #renewAny(limit: number, total: number): number {
    this.#moved = false;
    let used: number;
    let counter = Number.NaN;
    if (this.#stopError) used = this.#usedBefore + Math.max(0, this.#budget - this.#stoppedRemaining);
    else {
      counter = this.#readFuel();
      const left = counter + this.#reserve;
      used = this.#usedBefore + Math.max(0, this.#budget - (left > 0 ? left : 0));
    }
    const n = Math.min(limit, Math.max(0, total - used));
    this.#usedBefore = used;
    this.#budget = n;
    this.#exhausted = false;
    this.#stopError = undefined;
    // NaN (stopped: the counter holds STOPPED) fails the comparison: written.
    if (counter <= n) this.#reserve = n - counter;
    else this.#handOut(n);
    return used;
  }

  charge(n: number): void {
    checkCount('charge', n);
    this.#moved = true;
    this.#cell ??= fuelCell(this.counter());
    if (this.#cell.charge(n) !== 0) this.#fuelSlice();
  }

  /**
   * The check behind `memory.grow` (imported by the rewritten module): 1 to let the grow go
   * ahead, 0 to refuse it (the module then returns -1), or `memory-limit` thrown with
   * `growFailure: 'error'`; a refusal is reported to the events first.
   */
  #memoryGrow(slot: number, current: number, delta: number): number {
    delta >>>= 0;
    current >>>= 0;
    const pages = this.#pages;
    const layout = this.#limits.layout;
    const shared = layout !== undefined && slot === layout.shared;
    // The grown memory at its size now (corrects a grow V8 refused after this allowed it),
    // except in the shared slot, whose memories cannot be told apart: it only adds.
    if (!shared) pages[slot] = current;
    if (delta === 0) return 1;
    let total = 0;
    for (let i = 0; i < pages.length; i++) total += pages[i]!;
    const requested = total + delta;
    const memoryBytes = this.#limits.memoryBytes;
    const memoryPages = Math.floor(memoryBytes / PAGE_BYTES);
    if (requested <= memoryPages) {
      // Past the memory's own maximum V8 refuses it: refused here too, and not counted.
      if (!shared && layout && current + delta > (layout.maximum[slot] ?? Number.POSITIVE_INFINITY)) return 0;
      pages[slot] = pages[slot]! + delta;
      return 1;
    }
    notify(this.#events, 'onMemoryLimit', requested);
    if (this.#limits.growFailure === 'error') {
      const others = requested - (shared ? delta : current + delta);
      throw new KeelError(
        'memory-limit',
        `memory.grow to ${current + delta} pages (${(current + delta) * PAGE_BYTES} bytes)${others > 0 ? `, with the sandbox's other memories at ${others} pages,` : ''} is over the sandbox's ${describeMemoryLimit(memoryBytes)}`,
        { requestedPages: requested, limitPages: memoryPages },
      );
    }
    return 0;
  }

  /** The check behind `table.grow`, as `#memoryGrow`'s. */
  #tableGrow(current: number, delta: number): number {
    delta >>>= 0;
    const requested = (current >>> 0) + delta;
    const tableElements = this.#limits.tableElements;
    if (delta === 0 || requested <= tableElements) return 1;
    notify(this.#events, 'onTableLimit', requested);
    if (this.#limits.growFailure === 'error') {
      throw new KeelError(
        'table-limit',
        `table.grow to ${requested} elements is over the sandbox's ${tableElements}-element table limit`,
        { requested, limit: tableElements },
      );
    }
    return 0;
  }
}

/**
 * The host's side of the fuel counter, done in WebAssembly. From JavaScript an i64 global is
 * read and written as a BigInt: about 55 ns a charge (most of a guest-to-host call) and 300 ns
 * for a read and a write (most of what `invokeSync` spent on fuel); a small module that shares
 * the sandbox's fuel global does each in a few nanoseconds, with no allocation. Doubles round as
 * `Number(bigint)` does; the counter stays within ±2^62, where that rounding never matters
 * (`balance()`, which must be exact, still reads the BigInt).
 *
 *   (module
 *     (import "keel" "fuel" (global $fuel (mut i64)))
 *     (func (export "charge") (param $n f64) (result i32)   ;; 1 when the counter went below 0
 *       (global.set $fuel (i64.sub (global.get $fuel) (i64.trunc_sat_f64_u (local.get $n))))
 *       (i64.lt_s (global.get $fuel) (i64.const 0)))
 *     (func (export "get") (result f64) (f64.convert_i64_s (global.get $fuel)))
 *     (func (export "set") (param $v f64) (global.set $fuel (i64.trunc_sat_f64_s (local.get $v))))
 *     ;; the counter as an i32 when it is one, else -2^31 (then read `get`): V8 hands an i32
 *     ;; result to JavaScript as a small integer, an f64 through a builtin call (WasmFloat64ToNumber)
 *     (func (export "small") (result i32) (local $v i64)
 *       (local.set $v (global.get $fuel))
 *       (select (i32.wrap_i64 (local.get $v)) (i32.const 0x80000000)
 *         (i32.and (i64.gt_s (local.get $v) (i64.const -2147483648))
 *                  (i64.le_s (local.get $v) (i64.const 2147483647))))))
 */
const FUEL_CELL_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x12, 0x04, 0x60, 0x01, 0x7c, 0x01, 0x7f, 0x60, 0x00,
  0x01, 0x7c, 0x60, 0x01, 0x7c, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x0e, 0x01, 0x04, 0x6b, 0x65, 0x65, 0x6c,
  0x04, 0x66, 0x75, 0x65, 0x6c, 0x03, 0x7e, 0x01, 0x03, 0x05, 0x04, 0x00, 0x01, 0x02, 0x03, 0x07, 0x1e, 0x04,
  0x06, 0x63, 0x68, 0x61, 0x72, 0x67, 0x65, 0x00, 0x00, 0x03, 0x67, 0x65, 0x74, 0x00, 0x01, 0x03, 0x73, 0x65,
  0x74, 0x00, 0x02, 0x05, 0x73, 0x6d, 0x61, 0x6c, 0x6c, 0x00, 0x03, 0x0a, 0x47, 0x04, 0x10, 0x00, 0x23, 0x00,
  0x20, 0x00, 0xfc, 0x07, 0x7d, 0x24, 0x00, 0x23, 0x00, 0x42, 0x00, 0x53, 0x0b, 0x05, 0x00, 0x23, 0x00, 0xb9,
  0x0b, 0x08, 0x00, 0x20, 0x00, 0xfc, 0x06, 0x24, 0x00, 0x0b, 0x25, 0x01, 0x01, 0x7e, 0x23, 0x00, 0x21, 0x00,
  0x20, 0x00, 0xa7, 0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x20, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x78, 0x55,
  0x20, 0x00, 0x42, 0xff, 0xff, 0xff, 0xff, 0x07, 0x57, 0x71, 0x1b, 0x0b,
]);
let fuelCellModule: WebAssembly.Module | undefined;

/** Reads and writes of the counter through BigInt before a sandbox gets its `FuelCell`. */
const CELL_AFTER_ACCESSES = 16;

interface FuelCell {
  charge(n: number): number;
  get(): number;
  set(n: number): void;
  /** The counter when it is an i32 above -2^31; -2^31 otherwise (`SMALL_OUT_OF_RANGE`). */
  small(): number;
}

/** `FuelCell.small`'s answer for a counter it does not hold as an i32. */
const SMALL_OUT_OF_RANGE = -2147483648;

function fuelCell(fuel: WebAssembly.Global): FuelCell {
  fuelCellModule ??= new WebAssembly.Module(FUEL_CELL_BYTES);
  return new WebAssembly.Instance(fuelCellModule, { keel: { fuel } }).exports as unknown as FuelCell;
}

/**
 * Fuel counters are made in batches, as the exported globals of one instance of a module of
 * Keel's own that defines nothing else (`fuelBatchBytes`), not one `new WebAssembly.Global` per
 * meter. A global made from JavaScript gets a backing store of its own, and V8 makes a young
 * collection at any new backing store once its young objects' backing stores pass 32 MB: every
 * spawn's wasm memory is one, so past a few hundred spawns each new counter set off a young
 * collection, which copied everything the instances not yet collected reach (the metered spawn
 * of the bench component 35 us slower than an unmetered one at low load:
 * bench/results/perf-spawn-2026-12-06-10.md). A batch's globals share its instance's one backing
 * store. Each global is handed to one meter only, never reused. Batches start small and double
 * (32 to 512 globals) as meters are made, so a process that makes few keeps few spare (a spare
 * global is about 60 B; a batch's backing store, 8 B a global, lives as long as one of its
 * globals). Not more than 512: an instance exporting 1024 took 8 ms (7.9 us a global, against
 * 0.6 us at 512 and 1.0 us for `new WebAssembly.Global`), past V8's 1020 named properties per
 * object with a map of its own.
 */
const FIRST_FUEL_BATCH = 32;
const MAX_FUEL_BATCH = 512;
/** The spare globals of the current batch (handed out from the end). */
let spareFuel: WebAssembly.Global[] = [];
let nextFuelBatch = FIRST_FUEL_BATCH;
/** The batch modules made so far, by size. */
const fuelBatchModules = new Map<number, WebAssembly.Module>();

/** A new fuel global holding `value`. */
function fuelGlobal(value: number | bigint): WebAssembly.Global {
  let fuel = spareFuel.pop();
  if (!fuel) {
    const size = nextFuelBatch;
    if (nextFuelBatch < MAX_FUEL_BATCH) nextFuelBatch *= 2;
    let module = fuelBatchModules.get(size);
    if (!module) {
      module = new WebAssembly.Module(fuelBatchBytes(size));
      fuelBatchModules.set(size, module);
    }
    const exports = new WebAssembly.Instance(module).exports;
    const made: WebAssembly.Global[] = [];
    for (let i = 0; i < size; i++) made.push(exports[i] as WebAssembly.Global);
    spareFuel = made;
    fuel = spareFuel.pop()!;
  }
  fuel.value = BigInt(value);
  return fuel;
}

/**
 * A module defining `count` mutable i64 globals, initially 0, exported as "0", "1", ...:
 *   (module (global (export "0") (mut i64) (i64.const 0)) (global (export "1") ...) ...)
 */
export function fuelBatchBytes(count: number): Uint8Array<ArrayBuffer> {
  const globals: number[] = [];
  const exports: number[] = [];
  leb(globals, count);
  leb(exports, count);
  for (let i = 0; i < count; i++) {
    globals.push(0x7e, 0x01, 0x42, 0x00, 0x0b);
    const name = String(i);
    leb(exports, name.length);
    for (let c = 0; c < name.length; c++) exports.push(name.charCodeAt(c));
    exports.push(0x03);
    leb(exports, i);
  }
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x06];
  leb(out, globals.length);
  out.push(...globals, 0x07);
  leb(out, exports.length);
  out.push(...exports);
  return new Uint8Array(out);
}

function leb(out: number[], value: number): void {
  let v = value;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
}

/** The meter's limits checked; returns the slice of fuel handed out at a time. */
function checkLimits(limits: MeterLimits): number {
  checkCount('fuel', limits.fuel);
  checkCount('memoryBytes', limits.memoryBytes);
  checkCount('tableElements', limits.tableElements);
  const slice = limits.sliceFuel ?? DEFAULT_SLICE_FUEL;
  checkCount('sliceFuel', slice);
  if (slice === 0) {
    throw new KeelError('invalid-argument', 'meter limit "sliceFuel" must be at least 1', {
      limit: 'sliceFuel',
    });
  }
  return slice;
}

/** An observer that throws never breaks the run. */
function notify(events: MeterEvents, which: 'onMemoryLimit' | 'onTableLimit', value: number): void {
  try {
    events[which]?.(value);
  } catch {
    // Observers cannot change the outcome.
  }
}

function checkCount(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new KeelError('invalid-argument', `meter limit "${name}" must be a non-negative safe integer`, {
      limit: name,
    });
  }
}
