/**
 * The subjects of the WebAssembly group, each set up the way its own users would, around the
 * same work (scripts/lib/fixtures.ts BENCH_WAT/BENCH_WIT; guests/extism/bench.wat):
 * `noop()`, `add(u32, u32) -> u32`, `shout(string) -> string` and `call-host(n) -> u32`, which
 * calls the host's `tick(u32) -> u32` n times.
 */
import { readFileSync } from 'node:fs';
import { type CapabilityProvider, Kernel, type KernelOptions, type ModuleHandle } from '../../host/index.js';
import { BENCH_HOST_MODULE } from '../../scripts/lib/fixtures.js';
import { repoPath } from './paths.js';
import { type GeneratorId, type GlueInstantiate, transpileComponent } from './transpile.js';

/** What every subject exposes once spawned. Calls may return promises (Extism). */
export interface BenchInstance {
  noop(): unknown;
  add(a: number, b: number): unknown;
  shout(s: string): unknown;
  callHost(n: number): unknown;
  close(): unknown;
}

export interface WasmSubject {
  id: string;
  label: string;
  setup: string;
  /** Calls return promises. */
  async: boolean;
  spawn(): BenchInstance | Promise<BenchInstance>;
}

/** The host function every subject's guest calls: the next counter value. */
export const tick = (x: number): number => (x + 1) >>> 0;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Plain V8: the component's own core module, instantiated and called directly. */
export function plainSubject(core: WebAssembly.Module): WasmSubject {
  const imports = { [BENCH_HOST_MODULE]: { tick } };
  return {
    id: 'plain',
    label: 'plain V8',
    setup:
      "the component's core module, instantiated with new WebAssembly.Instance and called directly; strings copied in and out by hand (TextEncoder.encodeInto / TextDecoder) as lean glue does",
    async: false,
    spawn() {
      const e = new WebAssembly.Instance(core, imports).exports as Record<string, any>;
      const memory = e.memory as WebAssembly.Memory;
      const realloc = e.cabi_realloc as (a: number, b: number, c: number, d: number) => number;
      const shout = e.shout as (ptr: number, len: number) => number;
      return {
        noop: e.noop,
        add: e.add,
        callHost: e['call-host'],
        shout(s: string) {
          const room = s.length * 3;
          const ptr = realloc(0, 0, 1, room);
          const { written } = encoder.encodeInto(s, new Uint8Array(memory.buffer, ptr, room));
          const ret = shout(ptr, written);
          const view = new DataView(memory.buffer);
          const p = view.getUint32(ret, true);
          const len = view.getUint32(ret + 4, true);
          return decoder.decode(new Uint8Array(memory.buffer, p, len));
        },
        close() {},
      };
    },
  };
}

/** The capability provider Keel links `keel:bench/host` to (granted by name at spawn). */
export const benchHostProvider: CapabilityProvider = {
  name: 'bench-host',
  interfaces: ['keel:bench/host'],
  link: () => ({ tick }),
};

export interface KeelVariant {
  id: string;
  label: string;
  /** Kernel options of this variant (metering, once the kernel has it, is one of them). */
  options: KernelOptions;
  /** Whether fuel is counted in this variant. */
  metered: boolean;
}

/**
 * Keel's variants: the kernel as it comes (every core module metered: fuel, memory and table
 * limits), and with `metering: false` (what metering costs, side by side). The first is the
 * one every other group uses.
 */
export const KEEL_VARIANTS: readonly KeelVariant[] = [
  { id: 'keel', label: 'Keel', options: {}, metered: true },
  { id: 'keel-unmetered', label: 'Keel unmetered', options: { metering: false }, metered: false },
];

/**
 * One load as the load benchmarks time it: a fresh kernel with `options` and its disk cache in
 * `cacheDir` (a new directory: cold; a reused one: warm), loading `component`, then closed.
 */
export async function loadInFreshKernel(
  component: Uint8Array,
  options: KernelOptions,
  cacheDir: string,
): Promise<void> {
  const kernel = new Kernel({ ...options, cacheDir, providers: [benchHostProvider] });
  await kernel.load(component);
  await kernel.close();
}

