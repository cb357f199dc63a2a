/**
 * The loader: bytes in, a `LoadedModule` out. It checks size and validity before doing any
 * work, wraps preview1 modules, parses components into an instantiation plan (Keel's own
 * canonical ABI: host/abi; nothing is generated from the component), passes every core module
 * through the core-module hook and compiles it once. The hook's output may be cached on disk
 * (data, verified by its sha256).
 */
import { createHash } from 'node:crypto';
import { type ComponentPlan, planComponent } from '../abi/plan.js';
import { KeelError } from '../kernel/errors.js';
import { type CoreModuleInfo, readCoreModuleInfo } from './core-info.js';
import { DiskCache } from './disk-cache.js';
import { detectBinaryKind } from './format.js';
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
  /** Facts the hook needs again at instantiation (the metering pass: initial memory and table sizes). */
  describe?(bytes: Uint8Array): unknown;
}

export interface LoadedModule {
  readonly kind: ModuleKind;
  /** sha256 of the bytes given to `load`. */
  readonly hash: string;
  readonly size: number;
  readonly world: World;
  /**
   * Where the rewritten core modules came from on this load: this loader's memory, the disk
   * cache, neither (`miss`), or no rewriting to cache (`none`: a plain core module).
   */
  readonly cache: 'memory' | 'disk' | 'miss' | 'none';
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
}

export const CORE_FILE = 'module.wasm';

/** Counters that tests and benchmarks read. */
export interface LoaderStats {
  /** Components parsed and planned. */
  plans: number;
  /** Core modules whose rewritten bytes came from the disk cache. */
  diskHits: number;
  /** Loads served whole from this loader's memory. */
  memoryHits: number;
  compiles: number;
}

interface ComponentParts {
  plan: ComponentPlan;
  modules: WebAssembly.Module[];
  world: World;
  source: 'disk' | 'miss';
  coreModules: Map<string, WebAssembly.Module>;
  coreSizes: Map<string, number>;
  coreFacts: Map<string, unknown>;
}

export class Loader {
  readonly stats: LoaderStats = { plans: 0, diskHits: 0, memoryHits: 0, compiles: 0 };
  readonly #options: LoaderOptions;
  readonly #disk: DiskCache | undefined;
  /** Planned and compiled components by (bytes hash, hook id). */
  readonly #components = new Map<string, Promise<ComponentParts>>();
  /** Compiled core modules by (bytes hash, hook id), and whether the rewrite came from disk. */
  readonly #compiled = new Map<string, Promise<{ module: WebAssembly.Module; fromDisk: boolean }>>();

  constructor(options: LoaderOptions) {
    this.#options = options;
    this.#disk = options.cacheDir === false ? undefined : new DiskCache(options.cacheDir);
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
    const { module: compiled } = await this.#compile(bytes, hash, CORE_FILE, coreKind, true);
    const hook = this.#options.coreHook;
    return {
      kind: coreKind,
      ...(preview1 ? { preview1: preview1Flavor(info), preview1Abi: 'keel' as const } : {}),
      hash,
      size: bytes.length,
      world: coreWorld(info),
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
    const key = `${hash}|${this.#options.coreHook?.id ?? 'none'}`;
    let cache: LoadedModule['cache'] = 'memory';
    let pending = this.#components.get(key);
    if (pending) this.stats.memoryHits++;
    else {
      pending = this.#plan(bytes, id, kind);
      this.#components.set(key, pending);
      pending.catch(() => this.#components.delete(key));
      cache = (await pending).source;
    }
    const parts = await pending;
    return {
      kind,
      hash,
      size: bytes.length,
      world: parts.world,
      cache,
      coreModules: parts.coreModules,
      coreSizes: parts.coreSizes,
      coreFacts: parts.coreFacts,
      plan: parts.plan,
      modules: parts.modules,
      componentBytes: bytes,
    };
  }

  /** `id`: the hash of `bytes`, which names its core modules. */
  async #plan(bytes: Uint8Array, id: string, kind: ModuleKind): Promise<ComponentParts> {
    // Refuse an unsafe cache directory before any work (names and plans come first anyway).
    await this.#disk?.check();
    const plan = planComponent(bytes);
    this.stats.plans++;
    const describe = this.#options.coreHook?.describe;
    const coreModules = new Map<string, WebAssembly.Module>();
    const coreSizes = new Map<string, number>();
    const coreFacts = new Map<string, unknown>();
    const compiled = await Promise.all(
      plan.modules.map(async (m) => {
        // A core module is named by the component's hash and its place: hashed once per load.
        const result = await this.#compile(m.bytes, `${id}/${m.file}`, m.file, kind);
        coreModules.set(m.file, result.module);
        coreSizes.set(m.file, m.bytes.length);
        if (describe) coreFacts.set(m.file, describe(m.bytes));
        return result;
      }),
    );
    const fromDisk = compiled.length > 0 && compiled.every((c) => c.fromDisk);
    return {
      plan,
      modules: compiled.map((c) => c.module),
      world: planWorld(plan),
      source: fromDisk ? 'disk' : 'miss',
      coreModules,
      coreSizes,
      coreFacts,
    };
  }

  /** `id` names the bytes: their hash, or the component's hash and the module's place in it. */
  #compile(
    bytes: Uint8Array,
    id: string,
    file: string,
    kind: ModuleKind,
    checked = false,
  ): Promise<{ module: WebAssembly.Module; fromDisk: boolean }> {
    const hook = this.#options.coreHook;
    const key = `${id}|${hook?.id ?? 'none'}`;
    let compiled = this.#compiled.get(key);
    if (!compiled) {
      compiled = (async () => {
        let transformed = bytes;
        let fromDisk = false;
        if (hook) {
          const diskKey = sha256(key).slice(0, 40);
          const cached = checked ? undefined : await this.#disk?.read(diskKey);
          if (cached) {
            // An entry exists only for input that was valid when it was metered (its key is the
            // hash of the input, or of the component it is a part of), and the metered module is
            // validated as it compiles: the input is not validated again.
            this.stats.diskHits++;
            transformed = cached;
            fromDisk = true;
          } else {
            // The hook (metering) expects valid input: a component's core modules are checked
            // here, a plain core module (preview1 or not) was checked before (validateCore).
            if (!checked) validateCore(bytes, file);
            transformed = hook.transform(bytes, { file, kind });
            if (!checked) await this.#disk?.write(diskKey, transformed);
            // The rewrite can take seconds, and the cache's writes no longer wait on the event
            // loop: let the timers that came due meanwhile run (the CLI's progress note).
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        }
        this.stats.compiles++;
        try {
          return { module: await WebAssembly.compile(transformed as Uint8Array<ArrayBuffer>), fromDisk };
        } catch (error) {
          throw new KeelError(
            'invalid-module',
            `core module ${file} does not compile: ${(error as Error).message}`,
            { file },
          );
        }
      })();
      this.#compiled.set(key, compiled);
      compiled.catch(() => this.#compiled.delete(key));
    }
    return compiled;
  }
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

function validateCore(bytes: Uint8Array, file?: string): void {
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

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
