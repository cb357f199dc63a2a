/**
 * A sandbox's fuel account: the budget of the invocation in progress (or of the fast path until
 * its next refuel), what the last one used, and the lifetime limit (`limits.fuel`,
 * `limits.fuelTotal`) it is drawn from.
 */
import { KeelError } from '../errors.js';
import type { MeterRuntime } from '../metering.js';
import type { FuelReport, SandboxFuel } from './types.js';

/** The fuel limits a sandbox's account reads (its `Limits`, shared by every sandbox that changes none). */
interface FuelLimits {
  readonly fuel: number;
  readonly fuelTotal: number;
}

/**
 * A sandbox's fuel. The limits are read from the sandbox's (usually shared) limits object and
 * the last invocation's report is made when one ends: fuel figures past 2^30 are boxed numbers,
 * a copy of each per sandbox otherwise (idle memory, issue 12).
 */
export class FuelAccount {
  readonly #meter: MeterRuntime | undefined;
  /**
   * Read as `this.#limits.fuel` and `.fuelTotal` at each use, not through private getters: V8
   * 11.3 checks a private accessor's brand and calls it at each read (about 11 ns of `finish`'s
   * 33 ns, measured).
   */
  readonly #limits: FuelLimits;
  /** The current budget and the meter's `used()` when it was set. */
  #budget: number;
  #budgetStart = 0;
  /**
   * Fuel of the last invocation (what `--json` reports, also after a failure), as numbers: an
   * object kept here was a young object stored into an old one at every invocation (V8's write
   * barrier, 3-4 % of a scalar `invokeSync`). `#lastLimit` is -1 before the first.
   */
  #lastUsed = 0;
  #lastLimit = -1;
  /**
   * The fast path's budget set when the last invocation ended (`finish`), and the meter's
   * `used()` then; -1 when the meter has been set otherwise since. While the meter still holds
   * that whole budget, nothing has run since, and the next invocation's default budget is
   * already in place: `start` needs one read of the counter instead of a read and a write.
   */
  #idleBudget = -1;
  #idleUsed = 0;

  constructor(meter: MeterRuntime | undefined, limits: FuelLimits) {
    this.#meter = meter;
    this.#limits = limits;
    // The meter starts with this budget (see sandboxMeter): what the fast path may use until refuelled.
    this.#budget = Math.min(limits.fuel, limits.fuelTotal);
  }

  /** `Sandbox.fuel()`: used since spawn, remaining for the fast path, and the limits. */
  report(): SandboxFuel {
    const meter = this.#meter;
    return {
      metered: meter !== undefined,
      used: meter?.used() ?? 0,
      remaining: meter?.remaining() ?? this.#limits.fuel,
      limit: this.#limits.fuel,
      total: this.#limits.fuelTotal,
    };
  }

  /** `Sandbox.lastFuel()`. */
  last(): FuelReport {
    return this.#lastLimit < 0
      ? { used: 0, limit: this.#limits.fuel }
      : { used: this.#lastUsed, limit: this.#lastLimit };
  }

  /** `Sandbox.refuel`'s budget: `fuel`, never more than what is left of the lifetime limit. */
  refuel(fuel: number): number {
    if (!Number.isSafeInteger(fuel) || fuel < 0) {
      throw new KeelError('invalid-argument', `refuel takes a non-negative integer, got ${fuel}`);
    }
    const meter = this.#meter;
    if (!meter) return fuel;
    this.#idleBudget = -1;
    return this.#refuel(fuel, meter, meter.used());
  }

  /**
   * The invocation that ends: what it used, recorded as the last invocation's, and the fast
   * path's fresh budget (the per-invocation limit, within the lifetime limit).
   */
  finish(): FuelReport {
    const meter = this.#meter;
    if (!meter) return this.#record(0, this.#limits.fuel);
    // One read of the counter, no write (see MeterRuntime.renew).
    return this.#renewed(meter.renew(this.#limits.fuel, this.#limits.fuelTotal));
  }

  /**
   * `finish` when the meter has nothing to settle (`MeterRuntime.close`: the counter at or above
   * zero, not exhausted, not stopped), in the one read of the counter `finish` makes; undefined,
   * and nothing done, otherwise: the caller settles the meter, then calls `finish`.
   */
  close(): FuelReport | undefined {
    const meter = this.#meter;
    if (!meter) return this.#record(0, this.#limits.fuel);
    const used = meter.close(this.#limits.fuel, this.#limits.fuelTotal);
    return used < 0 ? undefined : this.#renewed(used);
  }

  /** The invocation ended with the meter renewed (`used`: its `used()` then). */
  #renewed(used: number): FuelReport {
    const report = this.#record(used - this.#budgetStart, this.#budget);
    const budget = Math.min(this.#limits.fuel, Math.max(0, this.#limits.fuelTotal - used));
    this.#budget = budget;
    this.#budgetStart = used;
    this.#idleBudget = budget;
    this.#idleUsed = used;
    return report;
  }

  /** The last invocation's fuel recorded, and its report (the caller's to keep: a new object each time). */
  #record(used: number, limit: number): FuelReport {
    this.#lastUsed = used;
    this.#lastLimit = limit;
    return { used, limit };
  }

  /** `used` is the meter's `used()`, just read. */
  #refuel(fuel: number, meter: MeterRuntime, used: number): number {
    const budget = Math.min(fuel, Math.max(0, this.#limits.fuelTotal - used));
    meter.setRemaining(budget, used);
    this.#budget = budget;
    this.#budgetStart = used;
    return budget;
  }

  /**
   * Give an invocation its budget: the requested or per-invocation fuel, within the lifetime
   * limit. `ran`: whether guest code ran since the last invocation (a fast-path call: the
   * sandbox's call gate knows), which may have moved the counter.
   */
  start(sandbox: string, exportName: string, requested: number | undefined, ran: boolean): void {
    const meter = this.#meter;
    if (!meter) return;
    const idle = this.#idleBudget;
    this.#idleBudget = -1;
    if (requested === undefined && idle > 0 && !ran && !meter.moved()) {
      // Untouched since `finish` set it (no guest code ran since, no host charge, no refuel): used() is what it
      // was then, and min(limit, total - used) is this very budget. Nothing is read.
      this.#budget = idle;
      this.#budgetStart = this.#idleUsed;
      return;
    }
    this.#startAfresh(meter, sandbox, exportName, requested);
  }

  /** `start` when the budget in place will not do: the counter read and a new budget set (a call of its own, so that V8 inlines `start`). */
  #startAfresh(
    meter: MeterRuntime,
    sandbox: string,
    exportName: string,
    requested: number | undefined,
  ): void {
    const used = meter.used();
    const left = this.#limits.fuelTotal - used;
    if (left <= 0) {
      throw new KeelError(
        'fuel-exhausted',
        `sandbox ${sandbox} has used its lifetime fuel (${this.#limits.fuelTotal})`,
        {
          export: exportName,
          used: 0,
          limit: 0,
          lifetime: this.#limits.fuelTotal,
        },
      );
    }
    this.#budget = Math.min(requested ?? this.#limits.fuel, left);
    this.#budgetStart = used;
    meter.setRemaining(this.#budget, used);
  }

  /** What the invocation in progress used of its budget, recorded as the last invocation's (before a failure's error is made). */
  spent(): FuelReport {
    const used = this.#meter ? this.#meter.used() - this.#budgetStart : 0;
    return this.#record(used, this.#budget);
  }
}
