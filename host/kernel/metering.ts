/**
 * Keel's metering pass in the kernel: the loader hook that rewrites every core module, and the
 * per-sandbox runtime (one fuel counter, the memory and table limits) linked into each of a
 * sandbox's core instances under the reserved `keel` import namespace, with the events it
 * reports (`memory:limit`, `table:limit`).
 */
import { type HostMark, hostThrew, markHost } from '../abi/handles.js';
import type { EventBus } from '../events/bus.js';
import { EVENTS } from '../events/names.js';
import type { EventInput } from '../events/record.js';
import { type CoreModuleHook, type LoadedModule, validateCore } from '../loader/loader.js';
import {
  checkInitialLimits,
  createMeterHook,
  createMeterRuntime,
  describeMemoryLimit,
  KEEL_MODULE,
  MAX_MEMORY_PAGES,
  type MemoryLayout,
  type MeterInfo,
  type MeterLimits,
  type MeterOptions,
  type MeterRuntime,
  PAGE_BYTES,
  readMeterInfo,
} from '../meter/index.js';
import { KeelError } from './errors.js';
import type { Limits } from './limits.js';
import { oncePer } from './once-per.js';

export type { MeterOptions, MeterRuntime };

/** What `memory.grow` / `table.grow` past a limit does: return -1 (the spec's answer) or fail the call. */
export type GrowFailure = 'return-minus-one' | 'error';

/** The hook with the default options and no embedder's hook: made once (its id digests the cost model). */
let defaultHook: CoreModuleHook | undefined;

/**
 * The metering hook, after an embedder's own hook when there is one. `options` undefined: the
 * defaults (the same hook object for every kernel).
 */
export function meteringHook(options: MeterOptions | undefined, before?: CoreModuleHook): CoreModuleHook {
  if (options === undefined && before === undefined) {
    defaultHook ??= meteringHook({});
    return defaultHook;
  }
  const meter = createMeterHook(options ?? {});
  return {
    id: before ? `${before.id}>${meter.id}` : meter.id,
    transform: (bytes, context) => {
      if (!before) return meter.transform(bytes, context);
      // The loader validated the input of the chain, not what the embedder's hook made of it, and
      // the meter needs valid input (an invalid local write can come out as one of its counter).
      const hooked = before.transform(bytes, context);
      validateCore(hooked, `made by coreHook ${JSON.stringify(before.id)}`);
      return meter.transform(hooked, context);
    },
    transformSole: (bytes, context) => {
      if (!before) return meter.transformSole!(bytes, context);
      const hooked = before.transform(bytes, { file: context.file, kind: context.kind });
      validateCore(hooked, `made by coreHook ${JSON.stringify(before.id)}`);
      return meter.transformSole!(hooked, context);
    },
    describe: (bytes) => readMeterInfo(bytes),
    // The meter's output either way (whichever hook ran before it).
    defineCounter: (output) => meter.defineCounter!(output),
    // What `transform` returns is the meter's output, whichever hook ran before it.
    release: (output) => meter.release?.(output),
  };
}

export interface SandboxMeterEvents {
  onMemoryLimit(requestedPages: number): void;
  onTableLimit(requested: number): void;
  /** A fuel slice ran out: throw to stop the guest (its deadline passed). */
  onSlice(): void;
  /** The guest ran out of fuel (see `MeterEvents.onExhausted`). */
  onExhausted(): void;
}

/**
 * A module's linear memories as one sandbox of it has them: every core instance's own, each
 * counted once (a memory an instance imports from another is the other's), the layout the
 * meter counts `memory.grow` by, their number and their initial total.
 */
export interface SandboxMemories {
  readonly layout: MemoryLayout;
  /** Memories the sandbox's instances define (and, for a core module, import). */
  readonly count: number;
  /** Their initial sizes together, in pages. */
  readonly initialPages: number;
  /**
   * Tables the sandbox's instances define (and, for a core module, import): each is host memory
   * of up to `tableElements` elements, so their number is a limit too (`limits.tables`).
   */
  readonly tables: number;
}

