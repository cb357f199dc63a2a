/**
 * What the differential harness runs a component on: an `AbiEngine`. An engine takes a
 * component's bytes (and the WIT types of the exports and imports the harness uses, so that
 * it can convert values), serves the component's imports with the harness's host functions,
 * and calls exports with the harness's values (values.ts), answering outcomes in the same form.
 *
 * The engines: Keel's run path (the kernel, whose components run through Keel's own canonical
 * ABI, host/abi: `kernelEngine`), host/abi's `ComponentInstance` on its own (`hostAbiEngine`),
 * and jco's generated glue, called directly (`jcoEngine`, the reference the conventions come
 * from). The harness runs every engine on every component side by side.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type GeneratorId,
  type GlueInstantiate,
  type TranspileOutput,
  transpileComponent,
} from '../../bench/lib/transpile.js';
import { handleLimitCounter } from '../../host/abi/handles.js';
import { ComponentInstance } from '../../host/abi/instance.js';
import { camelCase, kebabCase } from '../../host/abi/js-names.js';
import { type ComponentPlan, planComponent } from '../../host/abi/plan.js';
import {
  type CapabilityProvider,
  isKeelError,
  KeelError,
  Kernel,
  type ModuleHandle,
  type Sandbox,
  wasiError,
} from '../../host/index.js';
import { classifyFailure, componentErrorPayload } from '../../host/kernel/traps.js';
import type { Tagged, Value } from './values.js';
import type { FuncType, WitType } from './wit.js';

/** A component and the WIT types of what the harness calls and serves. */
export interface ComponentUnderTest {
  name: string;
  bytes: Uint8Array;
  /** Exports the harness calls, by the name a caller uses (`f`, `pkg:ns/iface#f`). */
  exports: Readonly<Record<string, FuncType>>;
  /** Host imports the harness serves: interface (version-less) → function → type. */
  imports?: Readonly<Record<string, Readonly<Record<string, FuncType>>>>;
  /** Canonical ABI features it uses beyond the plain ones, for engines that lack some: `utf16`, `latin1+utf16`. */
  features?: readonly string[];
  /** Capabilities of Keel's providers it needs besides the harness's imports (WASI for componentize-js). */
  grants?: readonly string[];
}

/** A host function of the harness: canonical values in, canonical value out (`undefined` for none). */
export type HostFunction = (args: Value[]) => Value | undefined;

/** The harness's host: a function per import the component uses (interface → function). */
export type HostImplementation = Readonly<Record<string, Readonly<Record<string, HostFunction>>>>;

export type CallOutcome =
  | { ok: true; value: Value | undefined }
  | { ok: false; code: string; message: string };

export interface EngineInstance {
  /** Call an export. Never throws for what the guest or the values did: that is an outcome. */
  call(exportName: string, args: readonly Value[]): CallOutcome;
  /** sha256 of every linear memory of the component's core instances, in order (after the last call). */
  memoryDigest(): string;
}

/** A component loaded by an engine: instantiated afresh after a failed call. */
export interface LoadedComponent {
  instantiate(): Promise<EngineInstance>;
  close(): Promise<void>;
}

export interface AbiEngine {
  readonly name: string;
  /**
   * Vectors the engine is known to get wrong today: the reason, or undefined. The harness skips
   * them on this engine; each is listed in docs/conformance.md.
   */
  knownGap?(component: ComponentUnderTest, exportName: string, args: readonly Value[]): string | undefined;
  /** Why this engine cannot run the component at all (it needs what the engine has not), or undefined. */
  skips?(component: ComponentUnderTest): string | undefined;
  /** Load. Throws a `KeelError` (`invalid-module`, ...) when the component is refused. */
  load(component: ComponentUnderTest, host: HostImplementation): Promise<LoadedComponent>;
}

// ---------------------------------------------------------------------------------------------
// Resources: the engine's objects for them, numbered per resource type in order of appearance.

