/**
 * A sandbox: one instantiated module with its own grants, limits, state and ids. Calls into it
 * either go through `invoke` (JSON-compatible values, events, a full outcome) or through a
 * typed fast path from `fn` (the engine's values, no per-call allocation beyond the call).
 *
 * This file is the sandbox's syscalls (invoke, fn, terminate, refuel, advanceClock, emit, ...)
 * and its state machine; the concerns they use live beside it in `sandbox/`: its events
 * (`events.ts`), its fuel account (`fuel.ts`), its virtual clocks (`clock.ts`), its exports
 * (`exports.ts`) and the types it reports (`types.ts`).
 */

import { performance } from 'node:perf_hooks';
import type { LoweredArguments } from '../abi/calls.js';
import type { ByteBudget } from '../abi/context.js';
import { type CallOwner, scalarCall } from '../abi/fast.js';
import { type HandleCounter, handleLimitError } from '../abi/handles.js';
import { LARGE_LIST_LIFT_BYTES } from '../abi/heap.js';
import type { ComponentInstance } from '../abi/instance.js';
import { DEFAULT_HOST_COSTS, type InvocationInput, type SandboxContext } from '../caps/provider.js';
import type { EventBus } from '../events/bus.js';
import { EVENTS, type EventName } from '../events/names.js';
import type { EventInput } from '../events/record.js';
import type { FuncSignature } from '../loader/core-info.js';
import type { SchedPort } from '../sched/port.js';
import { CALL_IN_PROGRESS, CallDeadline, IN_CALL, NOT_READY, OUT_OF_FUEL } from './deadline.js';
import { KeelError } from './errors.js';
import { type IdSource, requestId } from './ids.js';
import { callBytesOf, type Limits } from './limits.js';
import type { MeterRuntime } from './metering.js';
import type { ModuleHandle } from './module.js';
import { advanceClock, VirtualClock, virtualNanos } from './sandbox/clock.js';
import { SandboxEvents } from './sandbox/events.js';
import { ExportTable, type ResolvedExport } from './sandbox/exports.js';
import { FuelAccount } from './sandbox/fuel.js';
import type {
  FuelReport,
  InvokeOptions,
  InvokeOutcome,
  RemoteExport,
  RemoteGuest,
  SandboxFuel,
  SandboxState,
} from './sandbox/types.js';
import { classifyFailure, componentErrorPayload, GuestExit } from './traps.js';
import { renderCost, toJsonResult, toJsonValue, VALUE_RENDER_BYTES, WIDE_RENDER_BYTES } from './values.js';

export { NS_PER_FUEL } from './sandbox/clock.js';
export type {
  FuelReport,
  InvokeOptions,
  InvokeOutcome,
  RemoteExport,
  RemoteGuest,
  SandboxFuel,
  SandboxState,
} from './sandbox/types.js';

/** The defaults of `invoke`'s arguments and options, shared (none is ever written). */
const NO_ARGUMENTS: readonly unknown[] = Object.freeze([]);
const NO_OPTIONS: InvokeOptions = Object.freeze({});

/** Internals the kernel hands a sandbox at creation. */
export interface SandboxInternals {
  id: string;
  name: string;
  module: ModuleHandle;
  limits: Limits;
  bus: EventBus;
  ids: IdSource;
  /** The sandbox's meter; absent when the kernel runs unmetered. */
  meter?: MeterRuntime | undefined;
  onEnd: (sandbox: Sandbox) => void;
}

/**
 * The invocation in progress. A sandbox runs one at a time (re-entrant calls are refused), so
 * one record made at its first invocation serves them all, rewritten at the end of each
 * invocation's start (`#beginCall`: after the last point where the embedder's code runs, an
 * `invoke:start` listener or an argument's getter, which may invoke the sandbox itself) and
 * read only before the embedder's code runs again at the end: an object per call was a fifth of
 * a scalar `invokeSync`'s allocations (bench/results/perf-invoke-2026-12-07-13.md).
 */
class CallInProgress implements LoweredArguments {
  exportName = '';
  /** The export's function (inline), or its name in the worker (`ResolvedExport.name`). */
  fn: (...args: unknown[]) => unknown = noCall;
  /** A scalar export's call (`ResolvedExport.run`), with the arguments lowered into `x0`-`x2`; else undefined. */
  run: ((held: LoweredArguments) => unknown) | undefined = undefined;
  x0: unknown = undefined;
  x1: unknown = undefined;
  x2: unknown = undefined;
  name = '';
  /** The request's number (`IdSource.nextRequest`); its id is formatted only when read. */
  request = 0;
  started = Number.NaN;
}

const noCall = (): unknown => undefined;

/** What a guest may make the host hold or handle past a limit (`Sandbox.resourceLimitReached`). */
export type ResourceLimitReached =
  | { limit: 'handles'; kind: string }
  | { limit: 'hostArgBytes'; bytes: number; import: string };

/**
 * What the parts of a sandbox that its guest's instance reaches use of it: its events, limits,
 * clock, deadline, meter and export table, never the `Sandbox` itself. Its `SandboxContext` (which a
 * provider's functions the guest imports may hold; the gate around them holds the meter alone), its meter's events, its byte budget and its handle counter
 * go through this. V8 allocates a WebAssembly instance in its old generation, so whatever an
 * instance's imports reference survives every young collection until the next full one, long
 * after the sandbox ended; through these parts that is a few small objects, while the sandbox
 * (its exports, call state, scheduler entry) is collected young once it has ended.
 */
export class SandboxParts implements ByteBudget, HandleCounter {
  /** The resource handles the sandbox holds (see `Sandbox.handles`: the parts are its counter, no object of its own). */
  #handles = 0;

  /**
   * Its virtual clocks: deterministic mode only (made by `Sandbox.context`); outside it the
   * deadline reads `performance.now()` and no clock is made (idle memory, issue 12).
   */
  clock: VirtualClock | undefined = undefined;

  constructor(
    readonly events: SandboxEvents,
    readonly limits: Readonly<Limits>,
    readonly deadline: CallDeadline,
    readonly meter: MeterRuntime | undefined,
    /** Whether a call is awaited on the event loop (`SandboxContext.mayAwait`): a worker's. */
    readonly exports: ExportTable,
  ) {}

  emit(event: Omit<EventInput, 'sandbox'>): void {
    this.events.emit(event);
  }

  /** The meter's `onExhausted`: a fast-path call in progress must be looked at when it returns. */
  outOfFuel(): void {
    this.deadline.busy |= OUT_OF_FUEL;
  }

  // ByteBudget: strings and lists a guest hands the host are charged before they are copied or
  // decoded, at the price of bytes crossing the boundary (docs/fuel.md), and bounded per call:
  // what a guest passes one host function by `limits.hostArgBytes` (`resource-limit`,
  // `resource:limit`), and what an export returns by its own memory limit's worth (a guest
  // naming the same bytes many times over could otherwise make the host decode more). A
  // resource's constructor, methods and static functions, which the linker's gate does not
  // wrap, are charged a call here. The component instance holds these parts as its budget.