/** Worked out once per module from its plan and its core modules' facts (none when unmetered). */
export const sandboxMemories = oncePer((module: LoadedModule): SandboxMemories | undefined => {
  const plan = module.plan;
  const facts = (file: string) => module.coreFacts.get(file) as MeterInfo | undefined;
  const slotOf: number[] = [];
  const initial: number[] = [];
  const maximum: number[] = [];
  let shared = -1;
  let count = 0;
  let tables = 0;
  const sharedSlot = () => {
    if (shared < 0) {
      shared = initial.push(0) - 1;
      maximum.push(MAX_MEMORY_PAGES);
    }
    return shared;
  };
  const own = (m: { initial: number; maximum: number | undefined }) => {
    count++;
    maximum.push(Math.min(m.maximum ?? MAX_MEMORY_PAGES, MAX_MEMORY_PAGES));
    return initial.push(m.initial) - 1;
  };
  if (!plan) {
    const info = facts([...module.coreFacts.keys()][0] ?? '');
    if (!info) return undefined;
    // A core module: its memories, imported ones too (the embedder's, at their declared minimum).
    tables = info.tables.length;
    const memories = info.memories;
    if (memories.length === 1) slotOf.push(own(memories[0]!));
    else {
      slotOf.push(memories.length === 0 ? -1 : sharedSlot());
      for (const m of memories) {
        count++;
        initial[shared] = initial[shared]! + m.initial;
      }
    }
    return finish();
  }
  // Per instance: its module's memories, and which instance defines a memory it imports.
  const memoriesOf: (MeterInfo['memories'] | undefined)[] = [];
  for (const step of plan.instantiations) {
    const m = plan.modules[step.module]!;
    const info = facts(m.file);
    if (!info) return undefined;
    memoriesOf.push(info.memories);
    for (const t of info.tables) if (!t.imported) tables++;
    const defined = info.memories.filter((x) => !x.imported);
    if (info.memories.length === 0) slotOf.push(-1);
    else if (info.memories.length === 1 && defined.length === 1) slotOf.push(own(defined[0]!));
    else if (info.memories.length === 1) slotOf.push(importedSlot(step, m.info.imports));
    else {
      slotOf.push(sharedSlot());
      for (const d of defined) {
        count++;
        initial[shared] = initial[shared]! + d.initial;
      }
    }
  }
  return finish();

  /** The slot of the one memory an instance imports: its definer's, when that has only one. */
  function importedSlot(
    step: ComponentPlanStep,
    imports: readonly { module: string; name: string; kind: string }[],
  ): number {
    const imp = imports.find((i) => i.kind === 'memory');
    const arg = imp && step.args.find(([name]) => name === imp.module)?.[1];
    let from: number | undefined;
    if (arg?.kind === 'instance') from = arg.index;
    else if (arg?.kind === 'bag') {
      const def = arg.exports.find(([name]) => name === imp!.name)?.[1];
      if (def?.kind === 'export') from = def.instance;
    }
    const slot = from === undefined ? undefined : slotOf[from];
    return slot !== undefined && slot >= 0 && memoriesOf[from!]?.length === 1 ? slot : sharedSlot();
  }

  function finish(): SandboxMemories {
    let initialPages = 0;
    for (const pages of initial) initialPages += pages;
    return { layout: { slotOf, initial, maximum, shared }, count, initialPages, tables };
  }
});

type ComponentPlanStep = NonNullable<LoadedModule['plan']>['instantiations'][number];

/**
 * One sandbox's meter. Refuses the spawn (memory-limit / table-limit) when a core module starts
 * above the sandbox's limits, when its memories together start above its memory limit or are
 * more than its `memories` limit, before anything is instantiated.
 */
export function sandboxMeter(
  facts: Iterable<unknown>,
  limits: Limits,
  growFailure: GrowFailure,
  events: SandboxMeterEvents,
  memories?: SandboxMemories,
): MeterRuntime {
  for (const info of facts) checkInitialLimits(info as MeterInfo, limits);
  if (memories) checkSandboxMemories(memories, limits);
  return createMeterRuntime(meterLimits(limits, growFailure, memories), events);
}

