/**
 * What a capability provider is and what it may use. A provider serves one capability area
 * (one or more WIT interfaces, or core imports) and builds, per sandbox, the objects the
 * guest's imports are linked to. It never touches another sandbox's state.
 */

import type { EventName } from '../events/names.js';
import type { EventInput } from '../events/record.js';
import type { Limits } from '../kernel/limits.js';
import type { SchedPort } from '../sched/port.js';

/** Where an input stream's bytes come from. `read` returns `undefined` at end of stream. */
export interface ByteSource {
  /**
   * Up to `max` bytes, waiting for at least one when none is there yet; `undefined` at the end.
   * May throw an `IoError` (the stream's `last-operation-failed`). `maxWaitMs` is the longest
   * it may wait, the running call's time left before its deadline (the kernel always passes
   * it): a source that would wait longer throws `KeelError('timeout')` once that has passed.
   */
  read(max: number, maxWaitMs?: number): Uint8Array | undefined;
  /** Whether `read` would return without waiting (default: always). */
  ready?(): boolean;
  /** Wait until `ready` (default: never waits), at most `maxWaitMs` as for `read`. */
  wait?(maxWaitMs?: number): void;
  close?(): void;
}

/** Sandbox-side I/O wiring given at spawn (the CLI connects these to the terminal). */
export interface SandboxIo {
  /**
   * What `wasi:cli/stdin` reads: fixed bytes, or a stream such as `fdSource(0)` (the process's
   * own stdin, read as the guest asks). Absent: an empty stdin (the end of the stream at once).
   */
  stdin?: Uint8Array | ByteSource;
  stdout?: (chunk: Uint8Array) => void;
  stderr?: (chunk: Uint8Array) => void;
}

/** What one invocation brings besides its arguments (a fresh object per invocation). */
export interface InvocationInput {
  readonly stdin: Uint8Array;
}

/** What the kernel lends a provider for one sandbox. */
export interface SandboxContext {
  readonly sandbox: string;
  readonly module: string;
  readonly limits: Readonly<Limits>;
  /**
   * The spawn's I/O wiring, read-only: a spawn without `io` shares one frozen, empty object
   * across sandboxes (a write would throw), and the embedder's own object is not the provider's
   * to change.
   */
  readonly io: Readonly<SandboxIo>;
  /** Deterministic mode: virtual clocks, seeded randomness. */
  readonly deterministic: boolean;
  /** Seed for this sandbox's deterministic randomness. */
  readonly seed: bigint;
  /**
   * Host directories of Keel itself (the kernel's cache of metered modules, which Keel runs):
   * no grant may let the guest write them, nor a directory that holds them.
   */
  readonly protectedPaths: readonly string[];
  /** Emit an event stamped with this sandbox's ids (it draws on the sandbox's event budget). */
  emit(event: Omit<EventInput, 'sandbox'>): void;
  /**
   * Emit an event carrying guest text from a stream (`guest:stdout`, `guest:stderr`,
   * `guest:log`): redacted over the stream, so that a secret split across writes is caught;
   * `build` makes the event from the redacted text, possibly later in the window.
   */
  emitText(name: EventName, text: string, build: (text: string) => Omit<EventInput, 'sandbox'>): void;
  /** State shared by the providers of one sandbox (for example wasi:io's streams), created once. */
  state<T>(key: string, init: () => T): T;
  /** End the sandbox with an exit status; unwinds the guest. Never returns. */
  exit(code: number): never;
  /**
   * Charge the sandbox's fuel for host work done on its behalf; throws `fuel-exhausted` when it
   * runs out. Providers charge bytes that cross the boundary with `chargeBytes`.
   */
  charge(fuel: number): void;
  /**
   * Deterministic mode: how far the sandbox's virtual time has been moved, in nanoseconds: by
   * the guest's computation (1 ns per unit of fuel used) and by the embedder
   * (`sandbox.advanceClock`). Virtual clocks never read earlier than this.
   */
  virtualNanos(): bigint;
  /**
   * Milliseconds left before the running call's deadline (`limits.deadlineMs`), time already
   * spent waiting included. Anything that blocks the kernel's thread waits at most this long:
   * use `blockingWait` (wait.ts), which also fails the call with `timeout` at the deadline.
   */
  timeLeftMs(): number;
  /**
   * The running call is past its deadline: stop the guest (it cannot catch its way out) and
   * throw `timeout`; the sandbox is then poisoned. Never returns.
   */
  timedOut(): never;
  /**
   * Whether a host function may answer with a promise now: true while a worker sandbox's call
   * is awaited on the kernel's event loop (`sandbox.invoke`), false inline and in synchronous
   * calls (`invokeSync`, `sandbox.fn`), where nothing can wait on the loop. A provider whose
   * work is asynchronous (network, timers) then returns a promise and leaves the kernel's
   * thread free; otherwise it blocks within `timeLeftMs()` (wait.ts).
   */
  mayAwait(): boolean;
  /** The running invocation's own input, when it brought any (`InvokeOptions.stdin`). */
  invocationInput(): InvocationInput | undefined;
  /**
   * The request id of the invocation running now (undefined between invocations and on the
   * fast path): per-invocation caps reset when it changes.
   */
  invocationId(): string | undefined;
  /**
   * Run `cleanup` once when the sandbox ends (exit, trap, kill, kernel close) or its spawn fails:
   * close host descriptors, emit summaries. A cleanup that throws is ignored.
   */
  onEnd(cleanup: () => void): void;
  /** The sandbox's end of the kernel's scheduler (IPC, events, self); absent outside a kernel. */
  readonly sched?: SchedPort;
}

