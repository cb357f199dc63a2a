/**
 * The module transforms that the proof (spec harness, differential fuzzing) and the compute
 * bench run against plain V8. A transform rewrites a core module's bytes; the rewritten module
 * may import extra things, which `extraImports()` provides (a fresh set per sandbox: one spec
 * script, one fuzz module, one bench instance).
 *
 * Plain V8 is the reference and is not listed: every harness runs it first.
 */

export interface Transform {
  readonly name: string;
  /** Rewrites one core module. Throws when it rejects the module. */
  transform(bytes: Uint8Array): Uint8Array;
  /** The imports a rewritten module needs, by module name: a fresh set per sandbox. */
  extraImports(): Record<string, Record<string, unknown>>;
  /**
   * Instantiates a rewritten module with `imports` (which hold `extraImports()`'s), when the
   * transform does more than `new WebAssembly.Instance` (a meter that adopts the module's
   * counter). Harnesses call it instead when it is there (`instantiateWith`).
   */
  instantiate?(module: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Instance;
}

/** Instantiates through the transform when it says how, else as plain V8 does. */
export function instantiateWith(
  transform: Transform | undefined,
  module: WebAssembly.Module,
  imports: WebAssembly.Imports,
): WebAssembly.Instance {
  return transform?.instantiate
    ? transform.instantiate(module, imports)
    : new WebAssembly.Instance(module, imports);
}

/** Copies the bytes and adds nothing: validates each harness (it must match plain V8 exactly). */
export const identity: Transform = {
  name: 'identity',
  transform: (bytes) => new Uint8Array(bytes),
  extraImports: () => ({}),
};

/** What `host/meter/index.ts` exports (the metering rewriter's contract, issue 3). */
export interface MeterApi {
  meterModule(bytes: Uint8Array, options?: { counter?: 'imported' | 'defined' }): Uint8Array;
  createMeterRuntime(limits: { fuel: number; memoryBytes: number; tableElements: number }): {
    imports: { keel: Record<string, WebAssembly.Global | Function> };
    remaining(): number;
    used(): number;
    setRemaining(n: number): void;
    adopt(fuel: WebAssembly.Global): void;
  };
  adoptCounter(meter: ReturnType<MeterApi['createMeterRuntime']>, instance: WebAssembly.Instance): void;
}

/**
 * Limits so large that only V8's own limits apply (fuel 2^53 - 1, 4 GiB of memory, V8's
 * 10,000,000 table elements): under them a metered module must behave exactly as plain V8.
 */
export const AMPLE = { fuel: Number.MAX_SAFE_INTEGER, memoryBytes: 65536 * 65536, tableElements: 10_000_000 };

/** Fuel metering by Keel's rewriter, with ample limits. */
export function metered(meter: MeterApi, limits = AMPLE): Transform {
  return {
    name: 'metered',
    // The loader validates every core module before the metering hook: input V8 rejects is
    // refused with V8's own error, never metered (the rewriter expects valid input).
    transform: (bytes) => {
      if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>))
        new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
      return meter.meterModule(bytes);
    },
    extraImports: () => ({ keel: meter.createMeterRuntime(limits).imports.keel }),
  };
}

/**
 * Fuel metering with the counter the module defines (`counter: 'defined'`, what a component's
 * sole core instance gets): each instance gets a meter of its own, which adopts the counter and
 * then runs the start function the pass exported instead of starting it.
 */
export function meteredDefined(meter: MeterApi, limits = AMPLE): Transform {
  const validated = metered(meter, limits);
  return {
    name: 'metered-defined',
    transform: (bytes) => {
      validated.transform(bytes);
      return meter.meterModule(bytes, { counter: 'defined' });
    },
    extraImports: () => ({}),
    instantiate: (module, imports) => {
      const runtime = meter.createMeterRuntime(limits);
      const instance = new WebAssembly.Instance(module, { ...imports, keel: runtime.imports.keel });
      meter.adoptCounter(runtime, instance);
      return instance;
    },
  };
}

const meterApi = await import('../../host/meter/index.js');

/** Every transform under test, in report order. */
export const TRANSFORMS: readonly Transform[] = [identity, metered(meterApi), meteredDefined(meterApi)];
