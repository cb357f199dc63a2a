/**
 * A sandbox's exports: what is attached at spawn (a core instance's exports, a component
 * instance, or a guest in a worker) and how an export name resolves to a function to call,
 * cached per name.
 */
import { type LoweredArguments, loweredCall } from '../../abi/calls.js';
import type { ScalarExport } from '../../abi/fast.js';
import type { GuestResource } from '../../abi/handles.js';
import type { ComponentInstance } from '../../abi/instance.js';
import { kebabCase } from '../../abi/js-names.js';
import { argumentsConverter, scalarArguments } from '../../abi/json.js';
import type { FuncType } from '../../abi/types.js';
import type { FuncSignature } from '../../loader/core-info.js';
import { loadedModule, type ModuleHandle } from '../module.js';
import { coreArguments } from '../values.js';
import type { RemoteExport, RemoteGuest } from './types.js';

/**
 * An export name resolved: the function to call, what JSON arguments are checked against, and
 * `invoke`'s converter of them, made on the first `invoke` (a sandbox called only through `fn`
 * never makes one: idle memory, issue 12).
 */
export class ResolvedExport {
  readonly fn: (...args: unknown[]) => unknown;
  readonly name: string;
  /** Core functions: the signature JSON arguments are checked against. */
  readonly signature: FuncSignature | undefined;
  /** Component functions: the WIT type JSON arguments are converted by. */
  readonly type: FuncType | undefined;
  /**
   * An inline component's scalar export (`isScalarShape`): the call of its core export with the
   * arguments `fromJson` lowered into the invocation's record, instead of `fn` with an array of
   * them (one check and no array a call: issue 12). Undefined for every other export.
   */
  readonly run: ((held: LoweredArguments) => unknown) | undefined;
  /** The name the caller used (errors name the export as it was spelled). */
  readonly #exportName: string;
  readonly #table: ExportTable;
  #convert: ((args: readonly unknown[], into: LoweredArguments) => readonly unknown[]) | undefined;

  constructor(found: Found, exportName: string, table: ExportTable) {
    this.fn = found.fn;
    this.name = found.name;
    this.signature = found.signature;
    this.type = found.type;
    const scalar = found.scalar;
    this.run = scalar && loweredCall(scalar.type, scalar.core, scalar.inst, scalar.slot);
    this.#exportName = exportName;
    this.#table = table;
  }

  /**
   * `invoke`'s arguments (JSON values) checked and converted to what `fn` takes: by the WIT
   * type (converters found once per export), by the core signature, or copied as they are. A
   * scalar export's (`run`) are lowered into `into` instead, and `LOWERED` returned.
   */
  fromJson(args: readonly unknown[], into: LoweredArguments): readonly unknown[] {
    this.#convert ??= this.#converter();
    return this.#convert(args, into);
  }

  #converter(): (args: readonly unknown[], into: LoweredArguments) => readonly unknown[] {
    const { signature, type, name } = this;
    if (signature) return (args) => coreArguments(name, signature, args);
    const table = this.#table;
    if (type && this.run) return scalarArguments(this.#exportName, type);
    if (type) return argumentsConverter(this.#exportName, type, (handle) => table.heldResource(handle));
    return (args) => [...args];
  }
}

interface Found {
  fn: (...args: unknown[]) => unknown;
  signature?: FuncSignature | undefined;
  type?: FuncType | undefined;
  /** An inline component's export whose values are all scalars (at most 3 parameters). */
  scalar?: ScalarExport | undefined;
  name: string;
}

/** Nothing attached (shared by every table; never written). */
const NO_EXPORTS: Record<string, unknown> = Object.freeze(Object.create(null));
const NO_SIGNATURES: ReadonlyMap<string, FuncSignature> = new Map();

export class ExportTable {
  #exports: Record<string, unknown> = NO_EXPORTS;
  #signatures: ReadonlyMap<string, FuncSignature> = NO_SIGNATURES;
  #component: ComponentInstance | undefined;
  /** Worker placement: the guest runs in a worker; exports are described by `#describe`. */
  #remote: RemoteGuest | undefined;
  #describe: ((exportName: string) => RemoteExport) | undefined;
  /** Resolved names past the first (the first is `#last` only: most sandboxes call one or none). */
  #resolved: Map<string, ResolvedExport> | undefined;
  /** The last name resolved and what it resolved to (a caller often calls one export in a row). */
  #lastName: string | undefined;
  #last: ResolvedExport | undefined;
  readonly #module: ModuleHandle;