export interface LinkRequest {
  /** Version-less interface: `wasi:cli/stdout`; for core imports `module.name`. */
  interface: string;
  /** The grant's scope, already validated by `parseScope`. */
  scope: unknown;
  context: SandboxContext;
}

/**
 * What host work costs in fuel, as data (docs/fuel.md, "Host calls", publishes the table and
 * where each is charged; `test/bench/fuel-prices.test.ts` checks the two agree). Each charge has
 * one place: a guest's call and the bytes it passes are charged where the call enters the host
 * (the linker's gate, the canonical ABI, preview1's `serve` and `GuestMemory.admit`); a
 * provider charges only the work it does beyond that (bytes it hands back, operations).
 *
 * The prices are calibrated so that a unit of fuel costs about as much host CPU time as a unit
 * of compute (`bench/fuel/run.ts`; docs/fuel.md, "Calibration"): the cheapest host call takes
 * hundreds of nanoseconds where compute takes about 0.06 ns a unit, so a call costs thousands.
 */
export interface HostCosts {
  /** Per call of a host function, charged where the call enters the host (errors and denials too). */
  call: number;
  /** Per byte that crosses the boundary, either way (strings, lists, buffers, bytes handed back). */
  byte: number;
  /** Per filesystem operation on an open descriptor (a read, a write, a stat: system calls), failed ones too. */
  fsOperation: number;
  /**
   * Per filesystem operation that resolves a path (an open, a stat, a rename, an unlink, ...),
   * instead of `fsOperation`: each component is looked up and checked against the preopen.
   */
  fsPath: number;
  /** Per write to stdout or stderr (the sink: the embedder's callback, the redacted text event). */
  output: number;
  /** Per byte written to stdout or stderr, beyond `byte` (decoded, redacted, logged). */
  outputByte: number;
  /** Per byte of randomness, beyond `byte` (the system's generator). */
  randomByte: number;
  /**
   * Per call of `keel:kernel/ipc` and `keel:kernel/events` (send, request, reply, publish,
   * subscribe), instead of `call`: the scheduler's routing, grant checks, queues and events.
   */
  message: number;
  /** Per byte of a message sent or published, beyond `byte` (queued and delivered); for a publication, again per recipient. */
  messageByte: number;
  /**
   * Per recipient a publication reaches, beyond the call's `message`: each subscriber on this
   * host (queued, or dropped at a full mailbox: the host delivers to each in turn) and each other
   * host of the lattice it goes to. So a publication to N subscribers costs what N sends cost.
   */
  recipient: number;
  /**
   * Per subscription a publication is matched against (every pattern of every live subscriber),
   * and again per 64 steps of pattern segments × topic segments (`matchUnits`, host/sched/topics.ts).
   */
  topicMatch: number;
  /**
   * Per outgoing HTTP request (`wasi:http/outgoing-handler.handle`, each hop of a redirect): a
   * connection, the policy, the network thread's exchange (measured: `bench/fuel/run.ts`).
   */
  httpRequest: number;
  /** Per byte of an HTTP request or response body, beyond `byte`: sent or received, parsed, handed over. */
  httpByte: number;
}

