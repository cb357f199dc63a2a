/**
 * The loader: bytes in, a `LoadedModule` out. It checks size and validity before doing any
 * work, wraps preview1 modules, parses components into an instantiation plan (Keel's own
 * canonical ABI: host/abi; nothing is generated from the component), passes every core module
 * through the core-module hook and compiles it once. The hook's output may be cached on disk
 * (data, verified by its sha256).
 */
import { hash } from 'node:crypto';
import { fastExports } from '../abi/fast.js';
import { type ComponentPlan, type CoreModulePlan, planComponent } from '../abi/plan.js';
import { decodePlan, encodePlan } from '../abi/plan-codec.js';
import { KeelError } from '../kernel/errors.js';
import { DEFAULT_MODULE_CACHE } from '../kernel/limits.js';
import { type CoreModuleInfo, readCoreModuleInfo } from './core-info.js';
import { DiskCache, entryBytesFor } from './disk-cache.js';
import { detectBinaryKind } from './format.js';
import { MemoryCache, type MemoryCacheLimits } from './memory-cache.js';
import { nameProblem, showName } from './names.js';
import {
  checkPreview1Imports,
  isPreview1,
  type Preview1Abi,
  type Preview1Flavor,
  preview1Flavor,
  wrapPreview1,
} from './preview1.js';
import { coreWorld, planWorld, type World } from './world.js';

export type ModuleKind = 'component' | 'preview1' | 'core';

/**
 * Called on every core module before it is compiled: the metering pass plugs in here.
 * `id` names the transformation (and its options) so that compiled modules are cached per hook.
 */
export interface CoreModuleHook {
  readonly id: string;
  transform(bytes: Uint8Array, context: { file: string; kind: ModuleKind }): Uint8Array;
  /**
   * An output of `transform` made into what a component's sole core instance runs
   * (`soleCoreInstance`; the meter: the fuel counter defined in the module, docs/fuel.md).
   * Without it every module stays as `transform` made it.
   */
  defineCounter?(output: Uint8Array): Uint8Array;
  /**
   * What `defineCounter` makes of `transform(bytes)`, the same bytes, in one pass over `bytes`
   * (the meter: the module metered in the defined form at once, without a second pass over its
   * output). With it, the loader holds a component's first core module, validated, until it
   * knows whether it is the sole core instance, and transforms it then, once. `fastExports`:
   * the module's exports `sandbox.fn`'s fast path may call (host/abi/fast.ts `fastExports`),
   * the only ones the meter makes uncharged twins of.
   */
  transformSole?(
    bytes: Uint8Array,
    context: { file: string; kind: ModuleKind; fastExports?: ReadonlySet<string> },
  ): Uint8Array;
  /** Facts the hook needs again at instantiation (the metering pass: initial memory and table sizes). */
  describe?(bytes: Uint8Array): unknown;
  /**
   * The loader is done with an output of `transform` (its compile started, which copies it, and
   * the disk cache written): the hook may write over its memory (the metering pass reuses it).
   */
  release?(output: Uint8Array): void;
}

/**
 * Whether the plan's core module `index` is instantiated once and nothing else is: the
 * sandbox's fuel counter can then be that instance's own.
 */
export function soleCoreInstance(plan: ComponentPlan, index: number): boolean {
  return plan.instantiations.length === 1 && plan.instantiations[0]!.module === index;
}

export interface LoadedModule {
  readonly kind: ModuleKind;
  /** sha256 of the bytes given to `load`. */
  readonly hash: string;
  readonly size: number;
  /** Made on first use (`LoadedModule` objects from this loader: a getter), not by the load. */
  readonly world: World;
  /**
   * Where the rewritten core modules came from on this load: this loader's memory, the disk
   * cache, neither (`miss`), or no rewriting to cache (`none`: a plain core module).
   */
  readonly cache: 'memory' | 'disk' | 'miss' | 'none';
  /**
   * Components: where the plan came from when it was made for this loader: the disk entry
   * (`hit`), the component's bytes (`miss`), or the bytes after the entry's plan was refused
   * (`refused`: not one this Keel wrote; the entry was dropped and remade).
   */
  readonly planCache?: 'hit' | 'miss' | 'refused';
  readonly preview1?: Preview1Flavor;
  /** preview1 modules: run against Keel's own imports, or wrapped with jco's adapter. */
  readonly preview1Abi?: Preview1Abi;
  /** Compiled core modules by file name (core kind: one, named `module.wasm`). */
  readonly coreModules: ReadonlyMap<string, WebAssembly.Module>;
  /** Core modules' byte sizes before the hook, by file name. */
  readonly coreSizes: ReadonlyMap<string, number>;
  /** What the core-module hook's `describe` said of each core module, by file name. */
  readonly coreFacts: ReadonlyMap<string, unknown>;
  /** Components: the instantiation plan, and its core modules compiled, in plan order. */
  readonly plan?: ComponentPlan;
  readonly modules?: readonly WebAssembly.Module[];
  /** Components: the component's bytes (for the WIT text `keel inspect` shows). */
  readonly componentBytes?: Uint8Array;
  readonly coreInfo?: CoreModuleInfo;
}