/**
 * A sandbox's memories and tables together against its limits: the number of tables, of
 * memories, then the memories' initial total.
 */
export function checkSandboxMemories(memories: SandboxMemories, limits: Limits): void {
  if (memories.tables > limits.tables) {
    throw new KeelError(
      'table-limit',
      `the module's instances have ${memories.tables} tables, over the sandbox's limit of ${limits.tables} (limits.tables): every table is host memory, up to ${limits.tableElements} elements each`,
      { limit: 'tables', tables: memories.tables, max: limits.tables },
    );
  }
  if (memories.count > limits.memories) {
    throw new KeelError(
      'memory-limit',
      `the module's instances have ${memories.count} linear memories, over the sandbox's limit of ${limits.memories} (limits.memories): every memory reserves host address space, even an empty one`,
      { limit: 'memories', memories: memories.count, max: limits.memories },
    );
  }
  const limitPages = Math.floor(limits.memoryBytes / PAGE_BYTES);
  if (memories.initialPages > limitPages) {
    throw new KeelError(
      'memory-limit',
      `the module's ${memories.count} linear memories start at ${memories.initialPages} pages together (${memories.initialPages * PAGE_BYTES} bytes), over the sandbox's ${describeMemoryLimit(limits.memoryBytes)}`,
      { limit: 'memoryBytes', requestedPages: memories.initialPages, limitPages },
    );
  }
}

/**
 * The meter's limits of frozen sandbox limits (the kernel's, shared by every spawn that changes
 * none), made once per module's memories (its layout) and grow failure.
 */
const sharedMeterLimits = new WeakMap<Limits, WeakMap<object, Partial<Record<GrowFailure, MeterLimits>>>>();
/** The key of a module without memories to count (unmetered facts). */
const NO_MEMORIES = {};

function meterLimits(limits: Limits, growFailure: GrowFailure, memories?: SandboxMemories): MeterLimits {
  const key = memories ?? NO_MEMORIES;
  const cached = sharedMeterLimits.get(limits)?.get(key)?.[growFailure];
  if (cached) return cached;
  const made: MeterLimits = Object.freeze({
    fuel: Math.min(limits.fuel, limits.fuelTotal),
    memoryBytes: limits.memoryBytes,
    tableElements: limits.tableElements,
    growFailure,
    ...(memories ? { layout: memories.layout } : {}),
  });
  if (Object.isFrozen(limits)) {
    let byModule = sharedMeterLimits.get(limits);
    if (!byModule) {
      byModule = new WeakMap();
      sharedMeterLimits.set(limits, byModule);
    }
    const byFailure = byModule.get(key) ?? {};
    byFailure[growFailure] = made;
    byModule.set(key, byFailure);
  }
  return made;
}

/** The `keel` namespace added to every core instance's imports. */
export function withMeterImports(
  imports: WebAssembly.Imports | undefined,
  meter: MeterRuntime,
): WebAssembly.Imports {
  // Copied into an object without a prototype, not with Object.assign: module names come from
  // the guest, and an assignment into an ordinary object would set the prototype for one named
  // `__proto__` instead of copying it (test/hostile/caps); into this one it is an own property
  // like any other. Not an object literal that opens with a spread either: Node 20's V8 defines
  // every property after one on a slow path (microseconds a spawn).
  // A record without a prototype is made for this one instantiation (a component instance's,
  // `ComponentLink.instantiateCore`, or a spawn's own from `buildImports`): added to, not copied.
  if (imports && Object.getPrototypeOf(imports) === null) {
    imports[KEEL_MODULE] = meter.imports.keel as WebAssembly.ModuleImports;
    return imports;
  }
  const out: WebAssembly.Imports = Object.create(null);
  if (imports) for (const name of Object.keys(imports)) out[name] = imports[name]!;
  out[KEEL_MODULE] = meter.imports.keel as WebAssembly.ModuleImports;
  return out;
}

type LimitEvent = typeof EVENTS.memoryLimit | typeof EVENTS.tableLimit;