/**
 * The resources an instance has shown the harness, per resource type: `{ handle: n }` is the
 * n-th. Host resources (imported) are made by the harness's host functions, which name them by
 * number too; their objects are instances of the class `hostClasses` gives for the type.
 */
export class Handles {
  readonly #tables = new Map<string, unknown[]>();
  readonly hostClasses = new Map<string, { prototype: object }>();

  /** The engine's object for `{ handle: n }` of this resource type. */
  toEngine(resource: string, n: number): unknown {
    const table = this.#table(resource);
    if (n in table) return table[n];
    const cls = this.hostClasses.get(resource);
    if (!cls) throw new Error(`no ${resource} numbered ${n} was seen`);
    // A host resource first named by a host function's result: a fresh object of its class.
    const object = Object.create(cls.prototype) as object;
    table[n] = object;
    return object;
  }

  /** The number of an object of this resource type (a new one when first seen). */
  fromEngine(resource: string, object: unknown): number {
    const table = this.#table(resource);
    const known = table.indexOf(object);
    if (known >= 0) return known;
    table.push(object);
    return table.length - 1;
  }

  /** Names `object` as `{ handle: n }` (a host resource its constructor made). */
  bind(resource: string, n: number, object: unknown): void {
    this.#table(resource)[n] = object;
  }

  #table(resource: string): unknown[] {
    let table = this.#tables.get(resource);
    if (!table) {
      table = [];
      this.#tables.set(resource, table);
    }
    return table;
  }
}

// ---------------------------------------------------------------------------------------------
// jco's JavaScript rendering of WIT values (what Keel's API and jco's glue take and give).

const TYPED_ARRAYS: Partial<Record<WitType['kind'], { from(values: ArrayLike<any>): ArrayLike<unknown> }>> = {
  u8: Uint8Array,
  s8: Int8Array,
  u16: Uint16Array,
  s16: Int16Array,
  u32: Uint32Array,
  s32: Int32Array,
  u64: BigUint64Array,
  s64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
};

/**
 * A value as jco renders it: lists of numbers as typed arrays, record fields and flags in
 * camelCase, flags as an object of booleans, an option as its value or `undefined` (nested
 * options alternate with `{ tag, val }`, see `taggedOption`), variants and results as `{ tag, val }`.
 */
export function toJco(type: WitType, value: Value, handles?: Handles): unknown {
  switch (type.kind) {
    case 'list': {
      const typed = TYPED_ARRAYS[type.of.kind];
      const items = value as Value[];
      return typed ? typed.from(items) : items.map((v) => toJco(type.of, v, handles));
    }
    case 'tuple':
      return (value as Value[]).map((v, i) => toJco(type.of[i]!, v, handles));
    case 'record': {
      const record = value as Record<string, Value>;
      return Object.fromEntries(
        type.fields.map((f) => [camelCase(f.name), toJco(f.type, record[f.name]!, handles)]),
      );
    }
    case 'flags': {
      const set = new Set(value as string[]);
      return Object.fromEntries(type.flags.map((f) => [camelCase(f), set.has(f)]));
    }
    case 'option': {
      const v = value as Tagged;
      if (taggedOption(type))
        return v.tag === 'none' ? { tag: 'none' } : { tag: 'some', val: toJco(type.of, v.val!, handles) };
      return v.tag === 'none' ? undefined : toJco(type.of, v.val!, handles);
    }
    case 'variant':
    case 'result': {
      const v = value as Tagged;
      const payload = type.kind === 'result' ? (v.tag === 'ok' ? type.ok : type.err) : caseType(type, v.tag);
      return payload ? { tag: v.tag, val: toJco(payload, v.val!, handles) } : { tag: v.tag };
    }
    case 'own':
    case 'borrow': {
      if (!handles) throw new Error("resources need the instance's handles");
      return handles.toEngine(type.resource, (value as { handle: number }).handle);
    }
    default:
      return value;
  }
}