export async function keelSubject(
  component: Uint8Array,
  variant: KeelVariant,
  cacheDir: string,
): Promise<WasmSubject & { kernel: Kernel; module: ModuleHandle }> {
  const kernel = new Kernel({ ...variant.options, cacheDir, providers: [benchHostProvider] });
  const module = await kernel.load(component, { name: 'bench' });
  return {
    id: variant.id,
    label: `${variant.label} (fn)`,
    setup: `Kernel.spawn with the single grant keel:bench/host, then the typed fast path sandbox.fn(name)${variant.metered ? '; every core module metered (the default: fuel per invocation, memory and table limits)' : '; KernelOptions.metering = false (no fuel counted, for comparison)'}`,
    async: false,
    kernel,
    module,
    async spawn() {
      const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
      const callHost = sandbox.fn('call-host');
      return {
        noop: sandbox.fn('noop'),
        add: sandbox.fn('add'),
        shout: sandbox.fn('shout'),
        // The fast path draws every call from one budget until refuelled, and a host call costs
        // 5,000 fuel (docs/fuel.md): a refuel per call-host(n) keeps the timed loop within it.
        callHost: (n: number) => {
          sandbox.refuel();
          return callHost(n);
        },
        close: () => sandbox.terminate(),
      };
    },
  };
}

/** How the JSON path's subjects call `invokeSync`: default options (untimed), or `{ timing: true }`. */
const TIMED = Object.freeze({ timing: true });

/**
 * Keel's JSON path: `invokeSync` (JSON values in and out, invoke events, a full outcome), with
 * default options (`keel-invoke`, the invoke target's row: untimed) or `{ timing: true }`
 * (`keel-invoke-timed`: two clock readings more, and `duration_ms` in the outcome).
 */
export function keelInvokeSubject(
  keel: { kernel: Kernel; module: ModuleHandle },
  timed = false,
): WasmSubject {
  const options = timed ? TIMED : undefined;
  return {
    id: timed ? 'keel-invoke-timed' : 'keel-invoke',
    label: timed ? 'Keel (invokeSync, timing: true)' : 'Keel (invokeSync)',
    setup: `the same sandbox called through invokeSync${timed ? ' with { timing: true } (the clock read as the call starts and ends, duration_ms in the outcome)' : ' with default options (untimed: no clock read, no duration_ms)'}: JSON arguments checked and converted, a request id, invoke:start/end events (unobserved here), an outcome object`,
    async: false,
    async spawn() {
      const sandbox = await keel.kernel.spawn(keel.module, { grants: ['keel:bench/host'] });
      return {
        noop: () => sandbox.invokeSync('noop', undefined, options).value,
        add: (a: number, b: number) => sandbox.invokeSync('add', [a, b], options).value,
        shout: (s: string) => sandbox.invokeSync('shout', [s], options).value,
        callHost: (n: number) => sandbox.invokeSync('call-host', [n], options).value,
        close: () => sandbox.terminate(),
      };
    },
  };
}

/** Import jco's glue as a module. A unique tag defeats the module cache (cold loads). */
export async function importGlue(glue: string, tag = ''): Promise<GlueInstantiate> {
  const source = tag ? `${glue}\n// ${tag}\n` : glue;
  const url = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  return ((await import(url)) as { instantiate: GlueInstantiate }).instantiate;
}

/** Transpile and compile, as a jco user does at build and start time. */
export async function jcoLoad(component: Uint8Array, generator: GeneratorId, tag = '') {
  const output = await transpileComponent(component, { generator });
  const instantiate = await importGlue(output.glue, tag);
  const cores = new Map<string, WebAssembly.Module>();
  for (const [file, core] of Object.entries(output.coreModules))
    cores.set(file, await WebAssembly.compile(core as Uint8Array<ArrayBuffer>));
  return { output, instantiate, cores };
}