export interface LoaderOptions {
  /** Refuse modules larger than this many bytes. */
  maxModuleBytes: number;
  /** Cache directory for rewritten core modules; `false` keeps them in memory only. */
  cacheDir: string | false;
  coreHook?: CoreModuleHook | undefined;
  /** How preview1 modules run (default `keel`; `adapter` wraps them with jco's adapter, for comparison). */
  preview1?: Preview1Abi | undefined;
  /**
   * The fingerprint of the code that plans and meters (host/abi/plan-fingerprint.ts): disk
   * entries are keyed by it, and hold the component's plan only when it is set (not empty).
   */
  planFingerprint?: string | undefined;
  /**
   * How many loaded modules, of how many bytes together, the loader keeps in memory (least
   * recently used forgotten first); default `DEFAULT_MODULE_CACHE` (host/kernel/limits.ts).
   */
  memoryCache?: Readonly<MemoryCacheLimits> | undefined;
  /**
   * The clock a load's time is read on, for `YIELD_AFTER_MS` (`performance.now` by default).
   * A test seam (docs/loader.md, Caching): tests stand it still, where mocking the global one
   * also stopped the clock of everything else in the process. The kernel never sets it.
   */
  now?: (() => number) | undefined;
}

export const CORE_FILE = 'module.wasm';

/** Counters that tests and benchmarks read. */
export interface LoaderStats {
  /** Components parsed and planned. */
  plans: number;
  /** Plans read from the disk cache (the component was not parsed and planned). */
  planHits: number;
  /** Plans in the disk cache refused by the decoder (the entry dropped, the load made afresh). */
  planRefusals: number;
  /** Core modules whose rewritten bytes came from the disk cache. */
  diskHits: number;
  /** Loads served whole from this loader's memory. */
  memoryHits: number;
  /** Loaded modules forgotten from memory past `memoryCache`'s bounds (least recently used first). */
  memoryEvictions: number;
  /**
   * Core modules compiled for loads that use them. A disk entry's modules start compiling before
   * the plan says whether they fit the component; those of an entry it then refuses (another
   * number of modules) are not counted.
   */
  compiles: number;
  /** Turns of the event loop a cold load let happen before writing its entry (`YIELD_AFTER_MS`). */
  turns: number;
}

interface ComponentParts {
  plan: ComponentPlan;
  modules: WebAssembly.Module[];
  /** `planWorld(plan)`, made on first use (`worldOf`). */
  world: World | undefined;
  source: 'disk' | 'miss';
  planCache: 'hit' | 'miss' | 'refused';
  coreModules: Map<string, WebAssembly.Module>;
  coreSizes: Map<string, number>;
  coreFacts: Map<string, unknown>;
}

export class Loader {
  readonly stats: LoaderStats = {
    plans: 0,
    planHits: 0,
    planRefusals: 0,
    diskHits: 0,
    memoryHits: 0,
    memoryEvictions: 0,
    compiles: 0,
    turns: 0,
  };
  readonly #options: LoaderOptions;
  readonly #disk: DiskCache | undefined;
  /**
   * Planned and compiled components by `c|` (bytes hash, hook id), compiled plain core modules by
   * `m|` (bytes hash, hook id): one bound for both.
   */
  readonly #memory: MemoryCache<Promise<ComponentParts> | Promise<WebAssembly.Module>>;

  constructor(options: LoaderOptions) {
    this.#options = options;
    this.#memory = new MemoryCache(options.memoryCache ?? DEFAULT_MODULE_CACHE);
    this.#disk =
      options.cacheDir === false
        ? undefined
        : new DiskCache(options.cacheDir, entryBytesFor(options.maxModuleBytes));
  }