  get maxCallBytes(): number {
    return callBytesOf(this.limits);
  }

  get maxHostArgBytes(): number {
    return this.limits.hostArgBytes;
  }

  /** What `chargeBytes(context, bytes)` charges, without the context: the same meter. */
  charge(bytes: number): void {
    if (bytes > 0) this.meter?.charge(bytes * DEFAULT_HOST_COSTS.byte);
  }

  chargeCall(): void {
    this.meter?.charge(DEFAULT_HOST_COSTS.call);
  }

  onHostArgLimit(bytes: number, callee: string): void {
    this.resourceLimitReached({ limit: 'hostArgBytes', bytes, import: callee });
  }

  /** The handle counter refused one more handle (`limits.handles`): the `resource:limit` event. */
  onHandleLimit(kind: string): void {
    this.resourceLimitReached({ limit: 'handles', kind });
  }

  // HandleCounter: one more handle past `limits.handles` is `resource-limit`, after its event.

  acquire(kind: string): void {
    const limit = this.limits.handles;
    if (this.#handles >= limit) {
      this.onHandleLimit(kind);
      throw handleLimitError(limit, kind);
    }
    this.#handles++;
  }

  release(): void {
    if (this.#handles > 0) this.#handles--;
  }

  /** The meter's `onSlice`: throws `timeout` when the call in progress is past its deadline. */
  checkDeadline(): void {
    this.deadline.check();
  }

  /** The `resource:limit` event (see `Sandbox.resourceLimitReached`). */
  resourceLimitReached(reached: ResourceLimitReached): void {
    const { limit, ...rest } = reached;
    this.events.emit({
      event: EVENTS.resourceLimit,
      level: 'warn',
      status: 'denied',
      data: { limit, max: this.limits[limit], ...rest },
    });
  }

  /** A provider found the call past its deadline: stop the guest and return the error to throw. */
  stopOnDeadline(): KeelError {
    const error = this.deadline.exceeded();
    this.meter?.stop(error);
    return error;
  }
}

/** What makes a sandbox's scheduler port (the kernel's scheduler), asked only when a provider needs the port. */
export interface SchedPorts {
  port(sandboxId: string): SchedPort;
}

/** Set in `Context`'s static block: the sandbox sets its invocation's stdin and runs the cleanups. */
let setInput: (context: Context, input: InvocationInput | undefined) => void;
let takeCleanups: (context: Context) => (() => void)[] | undefined;
/** Lets go of what a context held for the embedder and the providers, once their cleanups ran (`Sandbox.release`). */
let forget: (context: Context) => void;
/** What an ended context's `io` is: nothing of the embedder's. */
const ENDED_IO: SandboxContext['io'] = Object.freeze({});

/**
 * A sandbox's `SandboxContext`: its methods on the prototype (a spawn makes one object, not a
 * closure per method: spawn time and idle memory, issue 12), reaching the sandbox through its
 * `SandboxParts` only; the state the providers keep (`state`, `onEnd`) and the running
 * invocation's own stdin live here. Providers call its methods on the context
 * (`context.charge(n)`), as they always have.
 */
class Context implements SandboxContext {
  readonly sandbox: string;
  readonly module: string;
  readonly limits: Readonly<Limits>;
  /** The embedder's I/O, until the sandbox ends (`ENDED_IO` after: the kernel may keep an ended sandbox). */
  io: SandboxContext['io'];
  readonly deterministic: boolean;
  readonly protectedPaths: readonly string[];
  /**
   * Its seed's parts: the kernel's seed (shared) and its spawn number. The seed is made when
   * read (a provider in deterministic mode reads it once), not kept as a BigInt of its own per
   * sandbox (idle memory, issue 12).
   */
  readonly #seedBase: bigint;
  readonly #seedIndex: number;
  /** Where its scheduler port comes from, and the port, made when a provider first asks for it. */
  readonly #ports: SchedPorts | undefined;
  #port: SchedPort | undefined;
  readonly #parts: SandboxParts;
  /** State the providers share (`state`), made on first use. */
  #state: Map<string, unknown> | undefined;
  /** The providers' cleanups (`onEnd`), made on the first. */
  #cleanups: (() => void)[] | undefined;
  /** The running invocation's own stdin (a fresh record per invocation). */
  #input: InvocationInput | undefined;

  constructor(
    id: string,
    module: string,
    parts: SandboxParts,
    io: SandboxContext['io'],
    deterministic: boolean,
    seedBase: bigint,
    seedIndex: number,
    protectedPaths: readonly string[],
    ports: SchedPorts | undefined,
  ) {
    this.#parts = parts;
    this.sandbox = id;
    this.module = module;
    this.limits = parts.limits;
    this.io = io;
    this.deterministic = deterministic;
    this.#seedBase = seedBase;
    this.#seedIndex = seedIndex;
    this.protectedPaths = protectedPaths;
    this.#ports = ports;
  }

  /** Seed for this sandbox's deterministic randomness: the kernel's seed * 1,000,003 + its spawn number. */
  get seed(): bigint {
    return this.#seedBase * 1_000_003n + BigInt(this.#seedIndex);
  }

