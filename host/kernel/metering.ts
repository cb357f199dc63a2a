/**
 * Keel's metering pass in the kernel: the loader hook that rewrites every core module, and the
 * per-sandbox runtime (one fuel counter, the memory and table limits) linked into each of a
 * sandbox's core instances under the reserved `keel` import namespace, with the events it
 * reports (`memory:limit`, `table:limit`).
 */
import type { EventBus } from '../events/bus.js';
import { EVENTS } from '../events/names.js';
import type { EventInput } from '../events/record.js';
import { type CoreModuleHook, validateCore } from '../loader/loader.js';
import {
  checkInitialLimits,
  createMeterHook,
  createMeterRuntime,
  KEEL_MODULE,
  type MeterInfo,
  type MeterLimits,
  type MeterOptions,
  type MeterRuntime,
  readMeterInfo,
} from '../meter/index.js';
import { KeelError } from './errors.js';
import type { Limits } from './limits.js';

export type { MeterOptions, MeterRuntime };

/** What `memory.grow` / `table.grow` past a limit does: return -1 (the spec's answer) or fail the call. */
export type GrowFailure = 'return-minus-one' | 'error';

/** The hook with the default options and no embedder's hook: made once (its id digests the cost model). */
let defaultHook: CoreModuleHook | undefined;

/**
 * The metering hook, after an embedder's own hook when there is one. `options` undefined: the
 * defaults (the same hook object for every kernel).
 */
export function meteringHook(options: MeterOptions | undefined, before?: CoreModuleHook): CoreModuleHook {
  if (options === undefined && before === undefined) {
    defaultHook ??= meteringHook({});
    return defaultHook;
  }
  const meter = createMeterHook(options ?? {});
  return {
    id: before ? `${before.id}>${meter.id}` : meter.id,
    transform: (bytes, context) => {
      if (!before) return meter.transform(bytes, context);
      // The loader validated the input of the chain, not what the embedder's hook made of it, and
      // the meter needs valid input (an invalid local write can come out as one of its counter).
      const hooked = before.transform(bytes, context);
      validateCore(hooked, `made by coreHook ${JSON.stringify(before.id)}`);
      return meter.transform(hooked, context);
    },
    describe: (bytes) => readMeterInfo(bytes),
  };
}

export interface SandboxMeterEvents {
  onMemoryLimit(requestedPages: number): void;
  onTableLimit(requested: number): void;
  /** A fuel slice ran out: throw to stop the guest (its deadline passed). */
  onSlice(): void;
  /** The guest ran out of fuel (see `MeterEvents.onExhausted`). */
  onExhausted(): void;
}

/**
 * One sandbox's meter. Refuses the spawn (memory-limit / table-limit) when a core module starts
 * above the sandbox's limits, before anything is instantiated.
 */
export function sandboxMeter(
  facts: Iterable<unknown>,
  limits: Limits,
  growFailure: GrowFailure,
  events: SandboxMeterEvents,
): MeterRuntime {
  for (const info of facts) checkInitialLimits(info as MeterInfo, limits);
  return createMeterRuntime(meterLimits(limits, growFailure), events);
}

/** The meter's limits of frozen sandbox limits (the kernel's, shared by every spawn that changes none), made once. */
const sharedMeterLimits = new WeakMap<Limits, Partial<Record<GrowFailure, MeterLimits>>>();

function meterLimits(limits: Limits, growFailure: GrowFailure): MeterLimits {
  const cached = sharedMeterLimits.get(limits)?.[growFailure];
  if (cached) return cached;
  const made: MeterLimits = Object.freeze({
    fuel: Math.min(limits.fuel, limits.fuelTotal),
    memoryBytes: limits.memoryBytes,
    tableElements: limits.tableElements,
    growFailure,
  });
  if (Object.isFrozen(limits)) {
    const byFailure = sharedMeterLimits.get(limits) ?? {};
    byFailure[growFailure] = made;
    sharedMeterLimits.set(limits, byFailure);
  }
  return made;
}

