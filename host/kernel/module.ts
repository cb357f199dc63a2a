/**
 * The public handle of a loaded module: what it is and what its world looks like. The
 * compiled parts stay inside the kernel.
 */

import type { LoadedModule, ModuleKind } from '../loader/loader.js';
import type { World } from '../loader/world.js';
import { stripVersion } from '../policy/grants.js';

const loaded = new WeakMap<ModuleHandle, LoadedModule>();

export class ModuleHandle {
  readonly id: string;
  readonly name: string;
  readonly kind: ModuleKind;
  /** sha256 of the module's bytes. */
  readonly hash: string;
  readonly size: number;
  /** `command` or `reactor` for WASI preview1 modules. */
  readonly preview1: 'command' | 'reactor' | undefined;
  /** WASI preview1 modules: run against Keel's own imports (`keel`) or jco's adapter (`adapter`). */
  readonly preview1Abi: 'keel' | 'adapter' | undefined;
  /** Where the rewritten core modules came from on this load (see `LoadedModule.cache`). */
  readonly cache: LoadedModule['cache'];

  constructor(id: string, name: string, module: LoadedModule) {
    this.id = id;
    this.name = name;
    this.kind = module.kind;
    this.hash = module.hash;
    this.size = module.size;
    this.preview1 = module.preview1;
    this.preview1Abi = module.preview1Abi;
    this.cache = module.cache;
    loaded.set(this, module);
  }

  /** What the module imports and exports, with WIT signatures: made on first use (a load does not need it). */
  get world(): World {
    return loaded.get(this)!.world;
  }

  /** Core modules inside, with their sizes (for `keel inspect`). */
  get coreModules(): { file: string; size: number }[] {
    return [...(loaded.get(this)?.coreSizes ?? [])].map(([file, size]) => ({ file, size }));
  }

  /** The component's world as WIT text (`keel inspect`), printed by wasm-tools from its bytes. */
  async witText(): Promise<string | undefined> {
    const bytes = loaded.get(this)?.componentBytes;
    if (!bytes) return undefined;
    const { componentWit } = await import('@bytecodealliance/jco-transpile/wasm-tools');
    return await componentWit(bytes);
  }

  /**
   * True when the module is a command: it exports `wasi:cli/run`, or it is a WASI preview1
   * command (`_start`). It can be run without naming an export.
   */
  get isCommand(): boolean {
    if (this.preview1Abi === 'keel') return this.preview1 === 'command';
    return this.world.exports.some((e) => stripVersion(e.name) === 'wasi:cli/run');
  }

  /** The export that runs a command: `wasi:cli/run#run`, or `_start` for a preview1 command. */
  get commandExport(): string | undefined {
    if (!this.isCommand) return undefined;
    if (this.preview1Abi === 'keel') return '_start';
    const run = this.world.exports.find((e) => stripVersion(e.name) === 'wasi:cli/run');
    return run ? `${run.name}#run` : undefined;
  }
}

/** Kernel-internal: the compiled module behind a handle. */
export function loadedModule(handle: ModuleHandle): LoadedModule {
  const module = loaded.get(handle);
  if (!module) throw new TypeError('not a module handle from this kernel');
  return module;
}