/** jco's own output, used the way a jco user would: glue + compiled core modules + imports. */
export async function jcoSubject(component: Uint8Array, generator: GeneratorId): Promise<WasmSubject> {
  const { output, instantiate, cores } = await jcoLoad(component, generator);
  const imports: Record<string, unknown> = {};
  for (const spec of output.imports) if (spec.startsWith('keel:bench/host')) imports[spec] = { tick };
  const lean = generator === 'jco-1.12.0';
  return {
    id: lean ? 'jco-1.12' : 'jco-current',
    label: lean ? 'jco 1.12.0 glue' : 'jco-transpile 0.3.9 glue',
    setup: lean
      ? "jco 1.12.0's generator (Keel's pinned lean glue), instantiation mode, sync; imports given directly (no preview2-shim: the component imports no WASI)"
      : 'jco-transpile 0.3.9 (the generator of jco 1.13 and later, with the task machinery for WASI 0.3 async), instantiation mode, sync; imports given directly',
    async: false,
    spawn() {
      const e = instantiate((file) => cores.get(file)!, imports) as Record<string, any>;
      return { noop: e.noop, add: e.add, shout: e.shout, callHost: e.callHost, close() {} };
    },
  };
}

export const EXTISM_PLUGIN = repoPath('guests/extism/bench.wasm');

/** Calls between two `reset()`s of an Extism plugin (see bench/README.md: 1.0.3 never frees call blocks). */
export const EXTISM_RESET_EVERY = 1000;

export type ExtismCreate = typeof import('@extism/extism').default;

export function extismFunctions() {
  return { 'extism:host/user': { tick: (_context: unknown, x: number) => tick(x) } };
}

/** A plugin's 4-byte output as a u32 (PluginOutput is a DataView over the output block). */
const u32 = (out: unknown): number => (out as DataView).getUint32(0, true);

/**
 * `@extism/extism`, imported without the warning its top-level `import { WASI } from "wasi"` makes
 * Node print ("ExperimentalWarning: WASI is an experimental feature"): the plugin runs with
 * `useWasi: false`, so that warning is noise on every bench and test run. Only that one warning is
 * held back, only while the module loads.
 */
async function importExtism(): Promise<ExtismCreate> {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('WASI is an experimental feature')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (await import('@extism/extism')).default;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** The Extism JS SDK with a plugin doing the same work, on the calling thread (its default). */
export async function extismSubject(): Promise<WasmSubject & { module: WebAssembly.Module }> {
  const createPlugin = await importExtism();
  const module = await WebAssembly.compile(readFileSync(EXTISM_PLUGIN));
  const functions = extismFunctions();
  return {
    id: 'extism',
    label: 'Extism JS SDK 1.0.3',
    setup: `createPlugin({ wasm: [{ module }] }, { useWasi: false, functions: { 'extism:host/user': { tick } } }) on the calling thread (runInWorker false, the default); plugin.call(name, bytes); scalars as little-endian bytes; plugin.reset() every ${EXTISM_RESET_EVERY} calls`,
    async: true,
    module,
    async spawn() {
      const plugin = await createPlugin({ wasm: [{ module }] }, { useWasi: false, functions });
      const pair = new Uint8Array(8);
      const pairView = new DataView(pair.buffer);
      let calls = 0;
      const after = async <T>(value: T): Promise<T> => {
        if (++calls % EXTISM_RESET_EVERY === 0) await plugin.reset();
        return value;
      };
      return {
        noop: async () => after(await plugin.call('noop')),
        async add(a: number, b: number) {
          pairView.setUint32(0, a, true);
          pairView.setUint32(4, b, true);
          const out = await plugin.call('add', pair);
          return after(u32(out));
        },
        shout: async (s: string) => after((await plugin.call('shout', s))!.text()),
        async callHost(n: number) {
          pairView.setUint32(0, n, true);
          pairView.setUint32(4, 0, true);
          return after(u32(await plugin.call('call_host', pair)));
        },
        close: () => plugin.close(),
      };
    },
  };
}

/** Check that a subject does the work right before timing it. */
export async function checkSubject(subject: WasmSubject): Promise<void> {
  const instance = await subject.spawn();
  try {
    const expect = (what: string, got: unknown, want: unknown) => {
      if (got !== want) throw new Error(`${subject.id}: ${what} = ${String(got)}, expected ${String(want)}`);
    };
    await instance.noop();
    expect('add(40, 2)', await instance.add(40, 2), 42);
    expect("shout('kiB')", await instance.shout('kiB'), 'KiB');
    expect('call-host(1000)', await instance.callHost(1000), 1000);
  } finally {
    await instance.close();
  }
}