  get cacheDir(): string | undefined {
    return this.#disk?.dir;
  }

  async load(bytes: Uint8Array): Promise<LoadedModule> {
    const limit = this.#options.maxModuleBytes;
    if (bytes.length > limit) {
      throw new KeelError(
        'invalid-module',
        `module is ${bytes.length} bytes, over the ${limit}-byte module size limit`,
        { size: bytes.length, limit },
      );
    }
    const kind = detectBinaryKind(bytes);
    const hash = sha256(bytes);
    if (kind === 'component') return await this.#loadComponent(bytes, hash, 'component');

    const info = readCoreModuleInfo(bytes);
    validateCore(bytes);
    checkCoreNames(info);
    const preview1 = isPreview1(info);
    if (preview1 && this.#options.preview1 === 'adapter') {
      const flavor = preview1Flavor(info);
      const component = await wrapPreview1(bytes, flavor);
      // Its core modules are named by the wrapped component's own hash (the adapter is part of it).
      const loaded = await this.#loadComponent(component, `preview1:${hash}`, 'preview1', sha256(component));
      return {
        ...loaded,
        hash,
        size: bytes.length,
        preview1: flavor,
        preview1Abi: 'adapter',
        coreInfo: info,
      };
    }
    if (preview1) checkPreview1Imports(info);
    const coreKind: ModuleKind = preview1 ? 'preview1' : 'core';
    const compiled = await this.#compile(bytes, hash, CORE_FILE, coreKind);
    const hook = this.#options.coreHook;
    let world: World | undefined;
    return {
      kind: coreKind,
      ...(preview1 ? { preview1: preview1Flavor(info), preview1Abi: 'keel' as const } : {}),
      hash,
      size: bytes.length,
      get world() {
        world ??= coreWorld(info);
        return world;
      },
      cache: 'none',
      coreModules: new Map([[CORE_FILE, compiled]]),
      coreSizes: new Map([[CORE_FILE, bytes.length]]),
      coreFacts: new Map(hook?.describe ? [[CORE_FILE, hook.describe(bytes)]] : []),
      coreInfo: info,
    };
  }