/** The inverse of `toJco`. */
export function fromJco(type: WitType, value: unknown, handles?: Handles): Value {
  switch (type.kind) {
    case 'list': {
      const items = Array.from(value as ArrayLike<unknown>);
      return items.map((v) => fromJco(type.of, v, handles));
    }
    case 'tuple':
      return (value as unknown[]).map((v, i) => fromJco(type.of[i]!, v, handles));
    case 'record': {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(
        type.fields.map((f) => [f.name, fromJco(f.type, record[camelCase(f.name)], handles)]),
      );
    }
    case 'flags': {
      const record = value as Record<string, unknown>;
      return type.flags.filter((f) => record[camelCase(f)] === true);
    }
    case 'option': {
      if (taggedOption(type)) {
        const v = value as { tag: string; val?: unknown };
        return v.tag === 'none' ? { tag: 'none' } : { tag: 'some', val: fromJco(type.of, v.val, handles) };
      }
      return value === undefined || value === null
        ? { tag: 'none' }
        : { tag: 'some', val: fromJco(type.of, value, handles) };
    }
    case 'variant':
    case 'result': {
      const v = value as { tag: string; val?: unknown };
      const payload = type.kind === 'result' ? (v.tag === 'ok' ? type.ok : type.err) : caseType(type, v.tag);
      return payload ? { tag: v.tag, val: fromJco(payload, v.val, handles) } : { tag: v.tag };
    }
    case 'own':
    case 'borrow': {
      if (!handles) throw new Error("resources need the instance's handles");
      return { handle: handles.fromEngine(type.resource, value) };
    }
    default:
      return value as Value;
  }
}

/**
 * Whether jco renders this option as `{ tag, val }` rather than as its value or `undefined`:
 * when its payload is an option rendered the plain way (else `none` and `some(none)` would be
 * the same `undefined`). From the innermost out, nested options alternate: plain, tagged, plain...
 */
function taggedOption(type: Extract<WitType, { kind: 'option' }>): boolean {
  return type.of.kind === 'option' && !taggedOption(type.of);
}

function caseType(type: Extract<WitType, { kind: 'variant' }>, tag: string): WitType | undefined {
  return type.cases.find((c) => c.name === tag)?.type;
}

/** A function's result as jco's glue returns it: a top-level `result` is its `ok` value, `err` thrown. */
function resultFromJco(type: WitType | undefined, value: unknown, handles: Handles): Value | undefined {
  if (!type) return undefined;
  if (type.kind === 'result')
    return type.ok ? { tag: 'ok', val: fromJco(type.ok, value, handles) } : { tag: 'ok' };
  return fromJco(type, value, handles);
}

/** What a host function hands jco's glue for a result: the `ok` value, or an `err` thrown as `{ payload }`. */
function resultToJco(type: WitType | undefined, value: Value | undefined, handles: Handles): unknown {
  if (!type) return undefined;
  if (type.kind === 'result') {
    const v = value as Tagged;
    if (v.tag === 'err') throw wasiError(type.err ? toJco(type.err, v.val!, handles) : undefined);
    return type.ok ? toJco(type.ok, v.val!, handles) : undefined;
  }
  return toJco(type, value!, handles);
}

// ---------------------------------------------------------------------------------------------
// The kernel (Keel's run path), and jco's glue called directly.