/** A sandbox's meter events, and how to report one of them (the spawn's refusal uses it too). */
export interface LimitEvents extends Omit<SandboxMeterEvents, 'onSlice' | 'onExhausted'> {
  emit(event: LimitEvent, data: Record<string, unknown>): void;
}

/** What the meter needs of its sandbox, once it exists. */
export interface MeteredSandbox {
  /** Its fast path's word, which the guest's calls of the meter's imports mark (`markHost`). */
  readonly deadline: HostMark;
  emit(event: Omit<EventInput, 'sandbox'>): void;
  checkDeadline(): void;
  /** Its guest ran out of fuel (its fast path reads this instead of the meter after each call). */
  outOfFuel(): void;
}

/**
 * The `memory:limit` / `table:limit` events of a sandbox's meter (inline, or in its worker):
 * the sandbox's own (its ids, its event budget) once it exists (`sandbox`, set by the kernel
 * when it is made), the bus's before; and, for an inline meter, a look at the sandbox's deadline
 * at the end of each slice of fuel. One object with its methods on the prototype, not a
 * closure each (spawn time and idle memory).
 */
export class SandboxLimitEvents implements LimitEvents, SandboxMeterEvents {
  sandbox: MeteredSandbox | undefined;
  readonly #bus: EventBus;
  readonly #id: string;
  readonly #name: string;
  readonly #limits: Limits;

  constructor(bus: EventBus, id: string, name: string, limits: Limits, sandbox?: MeteredSandbox) {
    this.#bus = bus;
    this.#id = id;
    this.#name = name;
    this.#limits = limits;
    this.sandbox = sandbox;
  }

  emit(event: LimitEvent, data: Record<string, unknown>): void {
    const target = this.sandbox;
    if (target) target.emit({ event, level: 'warn', status: 'denied', data });
    else
      this.#bus.emit({ event, level: 'warn', status: 'denied', sandbox: this.#id, module: this.#name, data });
  }

  onMemoryLimit(requestedPages: number): void {
    this.emit(EVENTS.memoryLimit, {
      requestedBytes: requestedPages * 65536,
      limitBytes: this.#limits.memoryBytes,
    });
  }

  onTableLimit(requested: number): void {
    this.emit(EVENTS.tableLimit, { requested, limit: this.#limits.tableElements });
  }

  /** Each slice of fuel ends with a look at the clock: a compute loop stops within a slice of its call's deadline. */
  onSlice(): void {
    this.sandbox?.checkDeadline();
  }

  onExhausted(): void {
    this.sandbox?.outOfFuel();
  }

  /**
   * The guest called a meter import: its fast-path call, if the common one, has reached host
   * code (`markHost`), before the slice's reading of the deadline, an exhaustion or a limit's
   * event (an observer may call the sandbox; a guest may catch the fuel error and call the host).
   */
  onHostEntry(): void {
    const target = this.sandbox;
    if (target) markHost(target.deadline);
  }

  /** A grow's error thrown into the guest: kept on the sandbox's gate word (`hostThrew`). */
  onHostThrew(error: unknown): unknown {
    const target = this.sandbox;
    return target ? hostThrew(target.deadline, error) : error;
  }
}

/**
 * A spawn's meter: `sandboxMeter` with the sandbox's limit events, and a look at its deadline at
 * the end of each slice. A memory or table that starts above the limits is reported
 * (`memory:limit`, `table:limit` at `spawn`) and refuses the spawn.
 */
export function spawnMeter(
  facts: Iterable<unknown>,
  limits: Limits,
  growFailure: GrowFailure,
  events: SandboxLimitEvents,
  memories?: SandboxMemories,
): MeterRuntime {
  try {
    return sandboxMeter(facts, limits, growFailure, events, memories);
  } catch (error) {
    if (error instanceof KeelError && (error.code === 'memory-limit' || error.code === 'table-limit')) {
      events.emit(error.code === 'memory-limit' ? EVENTS.memoryLimit : EVENTS.tableLimit, {
        at: 'spawn',
        ...error.details,
      });
    }
    throw error;
  }
}
