/**
 * Keel's metering pass: a single-pass binary rewriter that injects fuel accounting into every
 * function, caps memories and tables, and routes `memory.grow` / `table.grow` through the
 * sandbox's limits. The metered module depends on no per-sandbox value: fuel and limits come in
 * through the `keel` imports that `createMeterRuntime` builds. See docs/fuel.md.
 *
 * Example:
 *   const metered = meterModule(bytes);
 *   const meter = createMeterRuntime({ fuel: 1e6, memoryBytes: 64 << 20, tableElements: 1e4 });
 *   new WebAssembly.Instance(new WebAssembly.Module(metered), { keel: meter.imports.keel });
 */
import { createHash } from 'node:crypto';
import { KeelError } from '../kernel/errors.js';
import type { CoreModuleHook } from '../loader/loader.js';
import { MalformedError } from './binary.js';
import { type CostModel, resolveCosts } from './costs.js';
import { rewriteModule } from './module.js';

export { type CostModel, DEFAULT_COSTS, INSTRUCTION_NAMES } from './costs.js';
export {
  checkInitialLimits,
  type MemoryInfo,
  type MeterInfo,
  readMeterInfo,
  type TableInfo,
} from './limits.js';
export { KEEL_IMPORTS, KEEL_MODULE } from './module.js';
export {
  createMeterRuntime,
  DEFAULT_SLICE_FUEL,
  describeMemoryLimit,
  type MemoryLayout,
  type MeterEvents,
  type MeterLimits,
  type MeterRuntime,
  PAGE_BYTES,
} from './runtime.js';

/** The largest memory wasm32 can address, in pages (4 GiB). */
export const MAX_MEMORY_PAGES = 65536;
/** The default cap of every table's maximum: V8's own limit on table size. */
export const MAX_TABLE_ELEMENTS = 10_000_000;

export interface MeterOptions {
  /** The cost model, merged over `DEFAULT_COSTS`. */
  costs?: Partial<CostModel>;
  /** Compile-time cap of every defined memory's maximum, in pages (default 65536 = 4 GiB). */
  maxMemoryPages?: number;
  /** Compile-time cap of every defined table's maximum (default 10,000,000). */
  maxTableElements?: number;
  /** Refuse (`invalid-module`) any data segment larger than this (default: `maxMemoryPages` × 64 KiB). */
  maxDataSegmentBytes?: number;
  /**
   * Where a function keeps the counter between checks: in a local, written back around calls
   * (`local`, the default and the faster), or in the imported global (`global`). Same counts.
   */
  strategy?: 'local' | 'global';
  /**
   * Charge a counted loop (an innermost loop whose number of turns is known when it starts)
   * once, before it starts, instead of at every turn (default true). Same counts for every
   * call that returns; docs/fuel.md ("Counted loops") says what changes when one traps.
   */
  countedLoops?: boolean;
}

interface Resolved {
  costs: ReturnType<typeof resolveCosts>;
  maxMemoryPages: number;
  maxTableElements: number;
  maxDataSegmentBytes: number;
  strategy: 'local' | 'global';
  countedLoops: boolean;
}

function resolveOptions(options: MeterOptions): Resolved {
  const maxMemoryPages = integer(
    'maxMemoryPages',
    options.maxMemoryPages ?? MAX_MEMORY_PAGES,
    MAX_MEMORY_PAGES,
  );
  const maxTableElements = integer(
    'maxTableElements',
    options.maxTableElements ?? MAX_TABLE_ELEMENTS,
    0xffff_ffff,
  );
  const maxDataSegmentBytes = integer(
    'maxDataSegmentBytes',
    options.maxDataSegmentBytes ?? maxMemoryPages * 65536,
    Number.MAX_SAFE_INTEGER,
  );
  const strategy = options.strategy ?? 'local';
  if (strategy !== 'local' && strategy !== 'global') {
    throw new KeelError('invalid-argument', `meter strategy must be "local" or "global", got "${strategy}"`);
  }
  const countedLoops = options.countedLoops ?? true;
  if (typeof countedLoops !== 'boolean') {
    throw new KeelError('invalid-argument', 'meter option "countedLoops" must be true or false', {
      option: 'countedLoops',
    });
  }
  return {
    costs: resolveCosts(options.costs),
    maxMemoryPages,
    maxTableElements,
    maxDataSegmentBytes,
    strategy,
    countedLoops,
  };
}

function integer(name: string, value: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new KeelError('invalid-argument', `meter option "${name}" must be an integer from 0 to ${max}`, {
      option: name,
    });
  }
  return value;
}

/**
 * Meter a core module: returns new module bytes that import `keel` (see `createMeterRuntime`).
 * Throws `invalid-module` on malformed input (a one-line reason), `memory-limit` / `table-limit`
 * when a memory or table starts above the compile-time caps, `invalid-argument` on bad options.
 * The input must be valid (`WebAssembly.validate`): it is checked only for the structure the
 * pass reads, and an invalid module can come out valid. The pass moves a function's locals past
 * its parameters up by one and appends its own (the fuel counter among them), so a write of a
 * local one past the last declared one becomes a write of the pass's own local. Keel's loader
 * validates every core module before it meters it, and the kernel what an embedder's `coreHook`
 * made of it (`test/hostile/loader/invalid-local-reaches-fuel.test.ts`).
 */
export function meterModule(bytes: Uint8Array, options: MeterOptions = {}): Uint8Array {
  // A copy of its own: callers may hand `.buffer` to APIs that read the whole ArrayBuffer.
  return meterResolved(bytes, resolveOptions(options)).slice();
}

function meterResolved(bytes: Uint8Array, resolved: Resolved): Uint8Array {
  try {
    return rewriteModule(bytes, resolved);
  } catch (error) {
    if (error instanceof KeelError) throw error;
    if (error instanceof MalformedError) {
      throw new KeelError('invalid-module', `malformed module: ${error.message}`);
    }
    if (error instanceof RangeError) {
      throw new KeelError('invalid-module', `module cannot be metered: ${error.message}`);
    }
    throw new KeelError('internal', `metering failed: ${(error as Error).message}`, {}, { cause: error });
  }
}

/** A stable digest of the options, so that compiled modules are cached per metering. */
export function meterOptionsDigest(options: MeterOptions = {}): string {
  const r = resolveOptions(options);
  const canonical = JSON.stringify({
    costs: {
      ...r.costs.model,
      instructions: Object.fromEntries(Object.entries(r.costs.model.instructions).sort()),
    },
    maxMemoryPages: r.maxMemoryPages,
    maxTableElements: r.maxTableElements,
    maxDataSegmentBytes: r.maxDataSegmentBytes,
    strategy: r.strategy,
    countedLoops: r.countedLoops,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * A loader hook that meters every core module with `options`. Its output is a view of the pass's
 * buffer (the loader compiles and caches the view's bytes only), not a copy as `meterModule`'s.
 */
export function createMeterHook(options: MeterOptions = {}): CoreModuleHook {
  const resolved = resolveOptions(options);
  return {
    id: `keel-meter-v3+${meterOptionsDigest(options)}`,
    transform: (bytes) => meterResolved(bytes, resolved),
  };
}

/** The loader hook with the default options. */
export const meterHook: CoreModuleHook = createMeterHook();
