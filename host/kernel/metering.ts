/**
 * Keel's metering pass in the kernel: the loader hook that rewrites every core module, and the
 * per-sandbox runtime (one fuel counter, the memory and table limits) linked into each of a
 * sandbox's core instances under the reserved `keel` import namespace.
 */
import type { CoreModuleHook } from '../loader/loader.js';
import {
  checkInitialLimits,
  createMeterHook,
  createMeterRuntime,
  KEEL_MODULE,
  type MeterInfo,
  type MeterOptions,
  type MeterRuntime,
  readMeterInfo,
} from '../meter/index.js';
import type { Limits } from './limits.js';

export type { MeterOptions, MeterRuntime };

/** What `memory.grow` / `table.grow` past a limit does: return -1 (the spec's answer) or fail the call. */
export type GrowFailure = 'return-minus-one' | 'error';

/** The metering hook, after an embedder's own hook when there is one. */
export function meteringHook(options: MeterOptions, before?: CoreModuleHook): CoreModuleHook {
  const meter = createMeterHook(options);
  return {
    id: before ? `${before.id}>${meter.id}` : meter.id,
    transform: (bytes, context) =>
      meter.transform(before ? before.transform(bytes, context) : bytes, context),
    describe: (bytes) => readMeterInfo(bytes),
  };
}

export interface SandboxMeterEvents {
  onMemoryLimit(requestedPages: number): void;
  onTableLimit(requested: number): void;
  /** A fuel slice ran out: throw to stop the guest (its deadline passed). */
  onSlice(): void;
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
  return createMeterRuntime(
    {
      fuel: Math.min(limits.fuel, limits.fuelTotal),
      memoryBytes: limits.memoryBytes,
      tableElements: limits.tableElements,
      growFailure,
    },
    events,
  );
}

/** The `keel` namespace added to every core instance's imports. */
export function withMeterImports(
  imports: WebAssembly.Imports | undefined,
  meter: MeterRuntime,
): WebAssembly.Imports {
  // A spread, not Object.assign: module names come from the guest, and Object.assign would set
  // the prototype for one named `__proto__` instead of copying it (test/hostile/caps).
  return { ...imports, [KEEL_MODULE]: meter.imports.keel as WebAssembly.ModuleImports };
}
