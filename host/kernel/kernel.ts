/**
 * The kernel: the sandbox table, the module registry, the capability gate and the event bus.
 * It enforces grants and limits; who gets what is decided by its embedder (options, approval
 * hooks). It holds no process-global state: two kernels in one process share nothing.
 */
import { basename } from 'node:path';
import {
  type CapabilityProvider,
  DEFAULT_HOST_COSTS,
  type SandboxContext,
  type SandboxIo,
} from '../caps/provider.js';
import { EventBus, type EventHook, type EventPattern, type SubscribeOptions } from '../events/bus.js';
import { JsonlSink, type JsonlSinkOptions, type JsonlSinkStats, type LogStream } from '../events/jsonl.js';
import { EVENTS } from '../events/names.js';
import { type RedactionOptions, Redactor } from '../events/redact.js';
import { WorkerPool, type WorkerPoolOptions } from '../isolate/pool.js';
import { WorkerSandbox } from '../isolate/worker-sandbox.js';
import { defaultCacheDir } from '../loader/disk-cache.js';
import { readModuleFile } from '../loader/files.js';
import { type CoreModuleHook, type LoadedModule, Loader, type LoaderStats } from '../loader/loader.js';
import type { Preview1Abi } from '../loader/preview1.js';
import type { ApprovalHook } from '../policy/approval.js';
import { type Grant, type GrantInput, normalizeGrant } from '../policy/grants.js';
import {
  checkSandboxSched,
  type SandboxSchedOptions,
  Scheduler,
  type SchedulerOptions,
} from '../sched/scheduler.js';
import { KeelError } from './errors.js';
import {
  type Denial,
  deniedCall,
  type PlanContext,
  planLinks,
  refuseAtSpawn,
  refusePreview1,
  registerSecrets,
} from './grant-plan.js';
import { IdSource, newSessionId } from './ids.js';
import { type InlineLinks, instantiateInline, remoteExports, spawnFailure } from './instantiate.js';
import { type Limits, resolveLimits } from './limits.js';
import {
  buildImports,
  isAuthorityFree,
  type PlannedLink,
  ProviderRegistry,
  type Requirement,
  requirements,
} from './linker.js';
import {
  type GrowFailure,
  type MeterOptions,
  type MeterRuntime,
  meteringHook,
  type SandboxMeterEvents,
  sandboxMeter,
} from './metering.js';
import { loadedModule, ModuleHandle } from './module.js';
import { MountTable } from './mounts.js';
import { isNativePreview1, linkPreview1Imports, preview1Needs, preview1Requirements } from './preview1.js';
import { Sandbox } from './sandbox.js';

export type { Denial } from './grant-plan.js';
export type SandboxPlacement = 'inline' | 'worker';

export interface KernelOptions {
  /** Default limits for every sandbox (each spawn may override). */
  limits?: Partial<Limits>;
  /** Cache directory for rewritten (metered) core modules; `false` for memory only. Default `$XDG_CACHE_HOME/keel` or `~/.cache/keel`. */
  cacheDir?: string | false;
  /** Extra capability providers (added to the built-in ones). */
  providers?: readonly CapabilityProvider[];
  /**
   * The providers `providers` are added to. `Kernel` from the public entry (`host/index.ts`)
   * defaults this to Keel's built-in list (`BUILTIN_PROVIDERS`); pass your own list, or `[]`,
   * to run a kernel with exactly the providers you choose. `host/kernel` knows no list of its
   * own: without this option it starts with none.
   */
  builtinProviders?: readonly CapabilityProvider[];
  /** Decides each capability a module requests at spawn. */
  approval?: ApprovalHook;
  /** Where sandboxes run unless a spawn says otherwise (default `inline`). */
  placement?: SandboxPlacement;
  /** The threads of worker sandboxes: how many start ahead, their heap, how many at once. */
  workers?: WorkerPoolOptions;
  /** Fail the spawn on an ungranted import (default), or link it and fail the call. */
  denial?: Denial;
  /** Virtual clocks and seeded randomness; fixed session id. */
  deterministic?: boolean | { seed?: number };
  /** Redaction applied to every event before any observer sees it. */
  redact?: RedactionOptions;
  /**
   * Write the JSONL event log here: a file path, a stream, or the sink's options (its buffer cap,
   * see docs/limits.md). A path that cannot be opened throws `log-failed`.
   */
  log?: string | LogStream | JsonlSinkOptions;
  /**
   * Keel's metering pass (fuel, memory and table limits), applied to every core module.
   * On by default; `false` runs guests unmetered (no fuel limit: for trusted code and benchmarks).
   */
  metering?: MeterOptions | false;
  /** An extra transformation applied to every core module before metering. */
  coreHook?: CoreModuleHook;
  /** What `memory.grow`/`table.grow` past a limit does: return -1 (default, as the spec says) or fail the call. */
  growFailure?: GrowFailure;
  /**
   * How WASI preview1 modules run: against Keel's own preview1 imports (`keel`, the default), or
   * wrapped into a component with jco's preview1 adapter (`adapter`, kept for comparison in
   * `bench/`).
   */
  preview1?: Preview1Abi;
  /** Delivery settings: fuel per delivery and per signal, request timeouts. */
  sched?: SchedulerOptions;
}

