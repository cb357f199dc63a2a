/**
 * The kernel: the sandbox table, the module registry, the capability gate and the event bus.
 * It enforces grants and limits; who gets what is decided by its embedder (options, approval
 * hooks). It holds no process-global state: two kernels in one process share nothing.
 *
 * This file is the kernel's syscalls (load, needs, mount, spawn, close) and the sandbox table;
 * what they use lives beside it: the options (`options.ts`), a spawn's capability plan
 * (`grant-plan.ts`), the imports (`linker.ts`, `preview1.ts`), the meter (`metering.ts`), the
 * instances (`instantiate.ts`), the sandbox itself (`sandbox.ts`).
 */
import { basename } from 'node:path';
import { hostThrew } from '../abi/handles.js';
import { PLANNER_FINGERPRINT } from '../abi/plan-fingerprint.js';
import { DEFAULT_HOST_COSTS, type SandboxContext, type SandboxIo } from '../caps/provider.js';
import { EventBus, type EventHook, type EventPattern, type SubscribeOptions } from '../events/bus.js';
import { JsonlSink, type JsonlSinkStats } from '../events/jsonl.js';
import { EVENTS } from '../events/names.js';
import { Redactor } from '../events/redact.js';
import { overHeapShare, WorkerPool } from '../isolate/pool.js';
import { WorkerSandbox } from '../isolate/worker-sandbox.js';
import { defaultCacheDir } from '../loader/disk-cache.js';
import { readModuleFile } from '../loader/files.js';
import { type LoadedModule, Loader, type LoaderStats } from '../loader/loader.js';
import { type Grant, normalizeGrant } from '../policy/grants.js';
import { checkSandboxSched, Scheduler } from '../sched/scheduler.js';
import { KeelError } from './errors.js';
import { checkExportTypes } from './export-types.js';
import {
  deniedCall,
  moduleNeeds,
  type PlanContext,
  planLinks,
  refuseAtSpawn,
  refusePreview1,
  registerSecrets,
} from './grant-plan.js';
import { IdSource, newSessionId } from './ids.js';
import { checkImportTypes, untypedImports } from './import-types.js';
import { type InlineLinks, instantiateInline, remoteExports, spawnFailure } from './instantiate.js';
import { callBytesOf, type Limits, resolveLimits, resolveModuleCache } from './limits.js';
import { buildImports, type PlannedLink, ProviderRegistry, type Requirement } from './linker.js';
import {
  type GrowFailure,
  type MeterRuntime,
  meteringHook,
  SandboxLimitEvents,
  sandboxMemories,
  spawnMeter,
} from './metering.js';
import { loadedModule, ModuleHandle } from './module.js';
import { MountTable } from './mounts.js';
import {
  type Denial,
  type KernelOptions,
  type LoadOptions,
  type ModuleNeed,
  type SandboxPlacement,
  type SpawnOptions,
  sinkOptions,
} from './options.js';
import { isNativePreview1, linkPreview1Imports } from './preview1.js';
import { Sandbox } from './sandbox.js';

export type {
  Denial,
  KernelOptions,
  LoadOptions,
  ModuleNeed,
  SandboxPlacement,
  SpawnOptions,
} from './options.js';

/** The io of every spawn that gives none (frozen, shared: providers only read it). */
const NO_IO: SandboxIo = Object.freeze({});