  /** The scheduler's port for this sandbox, made on first use (most sandboxes never send: idle memory, issue 12). */
  get sched(): SchedPort | undefined {
    if (this.#port === undefined && this.#ports !== undefined) this.#port = this.#ports.port(this.sandbox);
    return this.#port;
  }

  emit(event: Omit<EventInput, 'sandbox'>): void {
    this.#parts.events.emit(event);
  }

  emitText(name: EventName, text: string, build: (text: string) => Omit<EventInput, 'sandbox'>): void {
    const events = this.#parts.events;
    // Observed, the text is redacted, made an event and handed to every observer (a hook, a
    // JSONL line): priced before that work, observed or not (review15 M1). Providers emit text
    // only in the guest's call.
    const fuel = events.textFuel(text);
    if (fuel > 0) this.charge(fuel);
    events.emitText(name, text, build);
  }

  state<T>(key: string, init: () => T): T {
    this.#state ??= new Map();
    if (!this.#state.has(key)) this.#state.set(key, init());
    return this.#state.get(key) as T;
  }

  exit(code: number): never {
    throw new GuestExit(code);
  }

  charge(fuel: number): void {
    this.#parts.meter?.charge(fuel);
  }

  invocationInput(): InvocationInput | undefined {
    return this.#input;
  }

  invocationId(): string | undefined {
    return this.#parts.events.request;
  }

  virtualNanos(): bigint {
    return virtualNanos(this.#parts.clock, this.#parts.meter);
  }

  timeLeftMs(): number {
    return this.#parts.deadline.left();
  }

  timedOut(): never {
    throw this.#parts.stopOnDeadline();
  }

  mayAwait(): boolean {
    return this.#parts.exports.remote?.awaiting === true;
  }

  onEnd(cleanup: () => void): void {
    this.#cleanups ??= [];
    this.#cleanups.push(cleanup);
  }

  static {
    setInput = (context, input) => {
      context.#input = input;
    };
    takeCleanups = (context) => {
      const cleanups = context.#cleanups;
      context.#cleanups = undefined;
      return cleanups;
    };
    // The kernel keeps the sandbox that ended last (its hidden classes): it must not keep the
    // embedder's stdin and sinks, nor the providers' state (streams, a filesystem's scope).
    forget = (context) => {
      context.#state = undefined;
      context.#input = undefined;
      context.io = ENDED_IO;
    };
  }
}

/** Set in `Sandbox`'s static block: the fast path's slow steps. */
let gateRefuse: (sandbox: Sandbox) => void;
let gateAfter: (sandbox: Sandbox, exportName: string) => void;
let gateFail: (sandbox: Sandbox, error: unknown, exportName: string) => unknown;

/** The fast path's slow steps, on the sandbox (see `CallOwner`). */
class FastOwner implements CallOwner {
  constructor(readonly sandbox: Sandbox) {}
  refuse(): void {
    gateRefuse(this.sandbox);
  }
  after(exportName: string): void {
    gateAfter(this.sandbox, exportName);
  }
  fail(error: unknown, exportName: string): unknown {
    return gateFail(this.sandbox, error, exportName);
  }
}

export class Sandbox {
  readonly id: string;
  readonly name: string;
  readonly module: ModuleHandle;
  readonly limits: Readonly<Limits>;
  #state: SandboxState = 'ready';
  #exitCode: number | undefined;
  /** Why it ended, once known as an error (see `#endReason`). */
  #endError: KeelError | undefined;
  /** A kill's reason, until its error is first needed: most killed sandboxes never make one. */
  #killedBecause: string | undefined;
  /** The fast path's slow steps (made by the first `fn`); its gate is the deadline's `busy`. */
  #owner: FastOwner | undefined;
  /** The invocation in progress (made at the first). */
  #call: CallInProgress | undefined;
  /** The context providers link against (made at spawn, once). */
  #context: Context | undefined;
  readonly #bus: EventBus;
  readonly #ids: IdSource;
  readonly #onEnd: (sandbox: Sandbox) => void;
  readonly #fuel: FuelAccount;
  /**
   * What its context, meter events, byte budget and handle counter reach of it, and where the
   * sandbox itself finds its meter, events, export table, deadline and clock (one field each
   * here, not two: idle memory, issue 12).
   */
  readonly #parts: SandboxParts;

  constructor(internals: SandboxInternals) {
    this.id = internals.id;
    this.name = internals.name;
    this.module = internals.module;
    // The kernel's frozen limits are shared by every sandbox that changes none.
    const limits = internals.limits;
    this.limits = Object.isFrozen(limits) ? limits : Object.freeze({ ...limits });
    this.#bus = internals.bus;
    this.#ids = internals.ids;
    this.#onEnd = internals.onEnd;
    const meter = internals.meter;
    this.#fuel = new FuelAccount(meter, this.limits);
    this.#parts = new SandboxParts(
      new SandboxEvents(this.#bus, this.id, this.module.name, this.limits.events),
      this.limits,
      // Host code that throws into the guest stops its meter (the guest may catch the error).
      new CallDeadline(this.limits.deadlineMs, undefined, meter),
      meter,
      new ExportTable(this.module),
    );
  }

  /**
   * Kernel-internal: the resource handles this sandbox holds (`limits.handles`), counted by
   * its component instance's handle tables, the guest resources the embedder holds, and a
   * worker sandbox's table of host objects. One more past the limit is `resource-limit`, after
   * a `resource:limit` event (drawn from the event budget). Its parts are the counter.
   */
  get handles(): HandleCounter {
    return this.#parts;
  }

  get state(): SandboxState {
    return this.#state;
  }

  /** Why the sandbox ended, once it has (its trap, limit, kill or violation); none after an exit. */
  get failure(): KeelError | undefined {
    return this.#endReason;
  }

  /** Why it ended, the error made on first use for a kill (a stack-less `killed` error). */
  get #endReason(): KeelError | undefined {
    if (this.#endError === undefined && this.#killedBecause !== undefined) {
      this.#endError = KeelError.recorded('killed', this.#killMessage(this.#killedBecause), {
        sandbox: this.id,
      });
      this.#killedBecause = undefined;
    }
    return this.#endError;
  }

  #killMessage(reason: string): string {
    return `sandbox ${this.id} was killed: ${reason}`;
  }

