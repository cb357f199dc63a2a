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
}

/** Copies the bytes and adds nothing: validates each harness (it must match plain V8 exactly). */
export const identity: Transform = {
  name: 'identity',
  transform: (bytes) => new Uint8Array(bytes),
  extraImports: () => ({}),
};

/** What `host/meter/index.ts` exports (the metering rewriter's contract, issue 3). */
export interface MeterApi {
  meterModule(bytes: Uint8Array): Uint8Array;
  createMeterRuntime(limits: { fuel: number; memoryBytes: number; tableElements: number }): {
    imports: { keel: Record<string, WebAssembly.Global | Function> };
    remaining(): number;
    used(): number;
    setRemaining(n: number): void;
  };
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

/** Every transform under test, in report order. */
export const TRANSFORMS: readonly Transform[] = [
  identity,
  metered(await import('../../host/meter/index.js')),
];