export class Kernel {
  readonly session: string;
  readonly events: EventBus;
  readonly limits: Readonly<Limits>;
  /** Mailboxes, topics, signals, supervision and the delivery loop. */
  readonly sched: Scheduler;
  readonly #loader: Loader;
  readonly #providers: ProviderRegistry;
  readonly #ids = new IdSource();
  readonly #sandboxes = new Map<string, Sandbox>();
  readonly #mounts = new MountTable();
  readonly #options: KernelOptions;
  readonly #sink: JsonlSink | undefined;
  readonly #seed: bigint;
  readonly #deterministic: boolean;
  /** Keel's own directories that no grant may let a guest write (its cache: Keel runs what it holds). */
  readonly #protectedPaths: readonly string[];
  #closed = false;
  #workers: WorkerPool | undefined;
  /** What the plan consults (grant-plan.ts): the same for every spawn. */
  #plan: PlanContext | undefined;
  /**
   * The sandbox that ended last, kept until another ends or the kernel closes. V8 holds a class's
   * hidden classes only through objects that have them: with every sandbox ended, full
   * collections dropped the maps of a sandbox's parts (its `Sandbox`, meter, events, export
   * table, ...) and the optimized spawn and call code that checks them, which the next spawns
   * ran without while V8 compiled it again (104 'weak objects' deoptimizations in 9 samples of
   * the bench's spawn, none with this). An ended sandbox no longer reaches its guest's instance or
   * memory: a few KB (bench/results/perf-spawn-2026-12-06-8.md).
   */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held, never read: holding it is its use
  #lastEnded: Sandbox | undefined;
  /** A sandbox ended: out of the table, and the scheduler told (one function for all sandboxes). */
  readonly #ended = (sandbox: Sandbox): void => {
    this.#sandboxes.delete(sandbox.id);
    this.sched.ended(sandbox);
    if (!this.#closed) this.#lastEnded = sandbox;
  };