  constructor(module: ModuleHandle) {
    this.#module = module;
  }

  /** A core module's instantiated exports. */
  attach(exports: Record<string, unknown>, signatures: ReadonlyMap<string, FuncSignature>): void {
    this.#exports = exports;
    this.#signatures = signatures;
  }

  /** A guest that runs in a worker. */
  attachRemote(remote: RemoteGuest, describe: (exportName: string) => RemoteExport): void {
    this.#remote = remote;
    this.#describe = describe;
  }

  /** An instantiated component. */
  attachComponent(component: ComponentInstance): void {
    this.#component = component;
  }

  /** The worker's guest, when the sandbox runs in a worker. */
  get remote(): RemoteGuest | undefined {
    return this.#remote;
  }

  /** A resource the component instance holds for the embedder (JSON arguments name them by handle). */
  heldResource(handle: number): GuestResource | undefined {
    return this.#component?.heldResource(handle);
  }

  /** The export named, from the cache or looked up (and cached); undefined when there is none. */
  resolve(exportName: string): ResolvedExport | undefined {
    if (exportName === this.#lastName) return this.#last;
    return this.#resolveAnother(exportName);
  }

  /** `resolve` of a name other than the last (a function of its own: V8 inlines `resolve` whole). */
  #resolveAnother(exportName: string): ResolvedExport | undefined {
    let resolved = this.#resolved?.get(exportName);
    if (!resolved) {
      const found = this.#lookup(exportName);
      if (!found) return undefined;
      resolved = new ResolvedExport(found, exportName, this);
      // The first name resolved is kept in `#last` alone; a map only once there are two.
      if (this.#resolved) this.#resolved.set(exportName, resolved);
      else if (this.#last)
        this.#resolved = new Map([
          [this.#lastName!, this.#last],
          [exportName, resolved],
        ]);
    }
    this.#lastName = exportName;
    this.#last = resolved;
    return resolved;
  }

  /**
   * The export as the fast path's own scalar function takes it (an inline component's lifted
   * export whose values are all scalars), under the name `resolve` finds; undefined otherwise.
   * `metered`: with the metering pass's twin of a constant-cost leaf, when it made one.
   */
  scalar(exportName: string, metered: boolean): ScalarExport | undefined {
    const component = this.#component;
    if (!component || this.#remote) return undefined;
    const modules = metered ? loadedModule(this.#module).modules : undefined;
    if (component.hasExport(exportName)) return component.scalarExport(exportName, modules);
    return component.scalarExport(kebabName(exportName), modules);
  }

  /** The sandbox ended: nothing stays reachable. */
  clear(): void {
    this.#component?.end();
    this.#exports = NO_EXPORTS;
    this.#component = undefined;
    this.#remote = undefined;
    this.#resolved = undefined;
    this.#lastName = undefined;
    this.#last = undefined;
  }

  #lookup(exportName: string): Found | undefined {
    // A preview1 command runs as `wasi:cli/run#run` whatever its ABI: natively that is `_start`.
    if (this.#module.preview1Abi === 'keel' && /^wasi:cli\/run(@[^#]*)?#run$/.test(exportName)) {
      const start = this.#lookup('_start');
      return start && { ...start, name: exportName };
    }
    const remote = this.#remote;
    if (remote) {
      const described = this.#describe!(exportName);
      if (!described) return undefined;
      const { call, ...types } = described;
      return { fn: (...args: unknown[]) => remote.callSync(call, args), name: call, ...types };
    }
    const component = this.#component;
    if (component) {
      // As WIT spells them, or as jco's JavaScript names did (`countTrue` for `count-true`).
      let spelled = exportName;
      let found = component.exportFunction(spelled);
      if (!found) {
        spelled = kebabName(exportName);
        found = component.exportFunction(spelled);
      }
      return (
        found && { fn: found.fn, type: found.type, scalar: component.scalarExport(spelled), name: exportName }
      );
    }
    const direct = this.#exports[exportName];
    if (typeof direct !== 'function') return undefined;
    const signature = this.#signatures.get(exportName);
    return { fn: direct as ResolvedExport['fn'], name: exportName, ...(signature ? { signature } : {}) };
  }
}

/** `numbers#addU8` → `numbers#add-u8`: the function part of an export name in kebab case. */
export function kebabName(exportName: string): string {
  const hash = exportName.lastIndexOf('#');
  return exportName.slice(0, hash + 1) + kebabCase(exportName.slice(hash + 1));
}