/** Records the core instances made while `run` runs (the kernel makes them through this global). */
function recordingInstances<T>(
  run: () => Promise<T>,
): Promise<{ result: T; instances: WebAssembly.Instance[] }> {
  const Original = WebAssembly.Instance;
  const instances: WebAssembly.Instance[] = [];
  class Recording extends Original {
    constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
      super(module, imports);
      instances.push(this);
    }
  }
  (WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = Recording;
  return run()
    .then((result) => ({ result, instances }))
    .finally(() => {
      (WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = Original;
    });
}

function digestMemories(instances: readonly WebAssembly.Instance[]): string {
  const hash = createHash('sha256');
  const seen = new Set<WebAssembly.Memory>();
  for (const instance of instances) {
    for (const value of Object.values(instance.exports)) {
      if (!(value instanceof WebAssembly.Memory) || seen.has(value)) continue;
      seen.add(value);
      hash.update(new Uint8Array(value.buffer));
      hash.update(`|${value.buffer.byteLength}|`);
    }
  }
  return hash.digest('hex');
}

/** A failure as the kernel classifies it (a wasm trap is `trap`, a TypeError `invalid-argument`, ...). */
function outcomeOfError(error: unknown): CallOutcome {
  const failure = classifyFailure(error, 'call');
  return { ok: false, code: failure.code, message: failure.message };
}

function providerFor(
  component: ComponentUnderTest,
  host: HostImplementation,
  handles: () => Handles,
  linked: (record: Record<string, unknown>) => void,
): CapabilityProvider {
  return {
    name: 'abi-harness',
    interfaces: Object.keys(component.imports ?? {}),
    link: ({ interface: iface }) => {
      const record = hostFunctions(component, host, iface, handles);
      linked(record);
      return record;
    },
  };
}

/** `output-stream` → `OutputStream` (jco's class names). */
function className(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/**
 * The harness's host functions of one interface as jco's glue calls them: functions by their
 * camelCase names, and for each resource of the interface a class (`[constructor]r`,
 * `[method]r.m`, `[static]r.f`; dropping an instance is the host call `[resource-drop]r`).
 * `handles` gives the instance being called (a fresh one per instance).
 */
function hostFunctions(
  component: ComponentUnderTest,
  host: HostImplementation,
  iface: string,
  handles: () => Handles,
): Record<string, unknown> {
  const types = component.imports?.[iface] ?? {};
  const functions = host[iface] ?? {};
  const call = (name: string, args: unknown[]): unknown => {
    const type = types[name]!;
    const fn = functions[name];
    if (!fn) throw new Error(`the harness has no host function ${iface}#${name}`);
    const values = type.params.map((p, i) => fromJco(p.type, args[i], handles()));
    return resultToJco(type.result, fn(values), handles());
  };
  const linked: Record<string, unknown> = {};
  const classes = new Map<string, { new (...args: unknown[]): object }>();
  const classOf = (resource: string) => {
    let cls = classes.get(resource);
    if (!cls) {
      cls = class {
        constructor(...args: unknown[]) {
          const made = call(`[constructor]${resource}`, args) as object;
          // The host function made the resource and named it: this object is that resource.
          handles().bind(resource, handles().fromEngine(resource, made), this);
        }
        [Symbol.dispose](): void {
          if (types[`[resource-drop]${resource}`]) call(`[resource-drop]${resource}`, [this]);
        }
      };
      Object.defineProperty(cls, 'name', { value: className(resource) });
      classes.set(resource, cls);
      linked[className(resource)] = cls;
    }
    return cls;
  };
  for (const name of Object.keys(types)) {
    const ctor = /^\[constructor\](.+)$/.exec(name);
    const method = /^\[method\]([^.]+)\.(.+)$/.exec(name);
    const statik = /^\[static\]([^.]+)\.(.+)$/.exec(name);
    const drop = /^\[resource-drop\](.+)$/.exec(name);
    if (ctor) classOf(ctor[1]!);
    else if (drop) classOf(drop[1]!);
    else if (method) {
      (classOf(method[1]!).prototype as Record<string, unknown>)[camelCase(method[2]!)] = function (
        this: object,
        ...args: unknown[]
      ) {
        return call(name, [this, ...args]);
      };
    } else if (statik) {
      (classOf(statik[1]!) as unknown as Record<string, unknown>)[camelCase(statik[2]!)] = (
        ...args: unknown[]
      ) => call(name, args);
    } else linked[camelCase(name)] = (...args: unknown[]) => call(name, args);
  }
  return linked;
}

/** Registers the host resource classes of linked interfaces with an instance's handles. */
function registerHostClasses(handles: Handles, records: readonly Record<string, unknown>[]): void {
  for (const record of records) {
    for (const value of Object.values(record)) {
      if (typeof value === 'function' && /^[A-Z]/.test(value.name) && Symbol.dispose in value.prototype) {
        handles.hostClasses.set(kebabCase(value.name.charAt(0).toLowerCase() + value.name.slice(1)), value);
      }
    }
  }
}

/**
 * Calls an export taking and returning jco's values; the outcome in the harness's values. The
 * pseudo-export `[resource-drop]r` drops the host's `{ handle: n }` of a guest resource.
 */
function callJco(
  type: FuncType,
  exportName: string,
  args: readonly Value[],
  handles: Handles,
  call: (jcoArgs: unknown[]) => unknown,
): CallOutcome {
  try {
    const drop = /^\[resource-drop\](.+)$/.exec(exportName);
    if (drop) {
      const object = handles.toEngine(drop[1]!, (args[0] as { handle: number }).handle) as Disposable;
      object[Symbol.dispose]();
      return { ok: true, value: undefined };
    }
    const jcoArgs = type.params.map((p, i) => toJco(p.type, args[i]!, handles));
    return { ok: true, value: resultFromJco(type.result, call(jcoArgs), handles) };
  } catch (error) {
    const payload = componentErrorPayload(error);
    if (payload && type.result?.kind === 'result') {
      const err = type.result.err;
      return {
        ok: true,
        value: err ? { tag: 'err', val: fromJco(err, payload.payload, handles) } : { tag: 'err' },
      };
    }
    return outcomeOfError(error);
  }
}

/**
 * The kernel's cache of metered core modules for the corpus, shared by test files and runs on
 * this machine (content-addressed, written atomically): metering a large component takes time.
 */
const KERNEL_CACHE = join(tmpdir(), 'keel-test-cache-abi');

/**
 * Keel's run path: load and spawn in a kernel (metering on, as by default), call through
 * `sandbox.fn` (the typed fast path, the engine's own values).
 */
export function kernelEngine(
  name: string,
  options: Partial<Pick<AbiEngine, 'skips' | 'knownGap'>> = {},
): AbiEngine {
  return {
    name,
    ...(options.skips ? { skips: options.skips } : {}),
    ...(options.knownGap ? { knownGap: options.knownGap } : {}),
    async load(component, host) {
      let handles = new Handles();
      let records: Record<string, unknown>[] = [];
      const provider = providerFor(
        component,
        host,
        () => handles,
        (record) => records.push(record),
      );
      const kernel = new Kernel({ cacheDir: KERNEL_CACHE, providers: [provider] });
      let module: ModuleHandle;
      try {
        module = await kernel.load(component.bytes, { name: component.name });
      } catch (error) {
        await kernel.close();
        throw error;
      }
      return {
        async instantiate() {
          handles = new Handles();
          records = [];
          const { result: sandbox, instances } = await recordingInstances(() =>
            kernel.spawn(module, {
              grants: [...provider.interfaces, ...(component.grants ?? [])],
              // Imports the corpus never calls (WASI a toolchain links in) fail only if called.
              ...(component.grants ? { denial: 'call' as const } : {}),
            }),
          );
          registerHostClasses(handles, records);
          return kernelInstance(component, sandbox, instances, handles);
        },
        close: () => kernel.close(),
      };
    },
  };
}

function kernelInstance(
  component: ComponentUnderTest,
  sandbox: Sandbox,
  instances: readonly WebAssembly.Instance[],
  handles: Handles,
): EngineInstance {
  return {
    call(exportName, args) {
      const type = component.exports[exportName];
      if (!type) throw new Error(`${component.name} declares no export ${exportName}`);
      return callJco(type, exportName, args, handles, (jcoArgs) => sandbox.fn(exportName)(...jcoArgs));
    },
    memoryDigest: () => digestMemories(instances),
  };
}

// ---------------------------------------------------------------------------------------------
// Keel's own canonical ABI (host/abi), on its own: the plan and the instance, without the kernel.

/**
 * host/abi's `ComponentInstance` called directly: planned and instantiated without the kernel
 * (no metering, no grants), with the same JavaScript values as jco's glue. `kernelEngine`
 * covers it through the kernel.
 */
export function hostAbiEngine(
  name = 'host/abi',
  options: Partial<Pick<AbiEngine, 'knownGap'>> = {},
): AbiEngine {
  return {
    name,
    skips: (component) =>
      component.grants ? 'host/abi on its own has no WASI providers (the kernel links them)' : undefined,
    ...(options.knownGap ? { knownGap: options.knownGap } : {}),
    async load(component, host) {
      let plan: ComponentPlan;
      try {
        plan = planComponent(component.bytes);
      } catch (error) {
        throw isKeelError(error) ? error : new KeelError('invalid-module', String(error));
      }
      const modules = await Promise.all(
        plan.modules.map((m) => WebAssembly.compile(m.bytes as Uint8Array<ArrayBuffer>)),
      );
      let handles = new Handles();
      const imports = Object.fromEntries(
        Object.keys(component.imports ?? {}).map((iface) => [
          iface,
          hostFunctions(component, host, iface, () => handles),
        ]),
      );
      return {
        async instantiate() {
          handles = new Handles();
          registerHostClasses(handles, Object.values(imports));
          const instances: WebAssembly.Instance[] = [];
          const instance = new ComponentInstance(plan, modules, {
            imports,
            instantiateCore: (module, coreImports) => {
              const core = new WebAssembly.Instance(module, coreImports);
              instances.push(core);
              return core;
            },
            bytes: {
              maxCallBytes: 2 ** 32,
              maxHostArgBytes: 2 ** 32,
              charge: () => {},
              chargeCall: () => {},
            },
            handles: handleLimitCounter(10_000),
          });
          const current = handles;
          return {
            call(exportName, args) {
              const type = component.exports[exportName];
              if (!type) throw new Error(`${component.name} declares no export ${exportName}`);
              return callJco(type, exportName, args, current, (jcoArgs) => {
                const target = instance.exportFunction(exportName);
                if (!target) throw new KeelError('no-such-target', `no export ${exportName}`);
                return target.fn(...jcoArgs);
              });
            },
            memoryDigest: () => digestMemories(instances),
          };
        },
        close: async () => {},
      };
    },
  };
}

/**
 * jco's output for the corpus, shared by test files and runs on this machine: transpiling the
 * 11 MB componentize-js guest takes 8 s of CPU (40 s at load 27) in every run of
 * differential.test.ts, and jco is the reference, not what is tested. Keyed by the bytes, the
 * generator, both jco packages' versions and bench/lib/transpile.ts's text (its options); an
 * entry is written whole (renamed into place) and its core modules are checked against their
 * digests when read, so an altered entry is transpiled again. A refusal is not kept.
 */
const JCO_CACHE = join(tmpdir(), 'keel-test-cache-jco');
const ROOT = join(import.meta.dirname, '../..');

function transpileKey(bytes: Uint8Array, generator: GeneratorId): string {
  const hash = createHash('sha256');
  hash.update(`${generator}\0`);
  for (const pkg of ['jco', 'jco-transpile']) {
    hash.update(readFileSync(join(ROOT, 'node_modules/@bytecodealliance', pkg, 'package.json')));
  }
  hash.update(readFileSync(join(ROOT, 'bench/lib/transpile.ts')));
  hash.update(bytes);
  return hash.digest('hex');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

type CachedOutput = Omit<TranspileOutput, 'coreModules'> & { coreModules: Record<string, string> };

/**
 * Whether JCO_CACHE is this user's own directory, not a link, that no one else may write (made 0700):
 * the glue read from it is run (`import`), so a directory another local user made first, or one
 * others may write, would run their code as whoever runs the tests (review15). Not private: no
 * cache, every transpile afresh.
 */
let jcoCachePrivate: boolean | undefined;
function privateJcoCache(): boolean {
  if (jcoCachePrivate !== undefined) return jcoCachePrivate;
  try {
    mkdirSync(JCO_CACHE, { recursive: true, mode: 0o700 });
    const stat = lstatSync(JCO_CACHE);
    jcoCachePrivate =
      stat.isDirectory() && (stat.mode & 0o022) === 0 && stat.uid === (process.getuid?.() ?? stat.uid);
  } catch {
    jcoCachePrivate = false;
  }
  return jcoCachePrivate;
}

async function cachedTranspile(bytes: Uint8Array, generator: GeneratorId): Promise<TranspileOutput> {
  if (!privateJcoCache()) return transpileComponent(bytes, { generator });
  const dir = join(JCO_CACHE, transpileKey(bytes, generator));
  try {
    const kept = JSON.parse(readFileSync(join(dir, 'output.json'), 'utf8')) as CachedOutput;
    const coreModules: Record<string, Uint8Array> = {};
    Object.entries(kept.coreModules).forEach(([file, digest], index) => {
      const core = new Uint8Array(readFileSync(join(dir, `${index}.wasm`)));
      if (sha256(core) !== digest) throw new Error(`${dir}: ${file} does not match its digest`);
      coreModules[file] = core;
    });
    return { ...kept, coreModules };
  } catch {
    // No entry yet, or an altered one (removed, so that the fresh output can take its place).
    rmSync(dir, { recursive: true, force: true });
  }
  const output = await transpileComponent(bytes, { generator });
  const partial = `${dir}.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    mkdirSync(partial, { recursive: true });
    const digests: Record<string, string> = {};
    Object.entries(output.coreModules).forEach(([file, core], index) => {
      writeFileSync(join(partial, `${index}.wasm`), core);
      digests[file] = sha256(core);
    });
    writeFileSync(join(partial, 'output.json'), JSON.stringify({ ...output, coreModules: digests }));
    renameSync(partial, dir);
  } catch {
    // Another process wrote the entry first, or the disk refused: the output in hand is used.
    rmSync(partial, { recursive: true, force: true });
  }
  return output;
}

/**
 * jco's generated glue, called directly (never on Keel's run path: it is code made from the
 * component): the reference the value conventions come from. The glue is transpiled, imported
 * and instantiated with the harness's host functions, as a jco user does.
 */
export function jcoEngine(
  name: string,
  generator: GeneratorId,
  options: Partial<Pick<AbiEngine, 'skips' | 'knownGap'>> = {},
): AbiEngine {
  return {
    name,
    ...(options.skips ? { skips: options.skips } : {}),
    ...(options.knownGap ? { knownGap: options.knownGap } : {}),
    async load(component, host) {
      let output: Awaited<ReturnType<typeof transpileComponent>>;
      try {
        output = await cachedTranspile(component.bytes, generator);
      } catch (error) {
        throw isKeelError(error) ? error : new KeelError('invalid-module', String(error));
      }
      const url = `data:text/javascript;base64,${Buffer.from(output.glue).toString('base64')}`;
      const instantiate = ((await import(url)) as { instantiate: GlueInstantiate }).instantiate;
      const cores = new Map<string, WebAssembly.Module>();
      for (const [file, core] of Object.entries(output.coreModules)) {
        cores.set(file, await WebAssembly.compile(core as Uint8Array<ArrayBuffer>));
      }
      let handles = new Handles();
      const imports = Object.fromEntries(
        output.imports.map((spec) => [
          spec,
          hostFunctions(component, host, spec.replace(/@.*$/, ''), () => handles),
        ]),
      );
      return {
        async instantiate() {
          handles = new Handles();
          registerHostClasses(handles, Object.values(imports));
          const instances: WebAssembly.Instance[] = [];
          const exports = instantiate(
            (file) => cores.get(file)!,
            imports,
            (module, coreImports) => {
              const core = new WebAssembly.Instance(module, coreImports);
              instances.push(core);
              return core;
            },
          );
          const current = handles;
          return {
            call(exportName, args) {
              const type = component.exports[exportName];
              if (!type) throw new Error(`${component.name} declares no export ${exportName}`);
              return callJco(type, exportName, args, current, (jcoArgs) => {
                const fn = jcoExport(exports, exportName);
                if (!fn) throw new KeelError('no-such-target', `no export ${exportName}`);
                return fn(...jcoArgs);
              });
            },
            memoryDigest: () => digestMemories(instances),
          };
        },
        close: async () => {},
      };
    },
  };
}

/** An export of jco's glue by the name a caller uses: `f`, `pkg:ns/iface#f` (version optional). */
function jcoExport(
  exports: Record<string, unknown>,
  exportName: string,
): ((...args: unknown[]) => unknown) | undefined {
  const hash = exportName.lastIndexOf('#');
  if (hash < 0) return exports[camelCase(exportName)] as ((...args: unknown[]) => unknown) | undefined;
  const iface = exportName.slice(0, hash);
  const key = Object.keys(exports).find((k) => k === iface || k.replace(/@.*$/, '') === iface);
  const instance = key ? (exports[key] as Record<string, unknown>) : undefined;
  return instance?.[camelCase(exportName.slice(hash + 1))] as ((...args: unknown[]) => unknown) | undefined;
}

/**
 * What neither of jco's generators runs: latin1+utf16 (both refuse it at load; differential.test.ts
 * checks that they do), and a string passed from one component instance to another both in utf16
 * (jco 1.12 panics at load, "not implemented: utf16 copier": random-composed.test.ts checks that it does).
 */
const jcoRefuses = (component: ComponentUnderTest) =>
  component.features?.includes('latin1+utf16')
    ? "jco's generators refuse latin1+utf16 at load"
    : component.features?.includes('utf16-to-utf16-adapter')
      ? "jco's generators panic at load on a utf16 string passed between two utf16 component instances"
      : undefined;

/**
 * Where jco's glue departs from the canonical ABI: it refuses a flat integer result with bits
 * set above its type's width (the ABI ignores them) and a bool other than 0 or 1 (the ABI lifts
 * any non-zero as true), with a TypeError that the kernel reports as `invalid-argument`; and it
 * sign-extends the bits of a negative f32 where a variant joins it into an i64.
 */
function jcoGap(
  component: ComponentUnderTest,
  exportName: string,
  args: readonly Value[],
): string | undefined {
  if (/#\[(constructor|method|static)\]/.test(exportName)) {
    return "the harness finds jco's exports by function name: a resource's constructor, methods and static functions are members of jco's classes";
  }
  if (component.name !== 'layout.wat') return undefined;
  const payload = (args[0] as Tagged | undefined)?.val;
  const signBit = typeof payload === 'number' && (payload < 0 || Object.is(payload, -0));
  if (exportName === 'joined-raw' && signBit) {
    return 'jco sign-extends an f32 joined into an i64 slot (the canonical ABI zero-extends its bits)';
  }
  if (exportName === 'bool-two') return 'jco refuses a bool of 2 (the canonical ABI lifts it as true)';
  if (/^[us](8|16)-wide$/.test(exportName))
    return 'jco refuses high bits above a small integer (the canonical ABI ignores them)';
  return undefined;
}

/**
 * The engines the harness runs: Keel's run path (the kernel, through host/abi), host/abi on
 * its own, and jco 1.12's glue called directly (the reference); with KEEL_ABI_ENGINES=all,
 * also jco-transpile's glue.
 */
export const ENGINES: readonly AbiEngine[] = [
  kernelEngine('kernel'),
  hostAbiEngine('host/abi'),
  jcoEngine('jco-1.12', 'jco-1.12.0', { skips: jcoRefuses, knownGap: jcoGap }),
  // A second generator of glue, slower to load: on demand (KEEL_ABI_ENGINES=all).
  ...(process.env.KEEL_ABI_ENGINES === 'all'
    ? [jcoEngine('jco-transpile', 'jco-transpile-0.3.9', { skips: jcoRefuses, knownGap: jcoGap })]
    : []),
];