  constructor(options: KernelOptions = {}) {
    const untyped = untypedProviders(options);
    this.#options = options;
    this.#deterministic = options.deterministic !== undefined && options.deterministic !== false;
    this.#seed = BigInt(typeof options.deterministic === 'object' ? (options.deterministic.seed ?? 0) : 0);
    this.session = newSessionId(this.#deterministic);
    this.limits = Object.freeze(resolveLimits(options.limits));
    this.events = new EventBus({ session: this.session, redactor: new Redactor(options.redact) });
    this.#providers = new ProviderRegistry([
      ...(options.builtinProviders ?? []),
      ...(options.providers ?? []),
    ]);
    this.#loader = new Loader({
      maxModuleBytes: this.limits.moduleBytes,
      memoryCache: resolveModuleCache(options.moduleCache),
      cacheDir: options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir,
      coreHook:
        options.metering === false ? options.coreHook : meteringHook(options.metering, options.coreHook),
      preview1: options.preview1,
      planFingerprint: PLANNER_FINGERPRINT,
    });
    this.#protectedPaths = Object.freeze(this.#loader.cacheDir === undefined ? [] : [this.#loader.cacheDir]);
    this.sched = new Scheduler({
      bus: this.events,
      limits: this.limits,
      deterministic: this.#deterministic,
      ...(options.sched ? { options: options.sched } : {}),
      spawn: (target, spawnOptions) => this.spawn(target, spawnOptions),
      mount: (path, module) => this.mount(path, module),
      sandbox: (id) => this.#sandboxes.get(id),
    });
    this.#sink =
      options.log === undefined ? undefined : new JsonlSink(sinkOptions(options.log)).attach(this.events);
    this.events.emit(
      untyped.length === 0
        ? { event: EVENTS.kernelStart, data: { deterministic: this.#deterministic } }
        : {
            event: EVENTS.kernelStart,
            level: 'warn',
            data: { deterministic: this.#deterministic, untyped_providers: untyped },
          },
    );
  }

  /** Subscribe a hook to events. Returns the unsubscribe function. */
  on(pattern: EventPattern, hook: EventHook, options?: SubscribeOptions): () => void {
    return this.events.subscribe(pattern, hook, options);
  }

  /** The JSONL log's counters (lines written and dropped, bytes buffered, its failure), when there is a log. */
  get logStats(): JsonlSinkStats | undefined {
    return this.#sink?.stats;
  }

  /** Loader counters (plans, cache hits, compiles). */
  get loaderStats(): Readonly<LoaderStats> {
    return this.#loader.stats;
  }

  get cacheDir(): string | undefined {
    return this.#loader.cacheDir;
  }

  /** Load a module from bytes or a file path: validated, wrapped, planned, compiled. */
  async load(source: Uint8Array | string, options: LoadOptions = {}): Promise<ModuleHandle> {
    this.#checkOpen();
    const started = performance.now();
    const bytes = typeof source === 'string' ? await readModuleFile(source, this.limits.moduleBytes) : source;
    const id = this.#ids.module();
    const name = options.name ?? (typeof source === 'string' ? basename(source).replace(/\.wasm$/, '') : id);
    try {
      const loaded = await this.#loader.load(bytes);
      checkExportTypes(loaded, name);
      const handle = new ModuleHandle(id, name, loaded);
      this.events.emit({
        event: EVENTS.moduleLoad,
        module: name,
        status: 'ok',
        duration_ms: performance.now() - started,
        data: {
          id,
          kind: loaded.kind,
          hash: loaded.hash,
          size: loaded.size,
          // Where the rewritten modules came from depends on the host's cache, not on the run:
          // left out of deterministic logs so that a replay matches.
          ...(this.#deterministic
            ? {}
            : { cache: loaded.cache, ...(loaded.planCache ? { plan_cache: loaded.planCache } : {}) }),
        },
      });
      return handle;
    } catch (error) {
      const failure = error instanceof KeelError ? error : new KeelError('invalid-module', String(error));
      this.events.emit({
        event: EVENTS.moduleLoad,
        level: 'error',
        module: name,
        status: 'error',
        duration_ms: performance.now() - started,
        error: failure.toJSON(),
      });
      throw failure;
    }
  }

  /**
   * What a module needs linked, and how each need would be met: without a grant (it confers no
   * authority), by a grant (a provider serves it), or not at all (nothing serves it).
   */
  needs(module: ModuleHandle): ModuleNeed[] {
    return moduleNeeds(this.#providers, loadedModule(module));
  }

  /** Mount a module at a path (several modules per path are allowed). */
  mount(path: string, module: ModuleHandle): void {
    this.#mounts.mount(path, module);
  }

  /** Unmount one module from a path, or every module there. */
  unmount(path: string, module?: ModuleHandle): void {
    for (const removed of this.#mounts.unmount(path, module)) {
      this.events.emit({ event: EVENTS.moduleUnload, module: removed.name, data: { path, id: removed.id } });
    }
  }

  /** Modules mounted at a path (most recent last). */
  mounted(path: string): readonly ModuleHandle[] {
    return this.#mounts.get(path);
  }

  /** The sandboxes alive in this kernel. */
  get sandboxes(): readonly Sandbox[] {
    return [...this.#sandboxes.values()];
  }

  /**
   * Spawn a sandbox from a module (or the latest module mounted at a path). Every import is
   * resolved against the grants (and the approval hook) before any guest code runs.
   */
  spawn(target: ModuleHandle | string, options: SpawnOptions = {}): Promise<Sandbox> {
    // Not an async function: inline and without an approval hook nothing waits, and its frame
    // and generator cost a spawn about 0.3 KB (bench/results/perf-spawn-2026-12-07-12.md). It
    // fails as an async function would: a rejected promise, never a throw.
    try {
      this.#checkOpen();
      // A start function runs guest code: a log that has fallen behind catches up first.
      if (this.events.congested) return this.#spawnAfterDrain(target, options);
      const spawned = this.#spawnNow(target, options);
      return spawned instanceof Promise ? spawned : Promise.resolve(spawned);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #spawnAfterDrain(target: ModuleHandle | string, options: SpawnOptions): Promise<Sandbox> {
    await this.events.drained();
    // The kernel may have closed while the log caught up.
    this.#checkOpen();
    return this.#spawnNow(target, options);
  }

  /** The spawn once the log keeps up: the sandbox, or a promise of it when something waits. */
  #spawnNow(target: ModuleHandle | string, options: SpawnOptions): Sandbox | Promise<Sandbox> {
    const handle = typeof target === 'string' ? this.#mounts.latest(target) : target;
    const module = loadedModule(handle);
    // The kernel's own limits (frozen) when the spawn changes none: shared, not copied.
    const limits =
      options.limits === undefined ? this.limits : resolveLimits({ ...this.limits, ...options.limits });
    const grants = options.grants === undefined ? [] : options.grants.map(normalizeGrant);
    checkSandboxSched(options.sched);
    const id = this.#ids.sandbox();
    const meterEvents = new SandboxLimitEvents(this.events, id, handle.name, limits);
    const meter = this.#meterFor(module, limits, options.growFailure, meterEvents);
    const sandbox = new Sandbox({
      id,
      name: options.name ?? handle.name,
      module: handle,
      limits,
      bus: this.events,
      ids: this.#ids,
      meter,
      onEnd: this.#ended,
    });
    meterEvents.sandbox = sandbox.parts;
    // The spawn is the sandbox's first event window: its plan and its start functions.
    sandbox.beginEventWindow();
    let spawned: Sandbox | Promise<Sandbox>;
    try {
      spawned = this.#spawnInWindow(sandbox, handle, module, grants, meter, target, options);
    } catch (error) {
      sandbox.endEventWindow();
      throw error;
    }
    // Inline and without an approval hook nothing waits: no promise of its own, no extra turn.
    if (!(spawned instanceof Promise)) {
      sandbox.endEventWindow();
      return spawned;
    }
    return spawnedLater(sandbox, spawned);
  }

  /**
   * The spawn's steps, in its event window: plan, link, place, instantiate, admit. A promise
   * only when something may wait (an approval hook, a worker).
   */
  #spawnInWindow(
    sandbox: Sandbox,
    handle: ModuleHandle,
    module: LoadedModule,
    grants: Grant[],
    meter: MeterRuntime | undefined,
    target: ModuleHandle | string,
    options: SpawnOptions,
  ): Sandbox | Promise<Sandbox> {
    const denial = options.denial ?? this.#options.denial ?? 'spawn';
    const planned = this.#planSpawn(sandbox, handle.name, module, grants, denial);
    if (Array.isArray(planned))
      return this.#spawnPlanned(sandbox, handle, module, planned, meter, target, options, denial);
    return planned.then((plan) => {
      // The approval hook answered after `close()`: nothing is linked, no guest code runs.
      if (this.#closed) this.#refuseClosed(sandbox, false);
      return this.#spawnPlanned(sandbox, handle, module, plan, meter, target, options, denial);
    });
  }

  /** Link, place, instantiate and admit, once the plan is made. */
  #spawnPlanned(
    sandbox: Sandbox,
    handle: ModuleHandle,
    module: LoadedModule,
    plan: PlannedLink[],
    meter: MeterRuntime | undefined,
    target: ModuleHandle | string,
    options: SpawnOptions,
    denial: Denial,
  ): Sandbox | Promise<Sandbox> {
    const context = sandbox.context(
      options.io ?? NO_IO,
      this.#deterministic,
      this.#seed,
      // Its spawn number (sbx_<n>), not how many are alive: two live sandboxes never share a seed.
      this.#ids.sandboxes,
      this.#protectedPaths,
      this.sched,
    );
    const links = this.#link(sandbox, module, plan, context, meter, denial);
    const placement = this.#placement(sandbox, handle.name, module, options.placement);
    // A start function is guest code: it runs under the deadline as a call does.
    sandbox.startClock();
    // With exit granted, an embedded preview1 adapter's proc_exit keeps the guest's own status.
    const exitGranted = plan.some(
      (p) => p.requirement.interface === 'wasi:cli/exit' && p.decision.status !== 'denied',
    );
    const untyped = untypedImports(this.#providers, module);
    if (placement === 'worker') {
      return this.#startWorker(
        sandbox,
        handle.name,
        module,
        links.imports,
        untyped,
        meter,
        exitGranted,
        options.growFailure,
      ).then(
        () => this.#started(sandbox, handle, module, plan, meter, target, options),
        (error: unknown) => this.#spawnFailed(error, sandbox, handle, module, meter),
      );
    }
    try {
      instantiateInline(sandbox, module, links, untyped, meter, context, exitGranted);
    } catch (error) {
      this.#spawnFailed(error, sandbox, handle, module, meter);
    }
    return this.#started(sandbox, handle, module, plan, meter, target, options);
  }

  /** The guest is instantiated (its start functions ran): admitted, unless they ran out. */
  #started(
    sandbox: Sandbox,
    handle: ModuleHandle,
    module: LoadedModule,
    plan: readonly PlannedLink[],
    meter: MeterRuntime | undefined,
    target: ModuleHandle | string,
    options: SpawnOptions,
  ): Sandbox {
    // A start function that caught the timeout, the fuel error or a host's error (a trap, a
    // refusal, an exit) and returned still failed.
    if (sandbox.timedOut || meter?.spent() || sandbox.hostThrown)
      this.#spawnFailed(new Error('instantiation ran out'), sandbox, handle, module, meter);
    // A worker started after `close()`: never admitted (close() ended every sandbox it knew).
    if (this.#closed) this.#refuseClosed(sandbox, true);
    this.#admit(sandbox, handle, plan, target, options);
    return sandbox;
  }

  /** A spawn failed while instantiating: what the sandbox holds is released, `sandbox:crash` told. */
  #spawnFailed(
    error: unknown,
    sandbox: Sandbox,
    handle: ModuleHandle,
    module: LoadedModule,
    meter: MeterRuntime | undefined,
  ): never {
    sandbox.release();
    const failure = spawnFailure(error, module, handle.name, sandbox, meter);
    this.events.emit({
      event: EVENTS.sandboxCrash,
      level: 'error',
      sandbox: sandbox.id,
      module: handle.name,
      status: 'error',
      error: failure.toJSON(),
    });
    throw failure;
  }

  /**
   * The spawn's capability plan; a denial that fails the spawn throws `capability-denied` here.
   * Made at once without an approval hook (a promise only when the hook may wait).
   */
  #planSpawn(
    sandbox: Sandbox,
    name: string,
    module: LoadedModule,
    grants: readonly Grant[],
    denial: Denial,
  ): PlannedLink[] | Promise<PlannedLink[]> {
    // Secrets handed to the guest never reach the log: known before the first event of the spawn.
    // By index: for-of made an iterator and a result per grant, every spawn.
    for (let i = 0; i < grants.length; i++) registerSecrets(this.#planContext(), grants[i]!);
    checkImportTypes(this.#providers, module, name, sandbox);
    const planned = planLinks(this.#planContext(), sandbox, module, grants);
    if (Array.isArray(planned)) return refuseDenied(sandbox, name, module, planned, denial);
    return planned.then((plan) => refuseDenied(sandbox, name, module, plan, denial));
  }

  /** Each provider builds the sandbox's imports from the plan; a failure releases what they already hold. */
  #link(
    sandbox: Sandbox,
    module: LoadedModule,
    plan: readonly PlannedLink[],
    context: SandboxContext,
    meter: MeterRuntime | undefined,
    denial: Denial,
  ): InlineLinks {
    const nativePreview1 = isNativePreview1(module);
    try {
      const onDenied = (requirement: Requirement) => deniedCall(this.#planContext(), sandbox, requirement);
      const imports = buildImports(
        nativePreview1 ? plan.filter((p) => !p.requirement.optional) : plan,
        context,
        onDenied,
        meter,
      );
      if (!nativePreview1) return { imports };
      // Denied at the spawn, a preview1 function whose grant is missing has failed it already.
      const preview1 = linkPreview1Imports(
        module,
        plan,
        context,
        onDenied,
        meter !== undefined,
        denial !== 'spawn',
      );
      for (const [namespace, functions] of Object.entries(preview1.imports)) {
        imports[namespace] = { ...imports[namespace], ...functions };
      }
      return { imports, preview1 };
    } catch (error) {
      // A provider may already hold host resources for this sandbox (opened preopens).
      sandbox.release();
      throw error;
    }
  }

  /** Where the guest runs: the spawn's choice or the kernel's; a preview1 module runs inline only. */
  #placement(
    sandbox: Sandbox,
    name: string,
    module: LoadedModule,
    requested: SandboxPlacement | undefined,
  ): SandboxPlacement {
    const placement = requested ?? this.#options.placement ?? 'inline';
    if (placement !== 'inline' && placement !== 'worker') {
      sandbox.release();
      throw new KeelError(
        'invalid-argument',
        `placement must be 'inline' or 'worker', got ${String(placement)}`,
      );
    }
    if (placement === 'worker') {
      // The worker's heap limit is a second line: a call it could not hold is refused at spawn.
      const over = overHeapShare(sandbox.limits, this.#pool().heapMb);
      if (over !== undefined) {
        sandbox.release();
        throw new KeelError(
          'invalid-argument',
          `limits.${over.limit} (${over.bytes} bytes) is over a quarter of a worker's heap (workers.heapMb: ${this.#pool().heapMb} MiB, at most ${over.most} bytes): one call could drive the worker to its heap limit, which may abort the host process; raise workers.heapMb or lower the limit`,
          { limit: over.limit, bytes: over.bytes, most: over.most, heapMb: this.#pool().heapMb },
        );
      }
    }
    if (placement === 'worker' && isNativePreview1(module)) {
      sandbox.release();
      throw new KeelError(
        'invalid-argument',
        `${name} is a preview1 module, which runs inline only (its host functions read guest memory); run it inline, or as a component`,
      );
    }
    return placement;
  }

  /** Worker placement: the guest is instantiated in a worker thread, its imports served from here. */
  async #startWorker(
    sandbox: Sandbox,
    name: string,
    module: LoadedModule,
    imports: Record<string, Record<string, unknown>>,
    untyped: ReadonlyMap<string, string> | undefined,
    meter: MeterRuntime | undefined,
    exitGranted: boolean,
    growFailure: GrowFailure | undefined,
  ): Promise<void> {
    const limits = sandbox.limits;
    const events = new SandboxLimitEvents(this.events, sandbox.id, name, limits, sandbox.parts);
    const remote = await WorkerSandbox.start({
      pool: this.#pool(),
      componentBytes: module.plan ? module.componentBytes : undefined,
      modules: module.plan ? module.modules! : [...module.coreModules.values()],
      imports,
      untyped,
      meter,
      meterLimits: {
        memoryBytes: limits.memoryBytes,
        tableElements: limits.tableElements,
        growFailure: growFailure ?? this.#options.growFailure ?? 'return-minus-one',
        layout: sandboxMemories(module)?.layout,
      },
      onLimit: (what: 'memory' | 'table', requested: number) =>
        what === 'memory' ? events.onMemoryLimit(requested) : events.onTableLimit(requested),
      maxCallBytes: callBytesOf(limits),
      fuelPerByte: DEFAULT_HOST_COSTS.byte,
      handles: sandbox.handles,
      handleLimit: limits.handles,
      maxHostArgBytes: limits.hostArgBytes,
      callFuel: meter ? DEFAULT_HOST_COSTS.call : 0,
      onResourceLimit: (reached) => sandbox.resourceLimitReached(reached),
      exitGranted,
      deadlineMs: limits.deadlineMs,
      deadlineExceeded: (exportName) => sandbox.deadlineExceeded(exportName),
      onDeath: (error) => sandbox.terminate(error.message, error),
      onThrownIntoGuest: (error) => hostThrew(sandbox.parts.deadline, error),
    });
    sandbox.attachRemote(remote, remoteExports(module, remote));
  }

  /** The sandbox is alive: in the table, announced (`sandbox:spawn`), handed to the scheduler. */
  #admit(
    sandbox: Sandbox,
    handle: ModuleHandle,
    plan: readonly PlannedLink[],
    target: ModuleHandle | string,
    options: SpawnOptions,
  ): void {
    this.#sandboxes.set(sandbox.id, sandbox);
    // Its data (what was granted and denied) is built only for someone who listens.
    if (this.events.wants(EVENTS.sandboxSpawn)) {
      this.events.emit({
        event: EVENTS.sandboxSpawn,
        sandbox: sandbox.id,
        module: handle.name,
        status: 'ok',
        data: {
          kind: handle.kind,
          granted: plan.filter((p) => p.decision.status !== 'denied').map((p) => p.requirement.import),
          denied: plan
            .filter((p) => p.decision.status === 'denied' && !p.requirement.optional)
            .map((p) => p.requirement.import),
          limits: sandbox.limits,
        },
      });
    }
    this.sched.adopt(sandbox, target, options);
  }

  /** The worker threads of worker sandboxes, made on the first one. */
  #pool(): WorkerPool {
    this.#workers ??= new WorkerPool(this.#options.workers);
    return this.#workers;
  }

  /** Stop the kernel: kill every sandbox, emit `kernel:stop`, flush the log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.sched.close();
    for (const sandbox of this.#sandboxes.values()) sandbox.terminate('kernel stopped');
    this.#workers?.close();
    this.events.emit({ event: EVENTS.kernelStop });
    this.#closed = true;
    this.#lastEnded = undefined;
    await this.#sink?.close();
  }

  /** The sandbox's meter (none when metering is off); refuses initial sizes over the limits. */
  #meterFor(
    module: LoadedModule,
    limits: Readonly<Limits>,
    growFailure: GrowFailure | undefined,
    events: SandboxLimitEvents,
  ): MeterRuntime | undefined {
    if (this.#options.metering === false) return undefined;
    return spawnMeter(
      module.coreFacts.values(),
      limits,
      growFailure ?? this.#options.growFailure ?? 'return-minus-one',
      events,
      sandboxMemories(module),
    );
  }

  /** What a spawn's capability plan consults (grant-plan.ts). */
  #planContext(): PlanContext {
    this.#plan ??= {
      providers: this.#providers,
      approval: this.#options.approval,
      redactor: this.events.redactor,
    };
    return this.#plan;
  }

  /**
   * A spawn that was waiting when the kernel closed: `killed`, what it holds released, and a
   * guest already instantiated (a worker's) ended.
   */
  #refuseClosed(sandbox: Sandbox, instantiated: boolean): never {
    if (instantiated) sandbox.terminate('kernel stopped');
    sandbox.release();
    throw new KeelError('killed', 'the kernel closed while the sandbox was spawning');
  }

  #checkOpen(): void {
    if (this.#closed) throw new KeelError('killed', 'the kernel is closed');
  }
}