export const DEFAULT_HOST_COSTS: Readonly<HostCosts> = Object.freeze({
  call: 5_000,
  byte: 2,
  fsOperation: 100_000,
  fsPath: 400_000,
  output: 10_000,
  outputByte: 8,
  randomByte: 4,
  message: 64_000,
  messageByte: 2,
  recipient: 64_000,
  topicMatch: 10_000,
  httpRequest: 10_000_000,
  httpByte: 64,
});

/** Charge `bytes` crossing the boundary at the default rate. */
export function chargeBytes(context: Pick<SandboxContext, 'charge'>, bytes: number): void {
  if (bytes > 0) context.charge(bytes * DEFAULT_HOST_COSTS.byte);
}

export interface CapabilityProvider {
  /** Short name used in docs and errors: `wasi-cli`. */
  readonly name: string;
  /** The interfaces this provider serves, version-less. */
  readonly interfaces: readonly string[];
  /**
   * Interfaces linked without a grant because they confer no authority on their own (wasi:io
   * streams exist only when a granted capability hands one out). Subset of `interfaces`.
   */
  readonly authorityFree?: readonly string[];
  /**
   * The WIT types this provider serves its interfaces at: a component (binary) that imports each
   * of `interfaces` (any version: versions are ignored), such as wasm-tools or jco make from a
   * WIT world that imports them (`componentEmbed({ dummy: true, witSource, world })`, then
   * `componentNew`); or a function that returns one, called once, when first needed. Keel reads
   * it with its own parser. Given, a component's import of an interface must have these types:
   * a spawn whose component imports a function (or resource, or type) of the interface with
   * another type is refused with `capability-denied` (docs/abi.md, "Import types"). Absent, the
   * component's own declaration is the only type there is: the provider gets whatever values
   * that type describes, and must check them itself.
   */
  readonly wit?: Uint8Array | (() => Uint8Array);
  /** Validate and normalize a grant's scope; throw `invalid-argument` with a clear message. */
  parseScope?(iface: string, scope: unknown): unknown;
  /**
   * The values of a (not yet validated) scope that must never reach the log: env values, host
   * paths. The kernel registers them with the redactor before the first event of the spawn.
   * Must not throw; a scope of the wrong shape has none.
   */
  secrets?(iface: string, scope: unknown): readonly string[];
  /**
   * Build the import object for one interface of one sandbox: functions and resource classes
   * for components, a `{ name: function }` record for a core import module.
   */
  link(request: LinkRequest): Record<string, unknown>;
  /**
   * With lazy denial, what an ungranted interface is linked to instead of the kernel's stub
   * (whose every call fails the guest with `capability-denied`): for example functions that
   * return WASI's own `access-denied`, so that the guest can carry on without the capability.
   */
  linkDenied?(request: Omit<LinkRequest, 'scope'>): Record<string, unknown>;
  /** Core imports: which names under a module this provider serves (`env.read_secret`). */
  readonly coreImports?: readonly string[];
  /** Fuel per call of this provider's functions (default `DEFAULT_HOST_COSTS.call`). */
  readonly callCost?: number;
}

/** A thrown value the jco glue hands to the guest as a WIT `result` error (not a trap). */
export function wasiError<T>(payload: T): { payload: T } {
  return { payload };
}