/** The `keel` namespace added to every core instance's imports. */
export function withMeterImports(
  imports: WebAssembly.Imports | undefined,
  meter: MeterRuntime,
): WebAssembly.Imports {
  // Copied into an object without a prototype, not with Object.assign: module names come from
  // the guest, and an assignment into an ordinary object would set the prototype for one named
  // `__proto__` instead of copying it (test/hostile/caps); into this one it is an own property
  // like any other. Not an object literal that opens with a spread either: Node 20's V8 defines
  // every property after one on a slow path (microseconds a spawn).
  const out: WebAssembly.Imports = Object.create(null);
  if (imports) for (const name of Object.keys(imports)) out[name] = imports[name]!;
  out[KEEL_MODULE] = meter.imports.keel as WebAssembly.ModuleImports;
  return out;
}

type LimitEvent = typeof EVENTS.memoryLimit | typeof EVENTS.tableLimit;

/** A sandbox's meter events, and how to report one of them (the spawn's refusal uses it too). */
export interface LimitEvents extends Omit<SandboxMeterEvents, 'onSlice' | 'onExhausted'> {
  emit(event: LimitEvent, data: Record<string, unknown>): void;
}

/** What the meter needs of its sandbox, once it exists. */
export interface MeteredSandbox {
  emit(event: Omit<EventInput, 'sandbox'>): void;
  checkDeadline(): void;
  /** Its guest ran out of fuel (its fast path reads this instead of the meter after each call). */
  outOfFuel(): void;
}

/**
 * The `memory:limit` / `table:limit` events of a sandbox's meter (inline, or in its worker):
 * the sandbox's own (its ids, its event budget) once it exists (`sandbox`, set by the kernel
 * when it is made), the bus's before; and, for an inline meter, a look at the sandbox's deadline
 * at the end of each slice of fuel. One object with its methods on the prototype, not a
 * closure each (spawn time and idle memory).
 */
export class SandboxLimitEvents implements LimitEvents, SandboxMeterEvents {
  sandbox: MeteredSandbox | undefined;
  readonly #bus: EventBus;
  readonly #id: string;
  readonly #name: string;
  readonly #limits: Limits;

  constructor(bus: EventBus, id: string, name: string, limits: Limits, sandbox?: MeteredSandbox) {
    this.#bus = bus;
    this.#id = id;
    this.#name = name;
    this.#limits = limits;
    this.sandbox = sandbox;
  }

  emit(event: LimitEvent, data: Record<string, unknown>): void {
    const target = this.sandbox;
    if (target) target.emit({ event, level: 'warn', status: 'denied', data });
    else
      this.#bus.emit({ event, level: 'warn', status: 'denied', sandbox: this.#id, module: this.#name, data });
  }

  onMemoryLimit(requestedPages: number): void {
    this.emit(EVENTS.memoryLimit, {
      requestedBytes: requestedPages * 65536,
      limitBytes: this.#limits.memoryBytes,
    });
  }

  onTableLimit(requested: number): void {
    this.emit(EVENTS.tableLimit, { requested, limit: this.#limits.tableElements });
  }

  /** Each slice of fuel ends with a look at the clock: a compute loop stops within a slice of its call's deadline. */
  onSlice(): void {
    this.sandbox?.checkDeadline();
  }

  onExhausted(): void {
    this.sandbox?.outOfFuel();
  }
}

/**
 * A spawn's meter: `sandboxMeter` with the sandbox's limit events, and a look at its deadline at
 * the end of each slice. A memory or table that starts above the limits is reported
 * (`memory:limit`, `table:limit` at `spawn`) and refuses the spawn.
 */
export function spawnMeter(
  facts: Iterable<unknown>,
  limits: Limits,
  growFailure: GrowFailure,
  events: SandboxLimitEvents,
): MeterRuntime {
  try {
    return sandboxMeter(facts, limits, growFailure, events);
  } catch (error) {
    if (error instanceof KeelError && (error.code === 'memory-limit' || error.code === 'table-limit')) {
      events.emit(error.code === 'memory-limit' ? EVENTS.memoryLimit : EVENTS.tableLimit, {
        at: 'spawn',
        ...error.details,
      });
    }
    throw error;
  }
}