/** A spawn that waits (an approval hook, a worker): its event window ends when it is done. */
async function spawnedLater(sandbox: Sandbox, spawned: Promise<Sandbox>): Promise<Sandbox> {
  try {
    return await spawned;
  } finally {
    sandbox.endEventWindow();
  }
}

/** The plan's denials that fail the spawn (`capability-denied`); the plan when none does. */
function refuseDenied(
  sandbox: Sandbox,
  name: string,
  module: LoadedModule,
  plan: PlannedLink[],
  denial: Denial,
): PlannedLink[] {
  if (isNativePreview1(module) && denial === 'spawn') refusePreview1(sandbox, name, module, plan);
  refuseAtSpawn(name, plan, denial);
  return plan;
}

/**
 * The providers that declare no WIT types, by name; refused (`invalid-argument`) with
 * `requireProviderTypes`. Both lists count: every one of Keel's built-in providers declares its
 * types, so an untyped one in `builtinProviders` is the embedder's (docs/abi.md, "Import types").
 */
function untypedProviders(options: KernelOptions): string[] {
  const require = options.requireProviderTypes;
  if (require !== undefined && typeof require !== 'boolean') {
    throw new KeelError('invalid-argument', `requireProviderTypes must be a boolean, got ${typeof require}`);
  }
  const untyped = [...(options.builtinProviders ?? []), ...(options.providers ?? [])]
    .filter((p) => p.wit === undefined)
    .map((p) => p.name);
  if (require && untyped.length > 0) {
    throw new KeelError(
      'invalid-argument',
      `provider ${untyped[0]} declares no WIT types (CapabilityProvider.wit) and requireProviderTypes is set: give it the WIT types it serves its interfaces at`,
      { provider: untyped[0]! },
    );
  }
  return untyped;
}