  async #loadComponent(
    bytes: Uint8Array,
    hash: string,
    kind: ModuleKind,
    id: string = hash,
  ): Promise<LoadedModule> {
    const key = `c|${hash}|${this.#options.coreHook?.id ?? 'none'}`;
    let cache: LoadedModule['cache'] = 'memory';
    let pending = this.#memory.get(key) as Promise<ComponentParts> | undefined;
    if (pending) this.stats.memoryHits++;
    else {
      const made = this.#plan(bytes, id, kind);
      pending = made;
      this.#remember(key, made, bytes.length);
      cache = (await pending).source;
    }
    const parts = await pending;
    return {
      kind,
      hash,
      size: bytes.length,
      get world() {
        return worldOf(parts);
      },
      cache,
      planCache: parts.planCache,
      coreModules: parts.coreModules,
      coreSizes: parts.coreSizes,
      coreFacts: parts.coreFacts,
      plan: parts.plan,
      modules: parts.modules,
      componentBytes: bytes,
    };
  }

  /**
   * `id`: the hash of `bytes`, which names its core modules. A large module's compile starts on
   * V8's threads as soon as its final bytes exist (read from the disk cache before planning, or
   * metered as the planner meets it); the modules of a load whose modules are all small compile
   * on this thread (`#compileSync`).
   */
  async #plan(bytes: Uint8Array, id: string, kind: ModuleKind): Promise<ComponentParts> {
    const now = this.#options.now ?? performance.now.bind(performance);
    const began = now();
    const hook = this.#options.coreHook;
    const disk = hook ? this.#disk : undefined;
    // Refuse an unsafe cache directory before any work (names and plans come first anyway). A
    // loader without a hook writes and reads nothing there: it does not make the directory.
    if (disk) disk.check();
    else this.#disk?.checkExisting();
    // An entry is named by the component's hash, the hook and the fingerprint of the code that
    // plans and meters: it is read before the plan, and its modules (which passed the entry's
    // hash check) compile while the component is planned, or its plan is decoded. They are used
    // only if the plan accepts the component and has as many core modules.
    const fingerprint = this.#options.planFingerprint ?? '';
    const diskKey = hook ? sha256(`${id}|${hook.id}|${fingerprint}`).slice(0, 40) : '';
    let cachedPlan: ComponentPlan | undefined;
    let planCache: ComponentParts['planCache'] = 'miss';
    // The entry's modules and plan are lent by the cache until its read returns: their compiles
    // start at once (a compile copies its input), and the plan is decoded into objects of its own
    // (its core modules' bytes are views of the component's). A plan the decoder refuses refuses
    // the entry: the cache drops it and this load plans and meters afresh.
    const early = disk?.read(diskKey, (cached, planBytes) => {
      if (fingerprint && planBytes) {
        cachedPlan = decodePlan(planBytes, bytes);
        if (cachedPlan?.modules.length !== cached.length) {
          cachedPlan = undefined;
          planCache = 'refused';
          this.stats.planRefusals++;
          return undefined;
        }
        planCache = 'hit';
        this.stats.planHits++;
      }
      // On this thread only when the modules are small together: beside a larger module's
      // asynchronous compile, the synchronous ones cost more than they saved (the Rust probe's
      // warm load 1.32x in one process, load 22), and many small ones would hold the thread as
      // long as one large one.
      const sync = cached.reduce((sum, m) => sum + m.length, 0) <= SYNC_COMPILE_BYTES;
      return cached.map((m, i) =>
        sync ? this.#compileSync(m, `core${i}.wasm`) : this.#compileCore(m, `core${i}.wasm`),
      );
    });
    // A miss meters each core module as the planner meets it (and starts a large one's compile).
    // A module the hook refuses fails the load only once the plan succeeded, as when the modules
    // were metered after it: an invalid component is refused for its plan first, then for its
    // first invalid module, as before.
    // The first module's compile waits for the second module, or for the plan's end: only the
    // whole plan says whether it is the component's sole core instance, which the hook then
    // makes into its own form (`defineCounter`: the fuel counter in the module, docs/fuel.md).
    const compiling: Promise<WebAssembly.Module>[] = [];
    // Final bytes compile on this thread at the plan's end when all modules' together are of at
    // most `SYNC_COMPILE_BYTES` (as a warm load's: `#compileSync`). V8's asynchronous compile makes no
    // progress past its decode while this thread plans and meters (its next step is a task on
    // this thread's event loop), then holds the loop until it is done: for the bench component's
    // metered module 350-430 µs of wall and 570 µs of CPU, against 210-290 µs and 340 µs on this
    // thread. Once the bound is passed (one large module, or the sum of small ones: a component
    // of a thousand 60 KiB modules would otherwise hold the thread for all their compiles), that
    // module and those held before it compile asynchronously from then on (several compile in
    // parallel on V8's threads).
    let held: { bytes: Uint8Array; file: string }[] | undefined = [];
    let heldBytes = 0;
    const compile = (final: Uint8Array, file: string): void => {
      heldBytes += final.length;
      if (held !== undefined && heldBytes <= SYNC_COMPILE_BYTES) {
        held.push({ bytes: final, file });
        return;
      }
      if (held !== undefined) for (const h of held) compiling.push(this.#compileCore(h.bytes, h.file));
      held = undefined;
      compiling.push(this.#compileCore(final, file));
    };
    const transformed: Uint8Array[] = [];
    let refused: { error: unknown } | undefined;
    let firstHeld: string | undefined;
    // A hook that makes the sole instance's form in one pass gets the first module untransformed
    // (validated) and transforms it once its form is known: before the next module is checked,
    // so a refusal of the first still comes first.
    let firstInput: CoreModulePlan | undefined;
    const compileFirst = (sole: ComponentPlan | undefined): void => {
      if (firstInput !== undefined) {
        const m = firstInput;
        firstInput = undefined;
        try {
          const context = { file: m.file, kind };
          transformed.push(
            sole
              ? hook!.transformSole!(m.bytes, { ...context, fastExports: fastExports(sole) })
              : hook!.transform(m.bytes, context),
          );
        } catch (error) {
          refused = { error };
          return;
        }
        compile(transformed[0]!, m.file);
        return;
      }
      if (firstHeld === undefined) return;
      const file = firstHeld;
      firstHeld = undefined;
      if (sole && hook?.defineCounter) {
        const own = hook.defineCounter(transformed[0]!);
        hook.release?.(transformed[0]!);
        transformed[0] = own;
      }
      compile(transformed[0]!, file);
    };
    const start = (m: CoreModulePlan): void => {
      if (refused) return;
      if (firstInput !== undefined) {
        compileFirst(undefined);
        if (refused) return;
      }
      let final = m.bytes;
      try {
        if (hook) {
          // The hook (metering) expects valid input: each core module is checked first.
          validateCore(m.bytes, m.file);
          if (transformed.length === 0 && hook.transformSole) {
            firstInput = m;
            return;
          }
          final = hook.transform(m.bytes, { file: m.file, kind });
        }
      } catch (error) {
        refused = { error };
        return;
      }
      transformed.push(final);
      if (transformed.length === 1) firstHeld = m.file;
      else {
        compileFirst(undefined);
        compile(final, m.file);
      }
    };
    const releaseAll = () => {
      if (hook?.release) for (const output of transformed) hook.release(output);
    };
    let plan = cachedPlan;
    if (!plan) {
      try {
        plan = early === undefined ? planComponent(bytes, start) : planComponent(bytes);
      } catch (error) {
        releaseAll();
        throw error;
      }
      this.stats.plans++;
    }
    let fromDisk = false;
    let modules: Promise<WebAssembly.Module[]>;
    if (early && early.length === plan.modules.length && early.length > 0) {
      modules = Promise.all(early);
      fromDisk = true;
      this.stats.diskHits += early.length;
      this.stats.compiles += early.length;
    } else {
      if (early !== undefined) for (const m of plan.modules) start(m);
      if (refused) {
        releaseAll();
        throw refused.error;
      }
      compileFirst(soleCoreInstance(plan, 0) ? plan : undefined);
      // The first module, when it was held untransformed, is transformed only now.
      const late = refused as { error: unknown } | undefined;
      if (late) {
        releaseAll();
        throw late.error;
      }
      if (held !== undefined) for (const h of held) compiling.push(this.#compileSync(h.bytes, h.file));
      this.stats.compiles += compiling.length;
      modules = Promise.all(compiling);
      // Awaited only after the turn below: a compile failing meanwhile must not be an unhandled
      // rejection, which ends a Node process (test/hostile/loader/metered-compile-fails-process).
      modules.catch(() => {});
      // The rewrite can take seconds: let the timers that came due meanwhile run (the CLI's
      // progress note) before the cache entry is written. Not after a quick one: the turn cost
      // 40-70 µs of a 2 ms cold load of the bench component.
      if (hook && transformed.length > 0 && now() - began >= YIELD_AFTER_MS) {
        this.stats.turns++;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (disk && transformed.length > 0)
        disk.write(diskKey, transformed, fingerprint ? encodePlan(plan, bytes) : undefined);
      releaseAll();
    }
    // What follows the compiles runs while V8 finishes them.
    const describe = hook?.describe;
    const coreModules = new Map<string, WebAssembly.Module>();
    const coreSizes = new Map<string, number>();
    const coreFacts = new Map<string, unknown>();
    for (const m of plan.modules) {
      coreSizes.set(m.file, m.bytes.length);
      if (describe) coreFacts.set(m.file, describe(m.bytes));
    }
    const compiled = await modules;
    for (const [i, m] of plan.modules.entries()) coreModules.set(m.file, compiled[i]!);
    return {
      plan,
      modules: compiled,
      world: undefined,
      source: fromDisk ? 'disk' : 'miss',
      planCache,
      coreModules,
      coreSizes,
      coreFacts,
    };
  }

  /**
   * Start compiling final core module bytes. The promise is marked handled at once: a load that
   * fails before awaiting it (the plan refuses the component) leaves no unhandled rejection.
   */
  #compileCore(bytes: Uint8Array, file: string): Promise<WebAssembly.Module> {
    const compiled = WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>).catch((error: unknown) => {
      throw notCompiled(file, error);
    });
    compiled.catch(() => {});
    return compiled;
  }

  /**
   * Compile final core module bytes of a load whose modules together are of at most
   * `SYNC_COMPILE_BYTES` (read from the disk cache, or metered), on this thread
   * (`new WebAssembly.Module`). An asynchronous compile costs a fixed 60-130 µs of CPU more than a
   * synchronous one (its job's steps are tasks handed between threads), a quarter of a plain
   * compile of the bench component's core module: metered (718 B) 447 against 574 µs, a C probe's
   * 4,951-byte module 464 against 650 µs (load 10). Past the bound the compile's time on this
   * thread (about 3 ms for 64 KiB) would hold the event loop.
   */
  #compileSync(bytes: Uint8Array, file: string): Promise<WebAssembly.Module> {
    try {
      return Promise.resolve(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    } catch (error) {
      const failed = Promise.reject(notCompiled(file, error));
      failed.catch(() => {});
      return failed;
    }
  }

  /**
   * A plain core module (validated already), named by its hash: through the hook, compiled once
   * (on this thread when its final bytes are of at most `SYNC_COMPILE_BYTES`, as a component's).
   */
  #compile(bytes: Uint8Array, hash: string, file: string, kind: ModuleKind): Promise<WebAssembly.Module> {
    const hook = this.#options.coreHook;
    const key = `m|${hash}|${hook?.id ?? 'none'}`;
    let compiled = this.#memory.get(key) as Promise<WebAssembly.Module> | undefined;
    if (!compiled) {
      try {
        const final = hook ? hook.transform(bytes, { file, kind }) : bytes;
        compiled =
          final.length <= SYNC_COMPILE_BYTES
            ? this.#compileSync(final, file)
            : this.#compileCore(final, file);
        if (hook?.release) hook.release(final);
        this.stats.compiles++;
      } catch (error) {
        return Promise.reject(error);
      }
      this.#remember(key, compiled, bytes.length);
    }
    return compiled;
  }

  /** Keep a load in memory until it fails or is forgotten past the bounds (`memoryCache`). */
  #remember(
    key: string,
    pending: Promise<ComponentParts> | Promise<WebAssembly.Module>,
    bytes: number,
  ): void {
    this.#memory.set(key, pending, bytes);
    this.stats.memoryEvictions = this.#memory.evictions;
    pending.catch(() => this.#memory.delete(key, pending));
  }
}