  /**
   * Kernel-internal: the code and message of `failure` without making the error (the scheduler
   * reads them at every end; a kill's error is made only if a caller ever meets it).
   */
  endSummary(): { code: string; message: string } | undefined {
    if (this.#endError === undefined && this.#killedBecause !== undefined)
      return { code: 'killed', message: this.#killMessage(this.#killedBecause) };
    return this.#endError;
  }

  /** The guest's exit status, once it has called `exit`. */
  get exitCode(): number | undefined {
    return this.#exitCode;
  }

  /** Kernel-internal: the context providers link against (made once, at spawn). */
  context(
    io: SandboxContext['io'],
    deterministic: boolean,
    seedBase: bigint,
    seedIndex: number,
    protectedPaths: readonly string[],
    sched?: SchedPorts,
  ): SandboxContext {
    if (deterministic) {
      // Virtual time: the deadline reads it too, so that a replay times out where the run did.
      const clock = new VirtualClock(this.#parts.meter);
      clock.deterministic = true;
      this.#parts.clock = clock;
      this.#parts.deadline.timeBy(clock);
    }
    this.#context = new Context(
      this.id,
      this.module.name,
      this.#parts,
      io,
      deterministic,
      seedBase,
      seedIndex,
      protectedPaths,
      sched,
    );
    return this.#context;
  }

  /**
   * Kernel-internal: what the guest's side of the host (its meter's events, its byte budget)
   * reaches of this sandbox (see `SandboxParts`).
   */
  get parts(): SandboxParts {
    return this.#parts;
  }

  /** Kernel-internal: run the providers' cleanups (once). Called when the sandbox ends or its spawn fails. */
  release(): void {
    const context = this.#context;
    if (context === undefined) return;
    for (const cleanup of takeCleanups(context) ?? []) {
      try {
        cleanup();
      } catch {
        // A provider's cleanup must not stop the others, nor the kernel.
      }
    }
    forget(context);
  }

  /** Kernel-internal: attach a core module's instantiated exports. */
  attach(exports: Record<string, unknown>, signatures: ReadonlyMap<string, FuncSignature>): void {
    this.#parts.exports.attach(exports, signatures);
  }

  /** Kernel-internal: attach a guest that runs in a worker. */
  attachRemote(remote: RemoteGuest, describe: (exportName: string) => RemoteExport): void {
    this.#parts.exports.attachRemote(remote, describe);
  }

  /** Where the guest runs. */
  get placement(): 'inline' | 'worker' {
    return this.#parts.exports.remote ? 'worker' : 'inline';
  }

  /** Kernel-internal: attach an instantiated component. */
  attachComponent(component: ComponentInstance): void {
    this.#parts.exports.attachComponent(component);
  }

  /**
   * Emit an event this sandbox caused, stamped with its ids. It draws on the sandbox's event
   * budget for the current window (`limits.events`): past it the event is only counted, and the
   * count is reported in one `log:suppressed` event when the window closes.
   */
  emit(event: Omit<EventInput, 'sandbox'>): void {
    this.#parts.events.emit(event);
  }

  /** Kernel-internal: whether anything observes events of this kind (build them only then). */
  wants(name: EventName): boolean {
    return this.#parts.events.wants(name);
  }

  /**
   * Kernel-internal: the guest went past `limits.handles` (refused one more handle of the
   * resource type `kind`) or `limits.hostArgBytes` (handed `bytes` to the host function
   * `import` in one call), here or in its worker: the `resource:limit` event.
   */
  resourceLimitReached(reached: ResourceLimitReached): void {
    this.#parts.resourceLimitReached(reached);
  }

  /**
   * Emit an event that carries guest text from a stream (`guest:stdout`, `guest:stderr`,
   * `guest:log`): the text is redacted over the whole stream, so that a secret split across
   * writes is caught, and the event may be held back until that is known (at the latest to the
   * end of the window). `build` makes the event from the redacted text.
   */
  emitText(name: EventName, text: string, build: (text: string) => Omit<EventInput, 'sandbox'>): void {
    this.#parts.events.emitText(name, text, build);
  }

  /**
   * Kernel-internal: emit an event this sandbox caused about something else (a message it
   * published, dropped at a full subscriber), stamped as given but paid from this sandbox's budget.
   */
  emitCaused(event: EventInput): void {
    this.#parts.events.emitCaused(event);
  }

  /**
   * Kernel-internal: open an event window (an invocation, a delivery, the spawn): the whole
   * event budget again, after a summary of what was held back since the last window. Windows
   * nest: an invocation inside a delivery belongs to the delivery's window.
   */
  beginEventWindow(): void {
    this.#parts.events.begin();
  }

  /** Kernel-internal: close the window opened by `beginEventWindow`: summarize what was held back. */
  endEventWindow(): void {
    this.#parts.events.end();
  }

  /** The sandbox's fuel: used since spawn, remaining for the fast path, and its limits. */
  fuel(): SandboxFuel {
    return this.#fuel.report();
  }

  /** Fuel of the last invocation (also after a failure). */
  lastFuel(): FuelReport {
    return this.#fuel.last();
  }

  /**
   * Give the fast path a new budget: `fuel` (default: the per-invocation limit), never more than
   * what is left of the lifetime limit. Returns the budget set.
   */
  refuel(fuel: number = this.limits.fuel): number {
    const budget = this.#fuel.refuel(fuel);
    // Outside an invocation, a refuel opens the fast path's next window of events too.
    if (this.#parts.meter) this.#parts.events.refillIfIdle();
    return budget;
  }

  /**
   * Deterministic mode: move this sandbox's virtual clocks forward by `nanoseconds` (an explicit
   * step; the guest's fuel moves them too, 1 ns per unit). Its next reading is at least that
   * much later. Outside deterministic mode the clocks are real and this is `invalid-argument`.
   */
  advanceClock(nanoseconds: number | bigint): void {
    advanceClock(this.#parts.clock, nanoseconds);
  }

  /** Kernel-internal: the `fuel-exhausted` error for the invocation in progress (and its event). */
  fuelExhausted(exportName: string): KeelError {
    const { used, limit } = this.#fuel.spent();
    const error = new KeelError(
      'fuel-exhausted',
      `all fuel consumed by WebAssembly in "${exportName}" (used ${used} of ${limit})`,
      { export: exportName, used, limit },
    );
    this.emit({
      event: EVENTS.fuelExhausted,
      level: 'warn',
      status: 'error',
      data: { export: exportName, used, limit },
    });
    return error;
  }

  /**
   * Kernel-internal: the meter's `onSlice`. Throws `timeout` when the call in progress is past
   * its deadline (the meter then stops the guest at every later check).
   */
  checkDeadline(): void {
    this.#parts.deadline.check();
  }

  /** Kernel-internal: a call that is not an invocation starts now (the start function, at spawn). */
  startClock(): void {
    this.#parts.deadline.begin();
  }

  /**
   * Milliseconds left before the deadline of the call in progress (`limits.deadlineMs`), as
   * `SandboxContext.timeLeftMs()` tells providers: what a source that waits on the kernel's
   * thread may wait, e.g. `fdSource(0, { maxWaitMs: () => sandbox.timeLeftMs() })`.
   */
  timeLeftMs(): number {
    return this.#parts.deadline.left();
  }

  /**
   * Kernel-internal: the first error host code threw into the guest in the call in progress (a
   * trap, a refusal, an exit), even if the guest caught it; undefined if none (`error` may be any value).
   */
  get hostThrown(): { error: unknown } | undefined {
    const deadline = this.#parts.deadline;
    return deadline.threw() ? { error: deadline.thrown } : undefined;
  }

  /** Whether the call in progress ran past its deadline (even if the guest caught the error). */
  get timedOut(): boolean {
    return this.#parts.deadline.expired;
  }

  /** Kernel-internal: the `timeout` error for the call in progress (and its event). */
  deadlineExceeded(exportName: string): KeelError {
    const elapsedMs = Math.round(this.#parts.deadline.elapsed());
    const { used } = this.#fuel.spent();
    const error = new KeelError(
      'timeout',
      `"${exportName}" ran past its deadline of ${this.#parts.deadline.ms} ms (${elapsedMs} ms)`,
      { export: exportName, deadlineMs: this.#parts.deadline.ms, elapsedMs },
    );
    this.emit({
      event: EVENTS.deadlineExceeded,
      level: 'warn',
      status: 'error',
      data: { export: exportName, deadlineMs: this.#parts.deadline.ms, elapsedMs, fuel: used },
    });
    return error;
  }

  /** Names a caller can invoke, as WIT spells them: `pkg:ns/iface@ver#fn`, world-level functions, core exports. */
  exportNames(): string[] {
    const names: string[] = [];
    for (const e of this.module.world.exports) {
      if (e.kind === 'function') names.push(e.name);
      else if (e.kind === 'interface') for (const f of e.functions ?? []) names.push(`${e.name}#${f.name}`);
    }
    return names;
  }

  /**
   * Invoke an export with JSON-compatible arguments. Resolves with the outcome; rejects with a
   * `KeelError` (trap, limit, denial, ...). Interface exports are `pkg:ns/iface#fn` (version optional).
   */
  async invoke(
    exportName: string,
    args: readonly unknown[] = NO_ARGUMENTS,
    options: InvokeOptions = NO_OPTIONS,
  ): Promise<InvokeOutcome> {
    // Back-pressure: a log that has fallen behind catches up before more guest code runs.
    if (this.#bus.congested) await this.#bus.drained();
    const remote = this.#parts.exports.remote;
    if (remote) return this.#invokeRemote(remote, exportName, args, options);
    return this.invokeSync(exportName, args, options);
  }

  /** Invoke and return only the value. */
  async call(exportName: string, ...args: unknown[]): Promise<unknown> {
    return (await this.invoke(exportName, args)).value;
  }

  /**
   * The synchronous form of `invoke` (a worker sandbox's call blocks the kernel's thread). Each
   * invocation is one event window.
   */
  invokeSync(
    exportName: string,
    args: readonly unknown[] = NO_ARGUMENTS,
    options: InvokeOptions = NO_OPTIONS,
  ): InvokeOutcome {
    this.#call ??= new CallInProgress();
    const call = this.#call;
    this.beginEventWindow();
    // One `try` where `#invokeRemote` has two (the same steps in the same order: a refused start
    // neither fails the call nor ends a request): fewer bytes of code in the call V8 inlines.
    let started = false;
    try {
      const callArgs = this.#beginCall(call, exportName, args, options);
      started = true;
      const run = call.run;
      return this.#endCall(call, run === undefined ? callWith(call.fn, callArgs) : run(call));
    } catch (error) {
      if (!started) throw error;
      return this.#failCall(call, error);
    } finally {
      if (started) {
        this.#parts.events.endRequest();
        if (this.#context) setInput(this.#context, undefined);
      }
      this.endEventWindow();
    }
  }

  /** A worker sandbox's invocation, waited for on the event loop. Also one event window. */
  async #invokeRemote(
    remote: RemoteGuest,
    exportName: string,
    args: readonly unknown[],
    options: InvokeOptions,
  ): Promise<InvokeOutcome> {
    this.#call ??= new CallInProgress();
    const call = this.#call;
    this.beginEventWindow();
    try {
      const callArgs = this.#beginCall(call, exportName, args, options);
      try {
        return this.#endCall(call, await remote.call(call.name, callArgs));
      } catch (error) {
        return this.#failCall(call, error);
      } finally {
        this.#parts.events.endRequest();
        if (this.#context) setInput(this.#context, undefined);
      }
    } finally {
      this.endEventWindow();
    }
  }

  /**
   * Start an invocation: `call` rewritten, the arguments the export takes returned (a scalar
   * export's are lowered into `call` itself, for `call.run`, and `LOWERED` returned).
   *
   * Kept larger than the largest function V8 inlines (`--max-inlined-bytecode-size`, 460 bytes
   * of bytecode: the options are read here, not in helpers of their own), so that it is always
   * compiled on its own with its callees inlined into it. At 390 bytes it was inlined into its
   * caller whenever its call site came first among that caller's candidates (ranked by call
   * frequencies that differed in the fourth decimal), which spent most of the caller's budget
   * (920 bytes in all) and left this function's own callees (the fuel account's start, the
   * converter, the state checks) as calls: the bench's add row read 150-190 ns in about half
   * the processes and 105-115 ns in the others (bench/results/perf-invoke-2026-12-07-16.md).
   */
  #beginCall(
    call: CallInProgress,
    exportName: string,
    args: readonly unknown[],
    options: InvokeOptions,
  ): readonly unknown[] {
    const target = this.#resolve(exportName);
    // Default options (the common call) read none: the caller's options object is read only when
    // given, each field once, in branches the default call never takes (a timed caller's
    // feedback made the default call 20-40 ns slower in the bench, which measures both:
    // bench/results/perf-invoke-2026-12-07-14.md).
    const given = options !== NO_OPTIONS;
    let input: InvocationInput | undefined;
    if (given) {
      const stdin = options.stdin;
      if (stdin !== undefined) input = invocationInput(stdin);
    }
    // One load of the parts for the deadline, events and clock below (the sandbox keeps no copies).
    const parts = this.#parts;
    const deadline = parts.deadline;
    // `InvokeOptions.fuel` is a number, never coerced ('100' was read as 100 and 1n threw a
    // TypeError with no code); an unmetered sandbox, which reads no budget, refuses the same values.
    let fuel: number | undefined;
    if (given) {
      fuel = options.fuel;
      if (fuel !== undefined && (typeof fuel !== 'number' || !(fuel >= 0))) badFuel(fuel);
    }
    this.#fuel.start(this.id, exportName, fuel, deadline.ran());
    const request = this.#ids.nextRequest();
    // Untimed unless the caller asked (`timing: true`; other than a boolean is refused) or
    // something observes `invoke:end` (its event carries the duration; an event log does): an
    // untimed call reads no clock (a reading costs 41-45 ns on this project's machines, as much
    // as the rest of a scalar call), and its deadline's clock starts at its first slice or wait,
    // as a fast-path call's does (docs/limits.md, "When its clock starts"). A timed call reads
    // the clock once for both (outside deterministic mode the deadline's clock is
    // performance.now; a sandbox has virtual clocks in deterministic mode only).
    let timed = false;
    if (given) {
      const timing = options.timing;
      if (timing !== undefined && typeof timing !== 'boolean') badTiming(timing);
      timed = timing === true;
    }
    let started = Number.NaN;
    if (timed || parts.events.wants(EVENTS.invokeEnd)) {
      started = performance.now();
      deadline.begin(parts.clock !== undefined ? undefined : started);
    } else if (parts.clock !== undefined || parts.meter === undefined) {
      // Deterministic mode reads its virtual clock (free); an unmetered sandbox hands out no
      // slices, so its deadline's clock starts with the call (it counts from then to its waits).
      deadline.begin();
    } else deadline.mark();
    // Built only when observed: an unobserved invocation allocates no event and formats no id.
    if (parts.events.wants(EVENTS.invokeStart)) this.#emitStart(request, exportName);
    const callArgs = target.fromJson(args, call);
    // The embedder's code ran since `#resolve` checked (an `invoke:start` listener, an argument's
    // getter): a call it started that is still running (a worker sandbox's) or a kill it made
    // refuses this one here, before two calls share the sandbox (hostile/isolate/invoke-from-start-listener).
    this.#checkRunnable();
    this.#setState('running');
    parts.events.startRequest(request);
    if (this.#context) setInput(this.#context, input);
    call.exportName = exportName;
    call.fn = target.fn;
    call.run = target.run;
    call.name = target.name;
    call.request = request;
    call.started = started;
    return callArgs;
  }

  #endCall(call: CallInProgress, value: unknown): InvokeOutcome {
    if (this.#state !== 'running') this.#endedInCall();
    if (typeof value === 'object' && value !== null) this.#admitRendering(value);
    // The common end in one read of the counter (`FuelAccount.close`): nothing expired or thrown,
    // the counter at or above zero. Anything else is settled in full, in this order: a guest that
    // caught the fuel error (or the timeout) and returned still ran out, as did a body with no
    // check that ran past the budget (`spent`: its counter below zero).
    const deadline = this.#parts.deadline;
    let fuel = deadline.expired || deadline.threw() ? undefined : this.#fuel.close();
    if (fuel === undefined) fuel = this.#settleEnd(call);
    this.#setState('ready');
    // What only a timed or observed call does is in functions of its own: the bytes of a
    // function's code count against how much V8 inlines into its caller (docs/benchmarks.md).
    if (!Number.isNaN(call.started) || this.#parts.events.wants(EVENTS.invokeEnd))
      return this.#endTimed(call, value, fuel);
    return { value: toJsonResult(value), fuel };
  }

  /** `#endCall`'s end settled in full: throws why the call failed, or renews the budget (`finish`). */
  #settleEnd(call: CallInProgress): FuelReport {
    const deadline = this.#parts.deadline;
    if (deadline.expired) throw this.deadlineExceeded(call.exportName);
    if (this.#parts.meter?.spent()) throw this.fuelExhausted(call.exportName);
    // Host code threw into the guest (a trap, a refusal, an exit), which caught it and returned.
    if (deadline.threw()) throw deadline.thrown;
    // `#endBudget` without its refill of the event budget: an invocation ends inside its own
    // window, where the refill does nothing.
    return this.#fuel.finish();
  }

  /** The end of a timed or observed call: its duration, its `invoke:end` event when observed. */
  #endTimed(call: CallInProgress, value: unknown, fuel: FuelReport): InvokeOutcome {
    const duration_ms = since(call.started);
    if (this.#parts.events.wants(EVENTS.invokeEnd))
      this.emit({
        event: EVENTS.invokeEnd,
        request: requestId(call.request),
        status: 'ok',
        ...(duration_ms === undefined ? {} : { duration_ms }),
        data: { export: call.exportName, fuel },
      });
    if (duration_ms === undefined) return { value: toJsonResult(value), fuel };
    return { value: toJsonResult(value), fuel, duration_ms };
  }

  /**
   * The JSON rendering of a result is priced and bounded before it is made (a lifted list of
   * bytes becomes an array of one number a byte): charged at its heap bytes and
   * `VALUE_RENDER_BYTES` a value, `WIDE_RENDER_BYTES` more a 64-bit integer, `LARGE_LIST_LIFT_BYTES`
   * more an element of an array past `LARGE_LIST_VALUES` (`fuel-exhausted` past the call's fuel), and a rendering that
   * would take more than the call's byte cap (`limits.memoryBytes`, as the lift's) is a `trap`.
   */
  #admitRendering(value: object): void {
    const cap = this.#parts.maxCallBytes;
    const { heap, values, wides, larges } = renderCost(value, cap);
    if (heap > cap) {
      throw new KeelError(
        'trap',
        `the guest's result takes more than ${cap} bytes of host heap to render as JSON (limits.memoryBytes, at most a quarter of the host's heap limit)`,
        { bytes: heap, limit: cap },
      );
    }
    this.#parts.charge(
      heap + values * VALUE_RENDER_BYTES + wides * WIDE_RENDER_BYTES + larges * LARGE_LIST_LIFT_BYTES,
    );
  }

  /** `invoke:start`, when observed. */
  #emitStart(request: number, exportName: string): void {
    this.emit({ event: EVENTS.invokeStart, request: requestId(request), data: { export: exportName } });
  }

  /** The sandbox ended during the call (killed from a host function or a hook). */
  #endedInCall(): never {
    throw this.#endedError();
  }

  /** Why a call that was running cannot finish: the sandbox ended under it. */
  #endedError(): KeelError {
    return this.#endReason ?? new KeelError('killed', `sandbox ${this.id} ended`);
  }

  #failCall(call: CallInProgress, error: unknown): InvokeOutcome {
    if (this.#state !== 'running') {
      // Ended during the call (killed from a host function or a hook): whatever the guest did
      // since does not count.
      const failure = this.#endReason ?? classifyFailure(error, call.exportName);
      const duration_ms = since(call.started);
      this.emit({
        event: EVENTS.invokeError,
        level: 'error',
        request: requestId(call.request),
        status: 'error',
        ...(duration_ms === undefined ? {} : { duration_ms }),
        error: failure.toJSON(),
      });
      throw failure;
    }
    const outcome = this.#settleFailure(error, call.exportName, call.request, call.started);
    if (outcome) return outcome;
    throw this.#endReason ?? error;
  }

  /**
   * The typed fast path: the export as a plain function taking and returning the engine's
   * values (numbers, BigInt for 64-bit, strings, arrays). No events per call; failures are
   * `KeelError`s and end the sandbox exactly as through `invoke`.
   */
  fn<F extends (...args: any[]) => any>(exportName: string): F {
    this.#checkRunnable();
    const gate = this.#parts.deadline;
    this.#owner ??= new FastOwner(this);
    const owner = this.#owner;
    // Scalars only (the common case): one function of Keel's own that checks the arguments,
    // calls the core export and lifts the result inline (host/abi/fast.ts). Found without
    // resolving the export: its general lifted function is never made (spawn time, issue 12).
    const meter = this.#parts.meter;
    const scalar = this.#parts.exports.scalar(exportName, meter !== undefined);
    if (scalar) return scalarCall(scalar, gate, owner, exportName, meter) as F;
    const target = this.#resolve(exportName).fn;
    // In a call, as through invokeSync: a kill from a host call empties the meter (the guest
    // unwinds at its next check) and a re-entrant call is refused.
    const call = (...args: unknown[]) => {
      if (gate.busy > 1 /* GATE_OPEN */) owner.refuse();
      gate.enter();
      let result: unknown;
      try {
        result = target(...args);
        // A loop-free export never checks its own charge: what a check would find, as the scalar
        // path does (`FuelPurse.settle`), or calls go on past the budget without end.
        meter?.settle();
      } catch (error) {
        return owner.fail(error, exportName);
      }
      // A worker's guest runs on the worker's meter: its exhaustion is read here.
      if (!gate.leave() || meter?.exhausted()) owner.after(exportName);
      return result;
    };
    return call as F;
  }

  /**
   * Kernel-internal (`DestructorRunner`): the embedder dropped a resource the guest defines
   * (`[Symbol.dispose]()`, a JSON `[resource-drop]`), and its destructor is guest code. Inside a
   * call it runs under that call; otherwise as a fast-path call does (the gate: deadline, fuel,
   * re-entry, and a trap or exhaustion ends the sandbox); once the sandbox ended, not at all.
   */
  runDestructor(destroy: () => void, resource: string): void {
    if (this.#state === 'running' || this.#inFastCall) {
      destroy();
      return;
    }
    if (this.#state !== 'ready') return;
    const gate = this.#parts.deadline;
    this.#owner ??= new FastOwner(this);
    const owner = this.#owner;
    const name = `[dtor]${resource}`;
    if (gate.busy > 1 /* GATE_OPEN */) owner.refuse();
    gate.enter();
    try {
      destroy();
      this.#parts.meter?.settle();
    } catch (error) {
      owner.fail(error, name);
      return;
    }
    if (!gate.leave() || this.#parts.meter?.exhausted()) owner.after(name);
  }

  /** A fast-path call is running: marked by itself, or the common one by host code it reached (`CallDeadline.inFastCall`). */
  get #inFastCall(): boolean {
    return this.#parts.deadline.inFastCall();
  }

  /** The state, mirrored in the fast path's gate. */
  #setState(state: SandboxState): void {
    this.#state = state;
    const gate = this.#parts.deadline;
    gate.busy = (gate.busy & ~NOT_READY) | (state === 'ready' ? 0 : NOT_READY);
  }

  /** A fast-path call may not start at once: throws why, or returns (a stale mark) with the gate open. */
  #fastRefuse(): void {
    this.#checkRunnable();
    this.#parts.deadline.open();
  }

  /** The fast-path call returned but the gate says look (see `CallDeadline.leave`). */
  #fastAfter(exportName: string): void {
    const deadline = this.#parts.deadline;
    if (this.#state !== 'ready') {
      this.#fastFail(this.#endedError(), exportName);
      return;
    }
    if (!deadline.expired && !this.#parts.meter?.exhausted()) {
      // Host code threw into the guest, which caught it and returned: the call fails with it.
      if (deadline.threw()) this.#fastFail(deadline.thrown, exportName);
      else deadline.settle();
      return;
    }
    // Made under the call: making either error emits its event.
    const error = this.#underTheCall(() =>
      deadline.expired ? this.deadlineExceeded(exportName) : this.fuelExhausted(exportName),
    );
    this.#fastFail(error, exportName);
  }

  /**
   * `settle` with the gate still showing the call: the events the failure emits
   * (`deadline:exceeded`, `fuel:exhausted`, `invoke:error`, `sandbox:exit`) reach their observers
   * while a new call is refused as re-entrant, as during `invoke`; settled at once, an observer
   * could start a call on a sandbox about to be poisoned, with a fresh budget and deadline.
   */
  #underTheCall<T>(settle: () => T): T {
    const deadline = this.#parts.deadline;
    deadline.busy |= IN_CALL;
    try {
      return settle();
    } finally {
      deadline.settle();
    }
  }