export interface LoadOptions {
  /** A name for logs and mounts; default: the file name, else the module id. */
  name?: string;
}

export interface SpawnOptions {
  /** What the sandbox may use. Nothing else is linked (deny by default). */
  grants?: readonly GrantInput[];
  /** Overrides of the kernel's default limits. */
  limits?: Partial<Limits>;
  /** stdin bytes and where stdout/stderr go (they are also `guest:stdout`/`guest:stderr` events). */
  io?: SandboxIo;
  /** A name for logs; default: the module's. */
  name?: string;
  /** Overrides the kernel's denial mode for this sandbox. */
  denial?: Denial;
  /** Overrides the kernel's `growFailure` for this sandbox. */
  growFailure?: GrowFailure;
  /**
   * Where the guest runs: `inline` in the kernel's thread (fastest), or `worker` in a thread of
   * its own that a kill or a deadline ends at once (docs/placement.md). Default `inline`.
   */
  placement?: SandboxPlacement;
  /** Scheduling and supervision: weight, restart policy, subscriptions (see `kernel.sched`). */
  sched?: SandboxSchedOptions;
}

export interface ModuleNeed {
  import: string;
  interface: string;
  /** `authority-free`: linked without a grant; `needs-grant`: a provider serves it if granted; `unavailable`: nothing serves it. */
  status: 'authority-free' | 'needs-grant' | 'unavailable';
  provider?: string;
}

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
  #closed = false;
  #workers: WorkerPool | undefined;

  constructor(options: KernelOptions = {}) {
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
      cacheDir: options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir,
      coreHook:
        options.metering === false
          ? options.coreHook
          : meteringHook(options.metering ?? {}, options.coreHook),
      preview1: options.preview1,
    });
    this.sched = new Scheduler({
      bus: this.events,
      limits: this.limits,
      deterministic: this.#deterministic,
      ...(options.sched ? { options: options.sched } : {}),
      spawn: (target, spawnOptions) => this.spawn(target, spawnOptions),
      mount: (path, module) => this.mount(path, module),
    });
    this.#sink =
      options.log === undefined ? undefined : new JsonlSink(sinkOptions(options.log)).attach(this.events);
    this.events.emit({ event: EVENTS.kernelStart, data: { deterministic: this.#deterministic } });
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
          ...(this.#deterministic ? {} : { cache: loaded.cache }),
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
    const loaded = loadedModule(module);
    if (isNativePreview1(loaded)) {
      const others = preview1Requirements(loaded).filter((r) => !r.optional);
      return [
        ...preview1Needs(loaded).map((need) => ({ ...need, provider: 'wasi-preview1' })),
        ...this.#needsOf(others),
      ];
    }
    return this.#needsOf(requirements(loaded));
  }

  #needsOf(reqs: readonly Requirement[]): ModuleNeed[] {
    return reqs.map((requirement) => {
      const provider = this.#providers.find(requirement.interface);
      const status: ModuleNeed['status'] = !provider
        ? 'unavailable'
        : isAuthorityFree(provider, requirement.interface)
          ? 'authority-free'
          : 'needs-grant';
      return {
        import: requirement.import,
        interface: requirement.interface,
        status,
        ...(provider ? { provider: provider.name } : {}),
      };
    });
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
  async spawn(target: ModuleHandle | string, options: SpawnOptions = {}): Promise<Sandbox> {
    this.#checkOpen();
    // A start function runs guest code: a log that has fallen behind catches up first.
    if (this.events.congested) await this.events.drained();
    const handle = typeof target === 'string' ? this.#mounts.latest(target) : target;
    const module = loadedModule(handle);
    const limits = resolveLimits({ ...this.limits, ...options.limits });
    const grants = (options.grants ?? []).map(normalizeGrant);
    checkSandboxSched(options.sched);
    const id = this.#ids.sandbox();
    let sandbox: Sandbox | undefined;
    const meter = this.#meterFor(id, handle.name, module, limits, options.growFailure, () => sandbox);
    sandbox = new Sandbox({
      id,
      name: options.name ?? handle.name,
      module: handle,
      limits,
      bus: this.events,
      ids: this.#ids,
      meter,
      onEnd: (s) => {
        this.#sandboxes.delete(s.id);
        this.sched.ended(s);
      },
    });
    // The spawn is the sandbox's first event window: its plan and its start functions.
    sandbox.beginEventWindow();
    try {
      return await this.#spawnInWindow(sandbox, handle, module, grants, meter, target, options);
    } finally {
      sandbox.endEventWindow();
    }
  }

  /** The spawn's steps, in its event window: plan, link, place, instantiate, admit. */
  async #spawnInWindow(
    sandbox: Sandbox,
    handle: ModuleHandle,
    module: LoadedModule,
    grants: Grant[],
    meter: MeterRuntime | undefined,
    target: ModuleHandle | string,
    options: SpawnOptions,
  ): Promise<Sandbox> {
    const plan = await this.#planSpawn(sandbox, handle.name, module, grants, options.denial);
    const context = sandbox.context(
      options.io ?? {},
      this.#deterministic,
      this.#seed * 1_000_003n + BigInt(this.#sandboxes.size + 1),
      this.sched.port(sandbox.id),
    );
    const links = this.#link(sandbox, module, plan, context, meter);
    const placement = this.#placement(sandbox, handle.name, module, options.placement);
    // A start function is guest code: it runs under the deadline as a call does.
    sandbox.startClock();
    // With exit granted, an embedded preview1 adapter's proc_exit keeps the guest's own status.
    const exitGranted = plan.some(
      (p) => p.requirement.interface === 'wasi:cli/exit' && p.decision.status !== 'denied',
    );
    try {
      if (placement === 'worker') {
        await this.#startWorker(
          sandbox,
          handle.name,
          module,
          links.imports,
          meter,
          exitGranted,
          options.growFailure,
        );
      } else {
        instantiateInline(sandbox, module, links, meter, context, exitGranted);
      }
      // A start function that caught the timeout (or the fuel error) and returned still failed.
      if (sandbox.timedOut || meter?.exhausted()) throw new Error('instantiation ran out');
    } catch (error) {
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
    this.#admit(sandbox, handle, plan, target, options);
    return sandbox;
  }

  /** The spawn's capability plan; a denial that fails the spawn throws `capability-denied` here. */
  async #planSpawn(
    sandbox: Sandbox,
    name: string,
    module: LoadedModule,
    grants: readonly Grant[],
    denialOption: Denial | undefined,
  ): Promise<PlannedLink[]> {
    // Secrets handed to the guest never reach the log: known before the first event of the spawn.
    for (const grant of grants) registerSecrets(this.#planContext(), grant);
    const plan = await planLinks(this.#planContext(), sandbox, module, grants);
    const denial = denialOption ?? this.#options.denial ?? 'spawn';
    if (isNativePreview1(module) && denial === 'spawn') refusePreview1(sandbox, name, module, plan);
    refuseAtSpawn(name, plan, denial);
    return plan;
  }

  /** Each provider builds the sandbox's imports from the plan; a failure releases what they already hold. */
  #link(
    sandbox: Sandbox,
    module: LoadedModule,
    plan: readonly PlannedLink[],
    context: SandboxContext,
    meter: MeterRuntime | undefined,
  ): InlineLinks {
    const nativePreview1 = isNativePreview1(module);
    try {
      const onDenied = (requirement: Requirement) => deniedCall(this.#planContext(), sandbox, requirement);
      const imports = buildImports(
        nativePreview1 ? plan.filter((p) => !p.requirement.optional) : plan,
        context,
        onDenied,
        meter !== undefined,
      );
      if (!nativePreview1) return { imports };
      const preview1 = linkPreview1Imports(module, plan, context, onDenied, meter !== undefined);
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
    meter: MeterRuntime | undefined,
    exitGranted: boolean,
    growFailure: GrowFailure | undefined,
  ): Promise<void> {
    const limits = sandbox.limits;
    const events = this.#limitEvents(sandbox.id, name, limits, () => sandbox);
    const remote = await WorkerSandbox.start({
      pool: this.#pool(),
      componentBytes: module.plan ? module.componentBytes : undefined,
      modules: module.plan ? module.modules! : [...module.coreModules.values()],
      imports,
      meter,
      meterLimits: {
        memoryBytes: limits.memoryBytes,
        tableElements: limits.tableElements,
        growFailure: growFailure ?? this.#options.growFailure ?? 'return-minus-one',
      },
      onLimit: (what: 'memory' | 'table', requested: number) =>
        what === 'memory' ? events.onMemoryLimit(requested) : events.onTableLimit(requested),
      maxCallBytes: limits.memoryBytes,
      bytesPerFuel: DEFAULT_HOST_COSTS.bytesPerFuel,
      handles: sandbox.handles,
      handleLimit: limits.handles,
      maxHostArgBytes: limits.hostArgBytes,
      callFuel: meter ? DEFAULT_HOST_COSTS.call : 0,
      onResourceLimit: (reached) => sandbox.resourceLimitReached(reached),
      exitGranted,
      deadlineMs: limits.deadlineMs,
      deadlineExceeded: (exportName) => sandbox.deadlineExceeded(exportName),
      onDeath: (error) => sandbox.terminate(error.message, error),
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
    await this.#sink?.close();
  }

  /** The sandbox's meter (none when metering is off); refuses initial sizes over the limits. */
  #meterFor(
    id: string,
    name: string,
    module: LoadedModule,
    limits: Limits,
    growFailure: GrowFailure | undefined,
    sandbox: () => Sandbox | undefined,
  ): MeterRuntime | undefined {
    if (this.#options.metering === false) return undefined;
    const events = this.#limitEvents(id, name, limits, sandbox);
    try {
      return sandboxMeter(
        module.coreFacts.values(),
        limits,
        growFailure ?? this.#options.growFailure ?? 'return-minus-one',
        {
          ...events,
          // Each slice of fuel ends with a look at the clock: a compute loop stops within a
          // slice of its call's deadline.
          onSlice: () => sandbox()?.checkDeadline(),
        },
      );
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

  /** The `memory:limit` / `table:limit` events of a sandbox's meter (inline, or in its worker). */
  #limitEvents(
    id: string,
    name: string,
    limits: Limits,
    sandbox: () => Sandbox | undefined,
  ): Omit<SandboxMeterEvents, 'onSlice'> & {
    emit(event: typeof EVENTS.memoryLimit | typeof EVENTS.tableLimit, data: Record<string, unknown>): void;
  } {
    const emit = (
      event: typeof EVENTS.memoryLimit | typeof EVENTS.tableLimit,
      data: Record<string, unknown>,
    ) => {
      const target = sandbox();
      if (target) target.emit({ event, level: 'warn', status: 'denied', data });
      else this.events.emit({ event, level: 'warn', status: 'denied', sandbox: id, module: name, data });
    };
    return {
      emit,
      onMemoryLimit: (requestedPages) =>
        emit(EVENTS.memoryLimit, { requestedBytes: requestedPages * 65536, limitBytes: limits.memoryBytes }),
      onTableLimit: (requested) => emit(EVENTS.tableLimit, { requested, limit: limits.tableElements }),
    };
  }

  /** What a spawn's capability plan consults (grant-plan.ts). */
  #planContext(): PlanContext {
    return { providers: this.#providers, approval: this.#options.approval, redactor: this.events.redactor };
  }

  #checkOpen(): void {
    if (this.#closed) throw new KeelError('killed', 'the kernel is closed');
  }
}

function sinkOptions(log: string | LogStream | JsonlSinkOptions): JsonlSinkOptions {
  return typeof log === 'object' && 'destination' in log ? log : { destination: log };
}