/**
 * A component's world (WIT text of every import's and export's type), made on first use and kept
 * with its parts: a load does not need it (`handle.world`, `keel inspect` and error messages
 * naming exports do), and making it was 35-100 µs of a cold load of the bench component.
 */
function worldOf(parts: ComponentParts): World {
  parts.world ??= planWorld(parts.plan);
  return parts.world;
}

/**
 * A cold load that has run this long lets the event loop turn once before it writes its cache
 * entry (the CLI's progress note waits 500 ms); a quicker one does not stop.
 */
export const YIELD_AFTER_MS = 10;

/**
 * Loads whose core modules' final bytes are up to this size together compile them on the loader's
 * thread (`#compileSync`): the time a load holds the thread compiling is bounded (about 3 ms).
 */
export const SYNC_COMPILE_BYTES = 64 * 1024;

function notCompiled(file: string, error: unknown): KeelError {
  return new KeelError(
    'invalid-module',
    `core module ${file} does not compile: ${(error as Error).message}`,
    {
      file,
    },
  );
}

/** A plain core module's names reach logs, `inspect` and terminals: printable ASCII only. */
function checkCoreNames(info: CoreModuleInfo): void {
  const names: [where: string, name: string][] = [
    ...info.imports.flatMap((i): [string, string][] => [
      ['import module', i.module],
      ['import', i.name],
    ]),
    ...info.exports.map((e): [string, string] => ['export', e.name]),
  ];
  for (const [where, name] of names) {
    const problem = nameProblem(name, 'core');
    if (problem) {
      const shown = showName(name);
      throw new KeelError('invalid-module', `invalid core module: ${where} name ${shown} ${problem}`, {
        where,
        name: shown,
      });
    }
  }
}

/** Throws `invalid-module` (V8's reason, naming `file`) unless `bytes` is a valid core module. */
export function validateCore(bytes: Uint8Array, file?: string): void {
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return;
  const what = file ? `invalid core module ${file}` : 'invalid core module';
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    throw new KeelError(
      'invalid-module',
      `${what}: ${(error as Error).message.replace(/^WebAssembly\.Module\(\): /, '')}`,
    );
  }
  throw new KeelError('invalid-module', what);
}

/** One-shot (`crypto.hash`): a `Hash` object per call cost about 30 µs more on a cold load. */
export function sha256(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}