  /** The fast-path call threw `error`: settle as an invocation does; an exit returns undefined. */
  #fastFail(error: unknown, exportName: string): undefined {
    if (this.#state !== 'ready') {
      this.#parts.deadline.settle();
      throw this.#endReason ?? error;
    }
    // Not rendered: `fn` throws the payload as it is (rendering it was unpriced work for nothing).
    const outcome = this.#underTheCall(() =>
      this.#settleFailure(error, exportName, 0, performance.now(), false),
    );
    // An exit ends the sandbox with a status (read `exitCode`); a `result::err` is thrown
    // as jco's glue throws it, with its payload.
    if (outcome?.exit !== undefined) return undefined;
    throw this.#endReason ?? error;
  }

  static {
    gateRefuse = (sandbox) => sandbox.#fastRefuse();
    gateAfter = (sandbox, exportName) => sandbox.#fastAfter(exportName);
    gateFail = (sandbox, error, exportName) => sandbox.#fastFail(error, exportName);
  }

  /**
   * Kill the sandbox: it never runs again, even when called in the middle of one of its calls
   * (from a host function or an event hook): that call then fails with the same error.
   * Idempotent. `error` replaces the default `killed` error (a policy violation, say).
   */
  terminate(reason = 'terminated by the embedder', error?: KeelError): void {
    if (this.#state === 'killed' || this.#state === 'exited' || this.#state === 'poisoned') return;
    // Killed in the middle of a call (from a host function): the guest reloads its counter when
    // that host call returns, finds it empty at its next check and unwinds.
    if (this.#state === 'running' || this.#inFastCall) this.#parts.meter?.setRemaining(0);
    const remote = this.#parts.exports.remote;
    // The error of a kill is made when first needed (a call into the ended sandbox, `failure`).
    const ended =
      error ??
      (remote ? KeelError.recorded('killed', this.#killMessage(reason), { sandbox: this.id }) : undefined);
    // A worker sandbox ends at once, wherever its guest is (a tight loop, a host call).
    if (ended) remote?.kill(ended);
    else this.#killedBecause = reason;
    this.#end('killed', ended, {
      event: EVENTS.sandboxExit,
      status: 'ok',
      data: { reason, state: 'killed' },
    });
  }

  /** What this invocation used; the fast path gets a fresh per-invocation budget. */
  #endBudget(): FuelReport {
    const fuel = this.#fuel.finish();
    // Outside an invocation, the fast path's refuel opens its next window of events too.
    if (this.#parts.meter) this.#parts.events.refillIfIdle();
    return fuel;
  }

  #checkRunnable(): void {
    // The gate's word read here, not through `#inFastCall`: V8 calls a private getter at each read.
    if (this.#state === 'ready' && (this.#parts.deadline.busy & CALL_IN_PROGRESS) === 0) return;
    this.#refuseRun();
  }

  /** Why the sandbox cannot run a call now (out of `#checkRunnable`, which V8 then inlines into `invokeSync`). */
  #refuseRun(): never {
    if (this.#state === 'running' || this.#inFastCall) {
      throw new KeelError(
        'invalid-argument',
        `sandbox ${this.id} is already running a call (re-entrant calls are not allowed)`,
        {
          sandbox: this.id,
        },
      );
    }
    throw new KeelError('killed', `sandbox ${this.id} cannot run: it has ${this.#describeEnd()}`, {
      sandbox: this.id,
      state: this.#state,
      ...(this.#endReason ? { cause: this.#endReason.code } : {}),
    });
  }

  #describeEnd(): string {
    if (this.#state === 'exited') return `exited with status ${this.#exitCode}`;
    if (this.#state === 'poisoned')
      return `been poisoned by an earlier ${this.#endReason?.code ?? 'failure'}`;
    return 'been killed';
  }

  /** Returns an outcome for a guest exit; otherwise records the failure (throws nothing). */
  #settleFailure(
    error: unknown,
    exportName: string,
    requestNumber: number,
    started: number,
    /** Whether a `result::err`'s payload is rendered as JSON (an invocation's), or thrown as it is (`fn`'s). */
    rendered = true,
  ): InvokeOutcome | undefined {
    // Host code threw into the guest during the call: its first error is the call's, whatever
    // the guest threw or returned since (it may have caught that error and carried on).
    const intoGuest = this.#parts.deadline.threw();
    if (intoGuest) error = this.#parts.deadline.thrown;
    const duration_ms = since(started);
    const timing = duration_ms === undefined ? {} : { duration_ms };
    const request = requestNumber === 0 ? undefined : requestId(requestNumber);
    if (error instanceof GuestExit) {
      this.#exitCode = error.code;
      this.#end('exited', undefined, {
        event: EVENTS.sandboxExit,
        ...(request ? { request } : {}),
        status: error.code === 0 ? 'ok' : 'error',
        data: { exit: error.code },
      });
      return { value: null, exit: error.code, fuel: this.#endBudget(), ...timing };
    }
    // A host error thrown into the guest is never the export's `result::err`. Nor is an `err`
    // returned past the deadline or the budget (a body with no check that ran past it, a guest
    // that caught the fuel error or the timeout): settled as `#endCall` settles a result.
    let componentError = intoGuest ? undefined : componentErrorPayload(error);
    if (componentError && (this.#parts.deadline.expired || this.#parts.meter?.spent()))
      componentError = undefined;
    if (
      rendered &&
      componentError &&
      typeof componentError.payload === 'object' &&
      componentError.payload !== null
    ) {
      try {
        this.#admitRendering(componentError.payload);
      } catch (refusal) {
        // Too large to render, or out of fuel: a failure of the call, as a result would be.
        componentError = undefined;
        error = refusal;
      }
    }
    if (componentError) {
      // A `result::err` is a value, not a failure: hand it back as jco renders results.
      this.#setState('ready');
      const value = rendered ? { tag: 'err', val: toJsonValue(componentError.payload) } : null;
      this.emit({
        event: EVENTS.invokeEnd,
        ...(request ? { request } : {}),
        status: 'ok',
        ...timing,
        data: { export: exportName },
      });
      return { value, err: true, fuel: this.#endBudget(), ...timing };
    }
    const failure = this.#parts.deadline.expired
      ? error instanceof KeelError && error.code === 'timeout' && 'export' in error.details
        ? error
        : this.deadlineExceeded(exportName)
      : this.#parts.meter?.exhausted() &&
          !(error instanceof KeelError && error.code === 'fuel-exhausted' && 'export' in error.details)
        ? this.fuelExhausted(exportName)
        : classifyFailure(error, exportName);
    if (failure.code !== 'fuel-exhausted' && failure.code !== 'timeout') this.#endBudget();
    this.emit({
      event: EVENTS.invokeError,
      level: 'error',
      ...(request ? { request } : {}),
      status: 'error',
      ...timing,
      error: failure.toJSON(),
    });
    // The embedder's bad argument leaves the sandbox as it was; thrown into the guest, it does not.
    if (failure.code === 'invalid-argument' && !intoGuest) {
      this.#setState('ready');
      throw failure;
    }
    // After a trap the guest's state cannot be trusted (the component model says the same).
    this.#end('poisoned', failure, {
      event: EVENTS.sandboxCrash,
      level: 'error',
      status: 'error',
      error: failure.toJSON(),
    });
    throw failure;
  }

  /** End the sandbox; `event` (its exit or crash) is emitted before the kernel reacts to the end. */
  #end(
    state: 'exited' | 'poisoned' | 'killed',
    reason: KeelError | undefined,
    event: Omit<EventInput, 'sandbox'>,
  ): void {
    this.#setState(state);
    this.#endError = reason;
    this.#parts.exports.remote?.kill(reason ?? new KeelError('killed', `sandbox ${this.id} ended`));
    this.#parts.exports.clear();
    // What the guest's instances reach of the host until V8 collects them: not its limit events.
    this.#parts.meter?.detach();
    this.#parts.events.closing(() => this.release());
    this.emit(event);
    this.#onEnd(this);
  }

  /** How the fast path reaches an export: a core module's export itself, or a component's lifted export. */
  callPath(exportName: string): 'core' | 'component' {
    const resolved = this.#resolve(exportName);
    return resolved.signature || this.module.kind === 'core' ? 'core' : 'component';
  }

  #resolve(exportName: string): ResolvedExport {
    this.#checkRunnable();
    const found = this.#parts.exports.resolve(exportName);
    if (found) return found;
    return this.#noSuchExport(exportName);
  }

  #noSuchExport(exportName: string): never {
    const available = this.exportNames();
    throw new KeelError(
      'no-such-target',
      `no export "${exportName}" in ${this.module.name}; available: ${available.join(', ') || '(none)'}`,
      { export: exportName, available },
    );
  }
}

