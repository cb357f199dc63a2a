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
import { leavesOf } from './leaves.js';
import { type CounterForm, defineCounter, rewriteModule } from './module.js';

export { type CostModel, DEFAULT_COSTS, INSTRUCTION_NAMES } from './costs.js';
export {
  checkInitialLimits,
  type MemoryInfo,
  type MeterInfo,
  readMeterInfo,
  type TableInfo,
} from './limits.js';
export { type CounterForm, defineCounter, KEEL_EXPORTS, KEEL_IMPORTS, KEEL_MODULE } from './module.js';
export {
  adoptCounter,
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
  /**
   * Where the counter lives (default `imported`): `defined` makes the module define and export
   * it (`KEEL_EXPORTS`), for a sandbox whose only core instance this module is; its host then
   * adopts it (`adoptCounter`). Same counts. Not an option of `createMeterHook`: the loader
   * turns a component's sole core instance into this form (`defineCounter`).
   */
  counter?: CounterForm;
}

interface Resolved {
  costs: ReturnType<typeof resolveCosts>;
  maxMemoryPages: number;
  maxTableElements: number;
  maxDataSegmentBytes: number;
  strategy: 'local' | 'global';
  countedLoops: boolean;
  counter: CounterForm;
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
  const counter = options.counter ?? 'imported';
  if (counter !== 'imported' && counter !== 'defined') {
    throw new KeelError('invalid-argument', 'meter option "counter" must be "imported" or "defined"', {
      option: 'counter',
    });
  }
  return {
    costs: resolveCosts(options.costs),
    maxMemoryPages,
    maxTableElements,
    maxDataSegmentBytes,
    strategy,
    countedLoops,
    counter,
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
  // A copy of its own: callers may hand `.buffer` to APIs that read the whole ArrayBuffer. The
  // pass's buffer is then free for the next pass.
  const output = meterResolved(bytes, resolveOptions(options));
  const copy = output.slice();
  outputBuffers.giveBack(output);
  return copy;
}

/** How long the largest output buffer given back is kept for the next pass. */
const OUTPUT_BUFFER_KEPT_MS = 5000;

/**
 * Output buffers of the pass, given back by their user once done with them (the loader, after
 * starting the output's compile and writing it to the disk cache: `CoreModuleHook.release`): the
 * next pass writes into the largest instead of a new buffer, for `OUTPUT_BUFFER_KEPT_MS` after
 * the last one came back. Fresh pages cost a first touch each: on this project's machines (under
 * kvm) the componentize-js guest's 16 MB output cost 35-50 ms of a 200 ms pass in page faults.
 * Only a buffer the pass handed out and that was not given back already is taken back, once:
 * no caller can make a pass write into memory it still reads.
 */
class OutputBuffers {
  #spare: ArrayBufferLike | undefined;
  readonly #handedOut = new WeakSet<ArrayBufferLike>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the last buffer came back (`performance.now()`). */
  #lastBack = 0;

  /** The spare buffer when it holds `size` bytes (it is no longer spare), else undefined. */
  take(size: number): Uint8Array | undefined {
    const spare = this.#spare;
    if (spare === undefined || spare.byteLength < size) return undefined;
    this.#spare = undefined;
    return new Uint8Array(spare);
  }

  handOut(output: Uint8Array): Uint8Array {
    this.#handedOut.add(output.buffer);
    return output;
  }

  giveBack(output: Uint8Array): void {
    const buffer = output.buffer;
    if (!this.#handedOut.has(buffer)) return;
    this.#handedOut.delete(buffer);
    if (this.#spare === undefined || buffer.byteLength > this.#spare.byteLength) this.#spare = buffer;
    // A time noted, not the timer moved: `refresh()` on every load was 13-20 µs of a cold one
    // (bench/results/perf-cold-2026-12-07-18.md). The timer, when it fires early, waits the rest.
    this.#lastBack = performance.now();
    if (this.#timer === undefined) this.#dropAfter(OUTPUT_BUFFER_KEPT_MS);
  }

  #dropAfter(ms: number): void {
    this.#timer = setTimeout(() => {
      const idle = performance.now() - this.#lastBack;
      if (idle < OUTPUT_BUFFER_KEPT_MS) return this.#dropAfter(OUTPUT_BUFFER_KEPT_MS - idle);
      this.#spare = undefined;
      this.#timer = undefined;
    }, ms);
    this.#timer.unref();
  }
}

const outputBuffers = new OutputBuffers();

/** `fastExports`: the exports twins are made of (`leavesOf`); undefined, every leaf's. */
function meterResolved(bytes: Uint8Array, resolved: Resolved, fastExports?: ReadonlySet<string>): Uint8Array {
  try {
    const capacity = Math.max(1024, Math.floor(bytes.length * 1.5));
    // A component's sole core instance only (the defined form) gets twins of its leaves: every
    // instance of a module gets its exports made at each spawn, and a plan's bound on them
    // counts the module's own (MAX_CORE_INSTANCE_ENTITIES); twins in the imported form, which a
    // plan may instantiate a thousand times, would add up to two exports a leaf to each
    // (hostile/abi/core-instance-flood).
    const leaves = resolved.counter === 'defined' ? leavesOf(bytes, resolved.costs, fastExports) : [];
    return outputBuffers.handOut(rewriteModule(bytes, resolved, outputBuffers.take(capacity), leaves));
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
 * buffer (the loader compiles and caches the view's bytes only), not a copy as `meterModule`'s;
 * given back with `release`, the buffer is written over by a later pass. `transform`'s output
 * imports its counter (`options.counter` is not read); a component's sole core instance is
 * metered with the counter defined (`transformSole`, the bytes `defineCounter` makes of it).
 */
export function createMeterHook(options: MeterOptions = {}): CoreModuleHook {
  const imported: Resolved = { ...resolveOptions(options), counter: 'imported' };
  const defined: Resolved = { ...imported, counter: 'defined' };
  return {
    id: `keel-meter-v10+${meterOptionsDigest(options)}`,
    transform: (bytes) => meterResolved(bytes, imported),
    defineCounter: (output) => defineCounter(output),
    // The same bytes as `defineCounter` of `transform`'s output (test/meter/defined-counter),
    // without a second pass over the output, but for twins of the loader's `fastExports` only.
    transformSole: (bytes, context) => meterResolved(bytes, defined, context.fastExports),
    release: (output) => outputBuffers.giveBack(output),
  };
}

/** The loader hook with the default options. */
export const meterHook: CoreModuleHook = createMeterHook();