/** Milliseconds since `started` (a `performance.now()` reading), or undefined for an untimed call (NaN). */
function since(started: number): number | undefined {
  return Number.isNaN(started) ? undefined : performance.now() - started;
}

/** `fn(...args)` without spreading the common arities. */
function callWith(fn: (...args: unknown[]) => unknown, args: readonly unknown[]): unknown {
  switch (args.length) {
    case 0:
      return fn();
    case 1:
      return fn(args[0]);
    case 2:
      return fn(args[0], args[1]);
    case 3:
      return fn(args[0], args[1], args[2]);
    default:
      return fn(...args);
  }
}

/** `InvokeOptions.fuel` other than a non-negative number. */
function badFuel(fuel: unknown): never {
  throw new KeelError(
    'invalid-argument',
    `InvokeOptions.fuel must be a non-negative number, got ${typeof fuel === 'number' ? fuel : typeof fuel}`,
  );
}

/** `InvokeOptions.timing` other than a boolean (`1` would otherwise be an untimed call). */
function badTiming(timing: unknown): never {
  throw new KeelError('invalid-argument', `InvokeOptions.timing must be a boolean, got ${typeof timing}`);
}

function invocationInput(stdin: Uint8Array | string | undefined): InvocationInput | undefined {
  if (stdin === undefined) return undefined;
  if (typeof stdin === 'string') return { stdin: new TextEncoder().encode(stdin) };
  if (stdin instanceof Uint8Array) return { stdin };
  throw new KeelError('invalid-argument', 'InvokeOptions.stdin must be a Uint8Array or a string');
}
