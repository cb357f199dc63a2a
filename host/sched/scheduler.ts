/**
 * The scheduler: mailboxes, topics, requests, signals and supervision, and the loop that
 * delivers. Sandboxes never talk to each other directly: every message passes through here,
 * where the sender is stamped, the grant checked, the size capped, the mailbox bounded, and the
 * delivery scheduled and logged.
 *
 * Delivery is run-to-completion: the scheduler picks one sandbox, hands it one envelope (a
 * message, a reply, an event or a signal) through its `keel:kernel/handler` export within a
 * fuel slice, and only then picks again. Which sandbox goes next is weighted fair share (stride
 * scheduling): each delivery advances the sandbox's pass by `1 / weight`, the lowest pass goes
 * next, ties go to the oldest sandbox. No sandbox can starve another, however much mail it has;
 * the order depends only on what was sent, so a deterministic kernel replays it exactly.
 *
 * The unit of supervision is a *service*: one sandbox and its successors (restarts, upgrades).
 * The mailbox, links, subscriptions and requests awaiting a reply belong to the service, so a
 * successor inherits them; messages sent to a supervised path while its sandbox is being
 * restarted wait in the mailbox.
 */
import type { EventBus } from '../events/bus.js';
import { EVENTS } from '../events/names.js';
import type { EventInput } from '../events/record.js';
import { KeelError } from '../kernel/errors.js';
import type { SpawnOptions } from '../kernel/kernel.js';
import { type Limits, senderQuota } from '../kernel/limits.js';
import type { ModuleHandle } from '../kernel/module.js';
import type { Sandbox } from '../kernel/sandbox.js';
import { type Clock, realClock, type Timer, TimerQueue, virtualClock } from './clock.js';
import { isTopic, isTopicPattern, matchesAny, parseTarget } from './glob.js';
import { type Envelope, Mailbox } from './mailbox.js';
import {
  type EventsScope,
  GUEST_ERROR_CODES,
  type GuestErrorCode,
  type IpcScope,
  Refusal,
  type SchedPort,
} from './port.js';
import {
  qualify,
  type RemoteArrival,
  type RemoteLocation,
  type RemotePort,
  type RemoteSend,
  unqualify,
} from './remote.js';
import {
  aliases,
  classify,
  Entry,
  type HostWaiter,
  type PendingRequest,
  Service,
  type ServiceInfo,
  serviceInfo,
  subscribed,
} from './service.js';
import { backoffDelay, type Ending, type RestartPolicyInput, resolveRestart } from './supervise.js';

export type { ServiceInfo } from './service.js';

export type SignalName = 'stop' | 'cont' | 'int' | 'term' | 'kill';
export const SIGNALS: readonly SignalName[] = ['stop', 'cont', 'int', 'term', 'kill'];

const HANDLER = 'keel:kernel/handler';
const ON_MESSAGE = `${HANDLER}#on-message`;
const ON_REPLY = `${HANDLER}#on-reply`;
const ON_EVENT = `${HANDLER}#on-event`;
const ON_SIGNAL = `${HANDLER}#on-signal`;

/** The kernel's own topics; guests cannot publish there. */
export const KERNEL_TOPIC_PREFIX = 'keel.';
export const DOWN_TOPIC = 'keel.down';

/** Deliveries between two yields to Node's event loop (real time), at most. */
const BATCH = 512;
/** Real milliseconds of delivering before yielding to Node's event loop. */
const BATCH_MS = 8;
/**
 * Refusal events (`ipc:drop` of a refused send, `capability:denied`) a sandbox may cause between
 * two deliveries; the rest are counted and summarized in one event after the delivery, so that a
 * flood of refused sends cannot flood the log.
 */
const MAX_REFUSAL_EVENTS = 16;
/** Subscriptions one sandbox may hold (each costs every publication a match). */
const MAX_SUBSCRIPTIONS = 256;
/** Ended services kept for `services()` (summaries); older ones are forgotten. */
const KEEP_ENDED = 1024;
/** Virtual time one delivery takes, in ms, besides its fuel (1 ns per unit). */
const VIRTUAL_DELIVERY_MS = 0.001;

export interface SchedulerOptions {
  /** Fuel for one delivery; default: the sandbox's per-invocation fuel limit. */
  sliceFuel?: number;
  /** Fuel for `on-signal` (`int`, `term`); default 1,000,000. */
  graceFuel?: number;
  /** Timeout of a request that names none (0), in ms; default 30,000. */
  requestTimeoutMs?: number;
  /** The longest timeout a request may ask for, in ms; default 600,000. */
  maxRequestTimeoutMs?: number;
}

/** Per-sandbox scheduling, given at spawn (`kernel.spawn(m, { sched: { ... } })`). */
export interface SandboxSchedOptions {
  /** Share of deliveries relative to other busy sandboxes; default 1. */
  weight?: number;
  /** What happens when the sandbox fails; default `{ policy: 'never' }`. */
  restart?: RestartPolicyInput;
  /**
   * Kill the sandbox with `policy-violation` once more than this many of its IPC or events calls
   * have been denied (0: the first denial kills). Default: no such rule.
   */
  maxDenials?: number;
  /** Fuel per delivery; default: the scheduler's. */
  sliceFuel?: number;
  /** Fuel for `on-signal`; default: the scheduler's. */
  graceFuel?: number;
  /** Topic patterns the embedder subscribes the sandbox to (no grant needed). */
  subscribe?: readonly string[];
}

export interface RunOptions {
  /** Stop after this long (virtual time in deterministic mode), in ms. */
  deadlineMs?: number;
  /** Stop after this many deliveries. */
  maxDeliveries?: number;
  /** Return when nothing is left to do (default); `false` waits for more until the deadline or `stop()`. */
  untilIdle?: boolean;
}

export interface RunResult {
  reason: 'idle' | 'deadline' | 'limit' | 'stopped' | 'closed';
  deliveries: number;
  /** Scheduler time the run took (virtual in deterministic mode). */
  duration_ms: number;
}

/** A request waiting on another host's reply. */
interface RemotePending {
  readonly id: bigint;
  readonly from: Service | HostWaiter;
  readonly fromId: string;
  readonly host: string;
  readonly to: string;
  timer: Timer | undefined;
  settled: boolean;
}

/** What the receiving kernel made of an envelope from another host. */
export type ArrivalOutcome =
  | { readonly ok: true; readonly reply?: Promise<Uint8Array> }
  | { readonly ok: false; readonly code: GuestErrorCode; readonly message: string };

export interface RequestOptions {
  /** Default: the scheduler's `requestTimeoutMs`. */
  timeoutMs?: number;
}

/** Check a sandbox's scheduling options before anything is spawned. */
export function checkSandboxSched(options: SandboxSchedOptions | undefined): void {
  if (!options) return;
  if (options.weight !== undefined && (!Number.isFinite(options.weight) || options.weight <= 0)) {
    throw new KeelError('invalid-argument', `weight must be a number > 0, got ${options.weight}`);
  }
  for (const name of ['maxDenials', 'sliceFuel', 'graceFuel'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new KeelError('invalid-argument', `${name} must be an integer >= 0, got ${value}`);
    }
  }
  resolveRestart(options.restart);
  for (const pattern of options.subscribe ?? []) if (!isTopicPattern(pattern)) throw badTopic(pattern);
}

/** Kernel-side facilities the scheduler needs. */
export interface SchedulerHost {
  bus: EventBus;
  limits: Readonly<Limits>;
  deterministic: boolean;
  options?: SchedulerOptions;
  spawn(target: ModuleHandle | string, options: SpawnOptions): Promise<Sandbox>;
  mount(path: string, module: ModuleHandle): void;
}

export class Scheduler {
  readonly #host: SchedulerHost;
  readonly #clock: Clock;
  readonly #timers = new TimerQueue();
  readonly #entries = new Map<string, Entry>();
  readonly #services: Service[] = [];
  readonly #routes = new Map<string, Service[]>();
  /** Entries that may have work, in insertion order. */
  readonly #work = new Set<Entry>();
  /** Spawn options objects of successors being spawned, and the service each continues. */
  readonly #successors = new WeakMap<SpawnOptions, Service>();
  readonly #hostRequests = new Set<PendingRequest>();
  /** Requests waiting on another host's reply, by request id. */
  readonly #remoteRequests = new Map<bigint, RemotePending>();
  #remote: RemotePort | undefined;
  readonly #ended: Service[] = [];
  readonly #sliceFuel: number | undefined;
  readonly #graceFuel: number;
  readonly #requestTimeoutMs: number;
  readonly #maxRequestTimeoutMs: number;
  #globalPass = 0;
  #order = 0;
  #seq = 0;
  #requestSeq = 0n;
  #running = false;
  #stopRequested = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #background: Promise<RunResult> | undefined;

  constructor(host: SchedulerHost) {
    this.#host = host;
    this.#clock = host.deterministic ? virtualClock() : realClock();
    const options = host.options ?? {};
    this.#sliceFuel = options.sliceFuel;
    this.#graceFuel = options.graceFuel ?? 1_000_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#maxRequestTimeoutMs = options.maxRequestTimeoutMs ?? 600_000;
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        throw new KeelError(
          'invalid-argument',
          `scheduler option ${name} must be a number >= 0, got ${value}`,
        );
      }
    }
  }

  /** The scheduler's clock, in ms (virtual in deterministic mode). */
  now(): number {
    return this.#clock.now();
  }

  // ------------------------------------------------------------------------------------------
  // Sandboxes joining and leaving (called by the kernel)

  /** Kernel-internal: a sandbox was spawned; give it a mailbox (or its predecessor's). */
  adopt(sandbox: Sandbox, target: ModuleHandle | string, options: SpawnOptions): void {
    const handler = sandbox
      .exportNames()
      .some((n) => n.startsWith(`${HANDLER}@`) && n.endsWith('#on-message'));
    let service = this.#successors.get(options);
    if (service) this.#successors.delete(options);
    if (service?.ended) {
      // Its service ended (a term or kill) while the successor was being spawned.
      sandbox.terminate(`its service ${service.name} has ended`);
      return;
    }
    if (!service) {
      const sched = options.sched ?? {};
      const weight = sched.weight ?? 1;
      const path = typeof target === 'string' ? target : undefined;
      service = new Service(
        sandbox.name,
        this.#order++,
        path,
        target,
        options,
        new Mailbox(sandbox.limits.mailboxLength, senderQuota(sandbox.limits)),
        weight,
        resolveRestart(sched.restart),
        sched.maxDenials,
        sched.sliceFuel ?? this.#sliceFuel,
        sched.graceFuel,
      );
      for (const pattern of sched.subscribe ?? []) this.#subscribe(service, pattern, undefined);
      this.#services.push(service);
      if (path) {
        const list = this.#routes.get(path) ?? [];
        list.push(service);
        this.#routes.set(path, list);
      }
    }
    const entry = new Entry(sandbox, service, handler);
    const previous = service.current;
    if (previous) {
      // An upgrade: the predecessor's state carries over, then it retires.
      entry.stopped = previous.stopped;
      for (const signal of previous.signals) entry.signals.add(signal);
      entry.pass = previous.pass;
      previous.retiring = true;
      this.#work.delete(previous);
    } else {
      entry.pass = this.#globalPass;
    }
    service.current = entry;
    service.history.push(sandbox.id);
    this.#entries.set(sandbox.id, entry);
    if (previous) {
      previous.sandbox.terminate(`upgraded to ${sandbox.module.name} (${sandbox.id})`);
    }
    this.#markWork(entry);
  }

  /** Kernel-internal: a sandbox ended (exit, trap, kill, ...). */
  ended(sandbox: Sandbox): void {
    const entry = this.#entries.get(sandbox.id);
    if (!entry) return;
    this.#entries.delete(sandbox.id);
    this.#work.delete(entry);
    const service = entry.service;
    if (service.current === entry) service.current = undefined;
    if (entry.retiring) return;
    const ending = entry.ending ?? classify(sandbox);
    service.lastEnding = ending;
    // Requests this sandbox was handed and did not answer will not be answered.
    for (const pending of [...service.awaiting.values()]) {
      if (pending.delivered && !pending.expired) this.#settle(pending, 'killed');
    }
    const restart = !this.#closed && ending.failure && this.#mayRestart(service);
    if (ending.drop || !restart) this.#drain(service, ending.reason);
    if (!this.#closed) this.#notifyLinks(service, sandbox, ending, restart);
    if (restart) {
      this.#scheduleRestart(service, ending);
    } else {
      if (ending.failure && service.restart.policy === 'on-failure' && !this.#closed) {
        this.#emit({
          event: EVENTS.sandboxRestart,
          level: 'error',
          sandbox: sandbox.id,
          module: sandbox.module.name,
          status: 'error',
          data: { service: service.name, reason: 'max-restarts', restarts: service.stats.restarts },
        });
      }
      this.#endService(service, ending);
    }
  }

  /** Kernel-internal: stop delivering, cancel timers, fail the embedder's pending requests. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear();
    for (const pending of [...this.#hostRequests]) this.#settle(pending, 'killed');
    for (const pending of [...this.#remoteRequests.values()]) this.#settleRemote(pending, 'killed');
    this.#wake?.();
  }

  /** The port a sandbox's providers act through. */
  port(sandboxId: string): SchedPort {
    return {
      send: (to, body, scope) => this.#guestSend(this.#live(sandboxId), to, body, scope, undefined),
      request: (to, body, timeoutMs, scope) =>
        this.#guestSend(this.#live(sandboxId), to, body, scope, timeoutMs) as bigint,
      reply: (request, body) => this.#guestReply(this.#live(sandboxId), request, body),
      publish: (topic, body, scope) => this.#guestPublish(this.#live(sandboxId), topic, body, scope),
      subscribe: (pattern, scope) => this.#guestSubscribe(this.#live(sandboxId), pattern, scope),
      unsubscribe: (pattern) => {
        this.#live(sandboxId).service.subscriptions.delete(pattern);
      },
      id: () => sandboxId,
      fuelLeft: () => {
        const entry = this.#entries.get(sandboxId);
        if (!entry) return 0n;
        // The guest wrote its counter back before calling the host: this is the live figure.
        return BigInt(entry.sandbox.fuel().remaining);
      },
    };
  }

  // ------------------------------------------------------------------------------------------
  // The embedder's API

  /** Send a message from the embedder (stamped `host`). No grant applies: the embedder is policy. */
  send(to: string | Sandbox, body: Uint8Array | string): void {
    const where = this.#remoteFor(to);
    if (where) {
      const bytes = hostBody(body, this.#host.limits.messageBytes);
      this.#sendRemote(undefined, where, { kind: 'message', from: 'host', to: to as string, body: bytes });
      return;
    }
    const service = this.#resolveOrThrow(to);
    const bytes = hostBody(body, this.#host.limits.messageBytes);
    this.#enqueue(undefined, service, { kind: 'message', from: 'host', body: bytes });
  }

  /** Send a request from the embedder; resolves with the reply, rejects with `timeout` or `killed`. */
  request(
    to: string | Sandbox,
    body: Uint8Array | string,
    options: RequestOptions = {},
  ): Promise<Uint8Array> {
    const where = this.#remoteFor(to);
    if (where) {
      const bytes = hostBody(body, this.#host.limits.messageBytes);
      return new Promise<Uint8Array>((resolve, reject) => {
        const waiter: HostWaiter = { resolve, reject };
        this.#requestRemote(undefined, waiter, 'host', where, to as string, bytes, options.timeoutMs ?? 0);
      });
    }
    const service = this.#resolveOrThrow(to);
    const bytes = hostBody(body, this.#host.limits.messageBytes);
    return new Promise<Uint8Array>((resolve, reject) => {
      const waiter: HostWaiter = { resolve, reject };
      const id = this.#openRequest(waiter, 'host', service, options.timeoutMs ?? 0);
      try {
        this.#enqueue(undefined, service, { kind: 'request', from: 'host', body: bytes, request: id });
      } catch (error) {
        this.#abandonRequest(id, service);
        throw error;
      }
    });
  }

  /**
   * Publish from the embedder (stamped `host`); returns how many subscribers of this kernel it
   * was queued for. In a lattice it also goes to the other hosts, whose subscribers are not counted.
   */
  publish(topic: string, body: Uint8Array | string): number {
    if (!isTopic(topic)) throw badTopic(topic);
    const bytes = hostBody(body, this.#host.limits.messageBytes);
    const queued = this.#publish(undefined, 'host', topic, bytes);
    this.#remote?.publish('host', topic, bytes, undefined);
    return queued;
  }

  /** Subscribe a sandbox (or service) to a topic pattern on the embedder's authority. */
  subscribe(target: string | Sandbox, pattern: string): void {
    this.#subscribe(this.#resolveOrThrow(target, true), pattern, undefined);
  }

  /** Link two sandboxes: when either ends, the other gets a `keel.down` event. Survives restarts. */
  link(a: string | Sandbox, b: string | Sandbox): void {
    const x = this.#resolveOrThrow(a, true);
    const y = this.#resolveOrThrow(b, true);
    if (x === y) throw new KeelError('invalid-argument', 'a sandbox cannot be linked to itself');
    x.links.add(y);
    y.links.add(x);
  }

  /**
   * Send a signal. `stop`/`cont` pause and resume deliveries; `int`/`term` are delivered to
   * `on-signal` within the grace fuel (without a handler they end the sandbox); `term` then ends
   * it; `kill` ends it at once, even in the middle of a delivery, and drops its mailbox.
   */
  signal(target: string | Sandbox, signal: SignalName, options: { from?: string } = {}): void {
    if (!SIGNALS.includes(signal)) {
      throw new KeelError('invalid-argument', `unknown signal "${signal}": use ${SIGNALS.join(', ')}`);
    }
    const service = this.#resolveOrThrow(target, true);
    const entry = service.current;
    const from = options.from ?? 'host';
    this.#emit({
      event: EVENTS.signalSent,
      ...(entry ? { sandbox: entry.id, module: entry.sandbox.module.name } : {}),
      data: { signal, from, service: service.name },
    });
    if (!entry) {
      // A service waiting to restart: term and kill cancel the restart; the rest wait for nothing.
      if (signal === 'term' || signal === 'kill') {
        this.#timers.cancel(service.restartTimer);
        service.restartTimer = undefined;
        const ending: Ending = { reason: signal, failure: false, drop: true };
        this.#drain(service, signal);
        this.#endService(service, ending);
        this.#delivered(undefined, service, signal, 'kernel');
      }
      return;
    }
    switch (signal) {
      case 'kill':
        this.#delivered(entry, service, signal, 'kernel');
        this.#end(entry, { reason: 'kill', failure: false, drop: true }, 'killed by signal kill');
        return;
      case 'stop':
        entry.stopped = true;
        this.#work.delete(entry);
        this.#delivered(entry, service, signal, 'kernel');
        return;
      case 'cont':
        entry.stopped = false;
        this.#delivered(entry, service, signal, 'kernel');
        this.#markWork(entry);
        return;
      default:
        if (!entry.handler) {
          this.#delivered(entry, service, signal, 'default');
          this.#end(entry, { reason: signal, failure: false, drop: true }, `ended by signal ${signal}`);
          return;
        }
        entry.signals.add(signal);
        this.#markWork(entry);
    }
  }

  /**
   * Kill a sandbox for breaking a rule of its policy: emits `policy:violation`, drops its
   * mailbox, and counts as a failure for its restart policy.
   */
  violation(target: string | Sandbox, rule: string, data: Record<string, unknown> = {}): void {
    const service = this.#resolveOrThrow(target, true);
    const entry = service.current;
    if (!entry) return;
    this.#violation(entry, rule, data);
  }

  /**
   * Upgrade what runs at a mount path: mount `module` there, spawn a successor for each live
   * sandbox spawned from the path (same grants, limits and options), move its mailbox,
   * subscriptions, links and awaited requests over, and retire it. Nothing queued is lost.
   * Returns the successors.
   */
  async upgrade(path: string, module: ModuleHandle): Promise<Sandbox[]> {
    this.#host.mount(path, module);
    const services = (this.#routes.get(path) ?? []).filter((s) => s.current && !s.ended);
    const successors: Sandbox[] = [];
    for (const service of services) {
      const options = { ...service.options };
      this.#successors.set(options, service);
      try {
        successors.push(await this.#host.spawn(module, options));
      } finally {
        this.#successors.delete(options);
      }
    }
    return successors;
  }

  /**
   * Run `action` when the scheduler's clock reaches `delayMs` from now (virtual in deterministic
   * mode, so timed plans replay exactly). A pending action keeps `run` from returning idle.
   * Returns a function that cancels it.
   */
  schedule(delayMs: number, action: () => void): () => void {
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new KeelError('invalid-argument', `a delay must be a number of ms >= 0, got ${delayMs}`);
    }
    const timer = this.#timers.add(this.#clock.now() + delayMs, action);
    this.#wake?.();
    return () => this.#timers.cancel(timer);
  }

  /** Services (sandboxes and their successors), oldest first. */
  services(): ServiceInfo[] {
    return this.#services.map((s) => serviceInfo(s));
  }

  /** The service a sandbox belongs to. */
  service(target: string | Sandbox): ServiceInfo | undefined {
    try {
      const service = this.#resolve(target, true);
      return service ? serviceInfo(service) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Is anything left to deliver or waiting on a timer? */
  get idle(): boolean {
    return this.#pick() === undefined && this.#timers.size === 0;
  }

  /**
   * Deliver until idle (or the deadline, or `maxDeliveries`). In deterministic mode the clock
   * is virtual: it jumps to the next timer when nothing else can run, and deadlines are virtual.
   */
  async run(options: RunOptions = {}): Promise<RunResult> {
    if (this.#running) throw new KeelError('invalid-argument', 'the scheduler is already running');
    this.#running = true;
    this.#stopRequested = false;
    const started = this.#clock.now();
    const deadline =
      options.deadlineMs === undefined ? Number.POSITIVE_INFINITY : started + options.deadlineMs;
    const untilIdle = options.untilIdle ?? true;
    let deliveries = 0;
    let batch = 0;
    let batchStarted = performance.now();
    let reason: RunResult['reason'];
    try {
      for (;;) {
        if (this.#closed) {
          reason = 'closed';
          break;
        }
        if (this.#stopRequested) {
          reason = 'stopped';
          break;
        }
        // Timers and the deadline are read without awaiting: an await (or a clock read) per
        // delivery would cost more than the delivery's own bookkeeping.
        const due = this.#timers.next();
        if (due !== undefined && due <= this.#clock.now()) await this.#fireTimers();
        if (deadline !== Number.POSITIVE_INFINITY && this.#clock.now() >= deadline) {
          reason = 'deadline';
          break;
        }
        if (options.maxDeliveries !== undefined && deliveries >= options.maxDeliveries) {
          reason = 'limit';
          break;
        }
        const entry = this.#pick();
        if (entry) {
          this.#deliver(entry);
          deliveries++;
          batch++;
          // Back-pressure: a log that has fallen behind catches up before the next delivery.
          if (this.#host.bus.congested) {
            await this.#host.bus.drained();
            batch = 0;
            batchStarted = performance.now();
            continue;
          }
          if (
            batch >= BATCH ||
            ((batch & 63) === 0 && !this.#clock.virtual && performance.now() - batchStarted > BATCH_MS)
          ) {
            await yieldToEventLoop();
            batch = 0;
            batchStarted = performance.now();
          }
          continue;
        }
        const next = this.#timers.next();
        if (next === undefined && untilIdle) {
          reason = 'idle';
          break;
        }
        const until = Math.min(next ?? Number.POSITIVE_INFINITY, deadline);
        if (this.#clock.virtual) {
          if (until === Number.POSITIVE_INFINITY) {
            await this.#sleep(Number.POSITIVE_INFINITY);
          } else {
            this.#clock.advanceTo(until);
          }
        } else {
          await this.#sleep(until - this.#clock.now());
        }
        batch = 0;
        batchStarted = performance.now();
      }
    } finally {
      this.#running = false;
    }
    return { reason, deliveries, duration_ms: this.#clock.now() - started };
  }

  /** Deliver in the background until `stop()` or the kernel closes (waits for work when idle). */
  start(): void {
    if (this.#background) return;
    this.#background = this.run({ untilIdle: false }).finally(() => {
      this.#background = undefined;
    });
  }

  /** Stop a `run` or `start` at the next delivery boundary; resolves when it has stopped. */
  async stop(): Promise<void> {
    this.#stopRequested = true;
    this.#wake?.();
    await this.#background;
  }

  // ------------------------------------------------------------------------------------------
  // Guest calls (through the port)

  #live(sandboxId: string): Entry {
    const entry = this.#entries.get(sandboxId);
    if (!entry || entry.sandbox.state === 'killed' || entry.sandbox.state === 'exited') {
      throw new KeelError('killed', `sandbox ${sandboxId} is not running`, {
        sandbox: sandboxId,
        fatal: true,
      });
    }
    return entry;
  }

  /** `send` (timeoutMs undefined) or `request`. Returns the request id for requests. */
  #guestSend(
    entry: Entry,
    to: string,
    body: Uint8Array,
    scope: IpcScope,
    timeoutMs: number | undefined,
  ): bigint | undefined {
    const kind = timeoutMs === undefined ? 'message' : 'request';
    let target: ReturnType<typeof parseTarget>;
    try {
      target = parseTarget(to);
    } catch (error) {
      this.#refused(entry, kind, to, body, 'invalid-argument');
      throw new Refusal('invalid-argument', (error as Error).message);
    }
    const service = this.#resolveTarget(target);
    if (!service) {
      const where = this.#remote?.locate(to);
      if (where) return this.#guestSendRemote(entry, kind, to, body, scope, timeoutMs, where);
    }
    const names = service ? [to, ...aliases(service)] : [to];
    if (!names.some((name) => matchesAny(scope.peers, name, '/'))) {
      this.#deny(entry, 'keel:kernel/ipc', { peer: to });
    }
    if (!service?.accepting) {
      this.#refused(entry, kind, to, body, 'no-such-target');
      throw new Refusal('no-such-target', `no sandbox takes messages at ${to}`);
    }
    if (body.byteLength > entry.sandbox.limits.messageBytes) {
      this.#refused(entry, kind, to, body, 'message-too-large');
      throw tooLarge(body.byteLength, entry.sandbox.limits.messageBytes, true);
    }
    if (kind === 'message') {
      this.#enqueue(entry, service, { kind, from: entry.id, body });
      return undefined;
    }
    const owner = entry.service;
    if (owner.outstanding >= owner.mailbox.limit) {
      this.#refused(entry, kind, to, body, 'mailbox-full');
      throw new Refusal(
        'mailbox-full',
        `sandbox ${entry.id} already waits for ${owner.outstanding} replies, as many as its mailbox holds`,
      );
    }
    const id = this.#openRequest(owner, entry.id, service, timeoutMs!);
    try {
      this.#enqueue(entry, service, { kind, from: entry.id, body, request: id });
    } catch (error) {
      this.#abandonRequest(id, service);
      throw error;
    }
    return id;
  }

  #guestReply(entry: Entry, request: bigint, body: Uint8Array): void {
    const pending = entry.service.awaiting.get(request);
    if (!pending?.delivered) {
      throw new Refusal('no-such-target', `no request ${request} awaits a reply from ${entry.id}`);
    }
    if (body.byteLength > entry.sandbox.limits.messageBytes) {
      throw tooLarge(body.byteLength, entry.sandbox.limits.messageBytes, true);
    }
    entry.service.awaiting.delete(request);
    if (pending.expired) {
      this.#dropReply(entry, pending, body, 'timeout');
      return;
    }
    this.#settle(pending, 'ok', body, entry);
  }

  #guestPublish(entry: Entry, topic: string, body: Uint8Array, scope: EventsScope): void {
    if (!isTopic(topic)) throw badTopic(topic, true);
    if (topic.startsWith(KERNEL_TOPIC_PREFIX) || !matchesAny(scope.publish, topic, '.')) {
      this.#deny(entry, 'keel:kernel/events', { publish: topic });
    }
    if (body.byteLength > entry.sandbox.limits.messageBytes) {
      throw tooLarge(body.byteLength, entry.sandbox.limits.messageBytes, true);
    }
    entry.service.stats.published++;
    this.#publish(entry, entry.id, topic, body);
    this.#remote?.publish(entry.id, topic, body, scope.publish);
  }

  #guestSubscribe(entry: Entry, pattern: string, scope: EventsScope): void {
    if (!isTopicPattern(pattern)) throw badTopic(pattern, true);
    // The pattern, read as a name, must fall within a granted pattern; each topic is checked again.
    if (!matchesAny(scope.subscribe, pattern, '.')) {
      this.#deny(entry, 'keel:kernel/events', { subscribe: pattern });
    }
    const subscriptions = entry.service.subscriptions;
    if (!subscriptions.has(pattern) && subscriptions.size >= MAX_SUBSCRIPTIONS) {
      throw new Refusal(
        'invalid-argument',
        `sandbox ${entry.id} has ${MAX_SUBSCRIPTIONS} subscriptions, the most allowed`,
      );
    }
    this.#subscribe(entry.service, pattern, scope.subscribe);
  }

  /** A denied call: `capability:denied`, and a policy violation once the sandbox's rule says so. */
  #deny(entry: Entry, iface: string, what: Record<string, unknown>): never {
    entry.denials++;
    entry.service.stats.denied++;
    this.#refusal(entry, `${EVENTS.capabilityDenied} ${iface}`, () =>
      entry.sandbox.emit({
        event: EVENTS.capabilityDenied,
        level: 'warn',
        status: 'denied',
        data: { interface: iface, ...what, at: 'call' },
      }),
    );
    const max = entry.service.maxDenials;
    if (max !== undefined && entry.denials > max) {
      this.#violation(entry, 'max-denials', { denials: entry.denials, maxDenials: max, ...what });
      throw new KeelError('policy-violation', `sandbox ${entry.id} was killed: too many denied calls`, {
        fatal: true,
      });
    }
    const [key, value] = Object.entries(what)[0] ?? ['', ''];
    throw new Refusal(
      'capability-denied',
      `${entry.sandbox.module.name} may not ${key === 'peer' ? 'message' : key} ${String(value)}: not covered by its ${iface} grant`,
    );
  }

  #violation(entry: Entry, rule: string, data: Record<string, unknown>): void {
    if (!this.#entries.has(entry.id)) return;
    entry.sandbox.emit({
      event: EVENTS.policyViolation,
      level: 'error',
      status: 'error',
      data: { rule, ...data },
    });
    const error = new KeelError(
      'policy-violation',
      `sandbox ${entry.id} broke the rule "${rule}" and was killed`,
      {
        rule,
      },
    );
    this.#end(
      entry,
      { reason: 'policy-violation', failure: true, drop: true, message: error.message },
      error.message,
      error,
    );
  }

  // ------------------------------------------------------------------------------------------
  // Queues

  #enqueue(
    sender: Entry | undefined,
    service: Service,
    fields: Omit<Envelope, 'seq' | 'queuedAt'>,
    reserved = false,
  ): void {
    const mailbox = service.mailbox;
    const overShare = !reserved && !mailbox.full && mailbox.overShare(fields.from);
    if (!reserved && (mailbox.full || overShare)) {
      const target = service.current?.id ?? service.name;
      if (sender)
        this.#refused(sender, fields.kind, service.name, fields.body, 'mailbox-full', service, overShare);
      else this.#dropEvent(service, fields, 'mailbox-full');
      // A sender over its share sees the mailbox as full: others may still get in.
      const message = overShare
        ? `${fields.from} already has ${mailbox.heldBy(fields.from)} messages waiting in the mailbox of ${target}, its share of the ${mailbox.limit} (limits.mailboxSenderPercent)`
        : `the mailbox of ${target} is full (${mailbox.limit} messages)`;
      if (sender) throw new Refusal('mailbox-full', message);
      throw new KeelError('mailbox-full', message, { target, limit: mailbox.limit });
    }
    const seq = ++this.#seq;
    const envelope: Envelope = {
      seq,
      kind: fields.kind,
      from: fields.from,
      body: fields.body,
      request: fields.request,
      status: fields.status,
      topic: fields.topic,
      queuedAt: this.#host.bus.wants(EVENTS.ipcDeliver) ? this.#clock.now() : undefined,
    };
    service.mailbox.push(envelope);
    if (sender && fields.kind !== 'event') sender.service.stats.sent++;
    if (this.#host.bus.wants(EVENTS.ipcSend)) {
      this.#emitFor(sender, {
        event: EVENTS.ipcSend,
        status: 'ok',
        data: {
          message: seq,
          kind: fields.kind,
          from: fields.from,
          to: service.current?.id ?? service.name,
          bytes: fields.body.byteLength,
          ...(fields.request !== undefined ? { request: String(fields.request) } : {}),
          ...(fields.topic !== undefined ? { topic: fields.topic } : {}),
          ...(fields.status !== undefined ? { outcome: fields.status } : {}),
        },
      });
    }
    if (service.current) this.#markWork(service.current);
  }

  #publish(sender: Entry | undefined, from: string, topic: string, body: Uint8Array): number {
    let queued = 0;
    let dropped = 0;
    for (const service of this.#services) {
      if (service.ended || !service.accepting || !subscribed(service, topic)) continue;
      if (service.mailbox.full || service.mailbox.overShare(from)) {
        this.#dropEvent(service, { kind: 'event', from, body, topic }, 'mailbox-full', sender);
        dropped++;
        continue;
      }
      this.#enqueue(sender, service, { kind: 'event', from, body, topic });
      queued++;
    }
    this.#emitFor(sender, {
      event: EVENTS.eventPublish,
      status: 'ok',
      data: { topic, from, bytes: body.byteLength, subscribers: queued, dropped },
    });
    return queued;
  }

  #subscribe(service: Service, pattern: string, within: readonly string[] | undefined): void {
    if (!isTopicPattern(pattern)) throw badTopic(pattern);
    service.subscriptions.set(pattern, {
      pattern,
      ...(within ? { within: [...within] } : {}),
    });
  }

  #openRequest(from: Service | HostWaiter, fromId: string, to: Service, timeoutMs: number): bigint {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new KeelError('invalid-argument', `request timeout must be >= 0 ms, got ${timeoutMs}`);
    }
    const timeout = Math.min(timeoutMs === 0 ? this.#requestTimeoutMs : timeoutMs, this.#maxRequestTimeoutMs);
    const id = ++this.#requestSeq;
    const pending: PendingRequest = {
      id,
      from,
      fromId,
      to,
      timer: undefined,
      delivered: false,
      expired: false,
      settled: false,
    };
    pending.timer = this.#timers.add(this.#clock.now() + timeout, () => this.#expire(pending));
    to.awaiting.set(id, pending);
    this.#trimAwaiting(to);
    if (from instanceof Service) from.outstanding++;
    else this.#hostRequests.add(pending);
    return id;
  }

  /** Undo `#openRequest` when the request could not be queued. */
  #abandonRequest(id: bigint, to: Service): void {
    const pending = to.awaiting.get(id);
    if (!pending) return;
    to.awaiting.delete(id);
    pending.settled = true;
    this.#timers.cancel(pending.timer);
    if (pending.from instanceof Service) pending.from.outstanding--;
    else this.#hostRequests.delete(pending);
  }

  /** Expired requests are kept so that a late reply is recognized; keep at most twice the mailbox. */
  #trimAwaiting(service: Service): void {
    const cap = service.mailbox.limit * 2;
    if (service.awaiting.size <= cap) return;
    for (const [id, pending] of service.awaiting) {
      if (service.awaiting.size <= cap) break;
      if (pending.expired) service.awaiting.delete(id);
    }
  }

  #expire(pending: PendingRequest): void {
    if (pending.settled) return;
    if (pending.to.awaiting.has(pending.id)) pending.expired = true;
    this.#settle(pending, 'timeout');
  }

  /** A request's outcome reaches its requester (a reply slot was reserved for it). */
  #settle(
    pending: PendingRequest,
    status: 'ok' | 'timeout' | 'killed',
    body?: Uint8Array,
    replier?: Entry,
  ): void {
    if (pending.settled) return;
    pending.settled = true;
    this.#timers.cancel(pending.timer);
    if (status !== 'timeout') pending.to.awaiting.delete(pending.id);
    const from = pending.from;
    if (!(from instanceof Service)) {
      this.#hostRequests.delete(pending);
      if (status === 'ok') from.resolve(body!, replier?.id);
      else
        from.reject(
          new KeelError(
            status === 'timeout' ? 'timeout' : 'killed',
            status === 'timeout'
              ? `request ${pending.id} to ${pending.to.name} timed out`
              : `${pending.to.name} ended before it replied to request ${pending.id}`,
            { request: String(pending.id) },
          ),
        );
      return;
    }
    from.outstanding--;
    if (from.ended || !from.accepting) {
      if (replier && body) this.#dropReply(replier, pending, body, 'requester-gone');
      return;
    }
    this.#enqueue(
      replier,
      from,
      {
        kind: 'reply',
        from: replier?.id ?? 'kernel',
        body: body ?? EMPTY,
        request: pending.id,
        status,
      },
      true,
    );
  }

  #dropReply(replier: Entry, pending: PendingRequest, body: Uint8Array, reason: string): void {
    replier.sandbox.emit({
      event: EVENTS.ipcDrop,
      level: 'warn',
      status: 'dropped',
      data: {
        kind: 'reply',
        reason,
        from: replier.id,
        to: pending.fromId,
        request: String(pending.id),
        bytes: body.byteLength,
      },
    });
  }

  /** Drop everything queued for a service (kill, or no successor). */
  #drain(service: Service, reason: string): void {
    for (const envelope of service.mailbox.drain()) {
      this.#dropEvent(service, envelope, reason);
      if (envelope.kind === 'request') {
        const pending = service.awaiting.get(envelope.request!);
        if (pending) this.#settle(pending, 'killed');
      }
    }
    if (service.current) {
      service.current.signals.clear();
    }
  }

  /** `ipc:drop` about `service`'s mailbox; a guest that caused it (a publisher's fan-out) pays for it from its event budget. */
  #dropEvent(
    service: Service,
    envelope: Omit<Envelope, 'seq' | 'queuedAt'> & { seq?: number },
    reason: string,
    cause?: Entry,
  ): void {
    service.stats.dropped++;
    if (!this.#host.bus.wants(EVENTS.ipcDrop)) return;
    const last = service.history[service.history.length - 1];
    const emit = (event: EventInput) => (cause ? cause.sandbox.emitCaused(event) : this.#emit(event));
    emit({
      event: EVENTS.ipcDrop,
      level: 'warn',
      status: 'dropped',
      ...(last ? { sandbox: last } : {}),
      module: service.name,
      data: {
        reason,
        kind: envelope.kind,
        from: envelope.from,
        to: last ?? service.name,
        bytes: envelope.body.byteLength,
        ...(envelope.seq !== undefined ? { message: envelope.seq } : {}),
        ...(envelope.topic !== undefined ? { topic: envelope.topic } : {}),
      },
    });
  }

  /** A send refused after the grant check: `ipc:drop` on the sender's side. */
  #refused(
    entry: Entry,
    kind: string,
    to: string,
    body: Uint8Array,
    reason: string,
    service?: Service,
    overShare = false,
  ): void {
    if (service) service.stats.dropped++;
    if (!this.#host.bus.wants(EVENTS.ipcDrop)) return;
    this.#refusal(entry, `${EVENTS.ipcDrop} ${reason}`, () =>
      entry.sandbox.emit({
        event: EVENTS.ipcDrop,
        level: 'warn',
        status: 'dropped',
        data: {
          reason,
          kind,
          from: entry.id,
          to: service?.current?.id ?? to,
          bytes: body.byteLength,
          ...(overShare ? { share: service?.mailbox.senderLimit } : {}),
        },
      }),
    );
  }

  #refusal(entry: Entry, key: string, emit: () => void): void {
    if (entry.refusals < MAX_REFUSAL_EVENTS) {
      entry.refusals++;
      emit();
      return;
    }
    entry.suppressed.set(key, (entry.suppressed.get(key) ?? 0) + 1);
  }

  /** After a delivery: one summary event per kind of refusal that was not logged one by one. */
  #flushRefusals(entry: Entry): void {
    entry.refusals = 0;
    if (entry.suppressed.size === 0) return;
    const drops: Record<string, number> = {};
    for (const [key, count] of entry.suppressed) {
      const [event, what] = key.split(' ') as [string, string];
      if (event === EVENTS.ipcDrop) drops[what] = count;
      else
        entry.sandbox.emit({
          event: EVENTS.capabilityDenied,
          level: 'warn',
          status: 'denied',
          data: { interface: what, at: 'call', suppressed: count },
        });
    }
    entry.suppressed.clear();
    if (Object.keys(drops).length > 0) {
      entry.sandbox.emit({
        event: EVENTS.ipcDrop,
        level: 'warn',
        status: 'dropped',
        data: { reason: 'suppressed', from: entry.id, suppressed: drops },
      });
    }
  }

  // ------------------------------------------------------------------------------------------
  // Delivery

  #markWork(entry: Entry): void {
    if (this.#work.has(entry) || entry.stopped || entry.retiring) return;
    if (entry.signals.size === 0 && entry.service.mailbox.length === 0) return;
    // A sandbox that was idle starts at the current pass: no credit hoarded while idle.
    if (entry.pass < this.#globalPass) entry.pass = this.#globalPass;
    this.#work.add(entry);
    this.#wake?.();
  }

  /** The runnable entry with the lowest pass (ties: the oldest service). */
  #pick(): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.#work) {
      const runnable =
        !entry.stopped &&
        entry.sandbox.state === 'ready' &&
        (entry.signals.size > 0 || entry.service.mailbox.length > 0);
      if (!runnable) {
        if (entry.sandbox.state !== 'running') this.#work.delete(entry);
        continue;
      }
      if (
        !best ||
        entry.pass < best.pass ||
        (entry.pass === best.pass && entry.service.order < best.service.order)
      ) {
        best = entry;
      }
    }
    return best;
  }

  /** One delivery is one event window of the receiver: its `ipc:deliver`, its invocation, its refusals' summaries. */
  #deliver(entry: Entry): void {
    const sandbox = entry.sandbox;
    sandbox.beginEventWindow();
    try {
      this.#deliverInWindow(entry);
    } finally {
      sandbox.endEventWindow();
    }
  }

  #deliverInWindow(entry: Entry): void {
    this.#globalPass = entry.pass;
    entry.pass += 1 / entry.service.weight;
    const signal = entry.signals.has('term') ? 'term' : entry.signals.has('int') ? 'int' : undefined;
    if (signal) {
      entry.signals.delete(signal);
      this.#deliverSignal(entry, signal);
      return;
    }
    const envelope = entry.service.mailbox.shift()!;
    const service = entry.service;
    service.stats.delivered++;
    if (envelope.kind === 'request') {
      const pending = service.awaiting.get(envelope.request!);
      if (pending) pending.delivered = true;
    }
    if (this.#host.bus.wants(EVENTS.ipcDeliver)) {
      entry.sandbox.emit({
        event: EVENTS.ipcDeliver,
        status: 'ok',
        data: {
          message: envelope.seq,
          kind: envelope.kind,
          from: envelope.from,
          to: entry.id,
          bytes: envelope.body.byteLength,
          ...(envelope.request !== undefined ? { request: String(envelope.request) } : {}),
          ...(envelope.topic !== undefined ? { topic: envelope.topic } : {}),
          ...(envelope.status !== undefined ? { outcome: envelope.status } : {}),
          ...(envelope.queuedAt !== undefined && !this.#clock.virtual
            ? { waited_ms: this.#clock.now() - envelope.queuedAt }
            : {}),
        },
      });
    }
    let exportName: string;
    let args: unknown[];
    switch (envelope.kind) {
      case 'reply':
        exportName = ON_REPLY;
        args = [envelope.request, envelope.status, envelope.body];
        break;
      case 'event':
        exportName = ON_EVENT;
        args = [envelope.topic, envelope.from, envelope.body];
        break;
      default:
        exportName = ON_MESSAGE;
        args = [envelope.from, envelope.body, envelope.request ?? 0n];
    }
    this.#invoke(entry, exportName, args, service.sliceFuel);
  }

  #deliverSignal(entry: Entry, signal: 'int' | 'term'): void {
    const service = entry.service;
    this.#delivered(entry, service, signal, 'handler');
    // A term is an end on purpose, even if the guest fails while handling it.
    if (signal === 'term') entry.ending = { reason: 'term', failure: false, drop: true };
    this.#invoke(entry, ON_SIGNAL, [signal], service.graceFuel ?? this.#graceFuel);
    if (signal === 'term' && this.#entries.get(entry.id) === entry) {
      this.#end(entry, { reason: 'term', failure: false, drop: true }, 'ended by signal term');
    }
  }

  /** One call into the guest, to completion. A failure ends the sandbox (the kernel reports it). */
  #invoke(entry: Entry, exportName: string, args: unknown[], fuel: number | undefined): void {
    let used = 0;
    try {
      const outcome = entry.sandbox.invokeSync(exportName, args, fuel === undefined ? {} : { fuel });
      used = outcome.fuel.used;
    } catch (error) {
      // The sandbox has ended (trap, limit, kill) and `ended` has run; or the call itself was
      // refused while the sandbox lives on (a bad export): then it cannot take deliveries.
      if (this.#entries.get(entry.id) === entry && entry.sandbox.state === 'ready') {
        const failure = error instanceof KeelError ? error : new KeelError('internal', String(error));
        this.#end(
          entry,
          { reason: failure.code, failure: true, drop: false, message: failure.message },
          failure.message,
          failure,
        );
      }
    }
    this.#flushRefusals(entry);
    if (this.#clock.virtual) this.#clock.advance(VIRTUAL_DELIVERY_MS + used / 1_000_000);
  }

  #delivered(entry: Entry | undefined, service: Service, signal: SignalName, action: string): void {
    this.#emit({
      event: EVENTS.signalDelivered,
      ...(entry ? { sandbox: entry.id, module: entry.sandbox.module.name } : {}),
      data: { signal, action, service: service.name },
    });
  }

  /** End a live sandbox on the scheduler's decision. */
  #end(entry: Entry, ending: Ending, reason: string, error?: KeelError): void {
    entry.ending = ending;
    entry.sandbox.terminate(reason, error);
    // A sandbox ended before `adopt` (or already gone) is not ours to clean up.
    if (this.#entries.get(entry.id) === entry) this.ended(entry.sandbox);
  }

  // ------------------------------------------------------------------------------------------
  // Supervision

  #mayRestart(service: Service): boolean {
    const policy = service.restart;
    if (policy.policy !== 'on-failure') return false;
    const now = this.#clock.now();
    const counted =
      policy.windowMs === undefined
        ? service.restartTimes.length
        : service.restartTimes.filter((t) => now - t <= policy.windowMs!).length;
    return counted < policy.maxRestarts;
  }

  #scheduleRestart(service: Service, ending: Ending): void {
    const now = this.#clock.now();
    service.restartTimes.push(now);
    const window = service.restart.windowMs;
    // Only restarts within the window count; older ones need not be kept.
    if (window !== undefined) {
      while (service.restartTimes.length > 0 && now - service.restartTimes[0]! > window) {
        service.restartTimes.shift();
      }
    }
    // The attempt counts the restarts that count: all of them, or those within the window.
    service.attempt = service.restartTimes.length;
    const delay = backoffDelay(service.restart.backoff, service.attempt);
    const last = service.history[service.history.length - 1];
    this.#emit({
      event: EVENTS.sandboxRestart,
      level: 'warn',
      ...(last ? { sandbox: last } : {}),
      module: service.name,
      status: 'ok',
      data: { service: service.name, attempt: service.attempt, delay_ms: delay, reason: ending.reason },
    });
    service.restartTimer = this.#timers.add(this.#clock.now() + delay, () => this.#respawn(service));
  }

  async #respawn(service: Service): Promise<void> {
    service.restartTimer = undefined;
    if (this.#closed || service.ended) return;
    const options = { ...service.options };
    this.#successors.set(options, service);
    // While the spawn is in flight, the path still takes messages for the successor.
    service.restartTimer = PLACEHOLDER_TIMER;
    try {
      await this.#host.spawn(service.target, options);
      service.stats.restarts++;
      service.restartTimer = undefined;
    } catch (error) {
      service.restartTimer = undefined;
      this.#successors.delete(options);
      const failure = error instanceof KeelError ? error : new KeelError('internal', String(error));
      const ending: Ending = { reason: failure.code, failure: true, drop: false, message: failure.message };
      service.lastEnding = ending;
      if (!this.#closed && this.#mayRestart(service)) this.#scheduleRestart(service, ending);
      else {
        this.#drain(service, 'restart-failed');
        this.#endService(service, ending);
      }
      return;
    }
    if (service.current) this.#markWork(service.current);
  }

  #notifyLinks(service: Service, sandbox: Sandbox, ending: Ending, restart: boolean): void {
    if (service.links.size === 0) return;
    const body = new TextEncoder().encode(
      JSON.stringify({
        sandbox: sandbox.id,
        name: service.name,
        reason: ending.reason,
        ...(ending.exit !== undefined ? { exit: ending.exit } : {}),
        restart,
      }),
    );
    for (const linked of service.links) {
      if (linked.ended || !linked.accepting) continue;
      this.#enqueue(undefined, linked, { kind: 'event', from: 'kernel', body, topic: DOWN_TOPIC }, true);
    }
  }

  #endService(service: Service, ending: Ending): void {
    if (service.ended) return;
    service.ended = ending;
    // Ended services are kept for summaries, the most recent KEEP_ENDED of them.
    this.#ended.push(service);
    if (this.#ended.length > KEEP_ENDED) {
      const forgotten = this.#ended.shift()!;
      const at = this.#services.indexOf(forgotten);
      if (at >= 0) this.#services.splice(at, 1);
    }
    for (const pending of [...service.awaiting.values()]) {
      if (!pending.expired) this.#settle(pending, 'killed');
    }
    service.awaiting.clear();
    for (const linked of service.links) linked.links.delete(service);
    if (service.path) {
      const list = (this.#routes.get(service.path) ?? []).filter((s) => s !== service);
      if (list.length > 0) this.#routes.set(service.path, list);
      else this.#routes.delete(service.path);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Other hosts (a lattice, through the RemotePort that host/cluster lends)

  /** Kernel-internal (host/cluster): route targets this kernel does not serve through `port`. */
  attachRemote(port: RemotePort): void {
    if (this.#remote && this.#remote !== port) {
      throw new KeelError('invalid-argument', 'this kernel already belongs to a lattice');
    }
    this.#remote = port;
  }

  /** Kernel-internal: leave the lattice; requests still waiting on other hosts end `killed`. */
  detachRemote(port: RemotePort): void {
    if (this.#remote !== port) return;
    this.#remote = undefined;
    for (const pending of [...this.#remoteRequests.values()]) this.#settleRemote(pending, 'killed');
  }

  /**
   * Kernel-internal: a message or request from another host, its sending host verified. The
   * receiving kernel checks again what the sending kernel checked (the sender's peers grant,
   * the size), then applies its own mailbox bound and the sender's share. Refusals are returned,
   * not logged: the lattice logs them, bounded per host. A request's outcome is `reply`.
   */
  arrive(arrival: RemoteArrival): ArrivalOutcome {
    if (this.#closed) return refused('no-such-target', 'the kernel is closed');
    const from = qualify(arrival.from, arrival.host);
    let target: ReturnType<typeof parseTarget>;
    try {
      target = parseTarget(arrival.to);
    } catch (error) {
      return refused('invalid-argument', (error as Error).message);
    }
    const service = this.#resolveTarget(target);
    if (arrival.peers) {
      const names = service ? [arrival.to, ...this.#latticeAliases(service)] : [arrival.to];
      if (!names.some((name) => matchesAny(arrival.peers!, name, '/'))) {
        return refused(
          'capability-denied',
          `${from} may not message ${arrival.to}: not covered by its grant`,
        );
      }
    }
    if (!service?.accepting) return refused('no-such-target', `no sandbox takes messages at ${arrival.to}`);
    if (arrival.body.byteLength > this.#host.limits.messageBytes) {
      return refused(
        'message-too-large',
        `a ${arrival.body.byteLength}-byte message exceeds the ${this.#host.limits.messageBytes}-byte message limit`,
      );
    }
    const mailbox = service.mailbox;
    if (mailbox.full || mailbox.overShare(from)) {
      service.stats.dropped++;
      return refused(
        'mailbox-full',
        `the mailbox of ${service.current?.id ?? service.name} is full for ${from}`,
      );
    }
    if (arrival.kind === 'message') {
      this.#enqueue(undefined, service, { kind: 'message', from, body: arrival.body });
      return { ok: true };
    }
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      const waiter: HostWaiter = { resolve, reject };
      const id = this.#openRequest(waiter, from, service, arrival.timeoutMs ?? 0);
      this.#enqueue(undefined, service, { kind: 'request', from, body: arrival.body, request: id });
    });
    return { ok: true, reply };
  }

  /**
   * Kernel-internal: an event published on another host. The topic is checked again against the
   * publisher's grant (absent: that host's embedder) and the kernel's reserved `keel.*`; each
   * subscriber's own grant applies as for a local publication. Returns how many subscribers it
   * was queued for and how many missed it (full mailboxes, counted here, not logged one by one).
   */
  arriveEvent(
    host: string,
    from: string,
    topic: string,
    body: Uint8Array,
    publish: readonly string[] | undefined,
  ): ArrivalOutcome & { queued?: number; dropped?: number } {
    if (this.#closed) return { ok: true, queued: 0, dropped: 0 };
    if (!isTopic(topic)) return refused('invalid-argument', `invalid topic "${topic.slice(0, 80)}"`);
    if (
      topic.startsWith(KERNEL_TOPIC_PREFIX) ||
      (publish !== undefined && !matchesAny(publish, topic, '.'))
    ) {
      return refused('capability-denied', `${qualify(from, host)} may not publish ${topic}`);
    }
    if (body.byteLength > this.#host.limits.messageBytes) {
      return refused('message-too-large', `a ${body.byteLength}-byte event exceeds the message limit`);
    }
    const sender = qualify(from, host);
    let queued = 0;
    let dropped = 0;
    for (const service of this.#services) {
      if (service.ended || !service.accepting || !subscribed(service, topic)) continue;
      if (service.mailbox.full || service.mailbox.overShare(sender)) {
        service.stats.dropped++;
        dropped++;
        continue;
      }
      this.#enqueue(undefined, service, { kind: 'event', from: sender, body, topic });
      queued++;
    }
    return { ok: true, queued, dropped };
  }

  /** Kernel-internal: the outcome of a request this kernel sent to another host. */
  remoteReply(
    request: bigint,
    host: string,
    status: 'ok' | 'timeout' | 'killed',
    body: Uint8Array,
    from: string,
  ): void {
    const pending = this.#remoteRequests.get(request);
    // Only the host the request went to may answer it.
    if (!pending || pending.host !== host) return;
    this.#settleRemote(pending, status, body, qualify(from, host));
  }

  /**
   * Kernel-internal: the host a request went to refused it (`code`: its mailbox was full, the
   * target does not exist there, the grant did not cover it). The embedder's promise rejects
   * with that code; a guest's `on-reply` says `killed` (the WIT's statuses have no other case
   * for a request that will not be answered).
   */
  remoteRefused(request: bigint, host: string, code: GuestErrorCode, message: string): void {
    const pending = this.#remoteRequests.get(request);
    if (!pending || pending.host !== host) return;
    this.#settleRemote(pending, 'killed', undefined, undefined, undefined, { code, message });
  }

  /** Kernel-internal: a host was declared down; what waits on it ends now, as a timeout. */
  remoteHostDown(host: string): void {
    for (const pending of [...this.#remoteRequests.values()]) {
      if (pending.host === host) this.#settleRemote(pending, 'timeout', undefined, undefined, 'host-down');
    }
  }

  /** Kernel-internal: a `keel.down` notice from the kernel to a service (a link across hosts). */
  notice(target: string, body: Uint8Array): boolean {
    const service = this.#resolve(target, true);
    if (!service || service.ended || !service.accepting) return false;
    this.#enqueue(undefined, service, { kind: 'event', from: 'kernel', body, topic: DOWN_TOPIC }, true);
    return true;
  }

  /** Names a local service answers to across the lattice: its id, qualified too, and its path. */
  #latticeAliases(service: Service): string[] {
    const names = aliases(service);
    const id = service.current?.id;
    if (id && this.#remote) names.push(qualify(id, this.#remote.hostId));
    return names;
  }

  /** The remote location of an embedder's target, if this kernel does not serve it. */
  #remoteFor(to: string | Sandbox): RemoteLocation | undefined {
    if (!this.#remote || typeof to !== 'string') return undefined;
    let local: Service | undefined;
    try {
      local = this.#resolve(to);
    } catch {
      return undefined;
    }
    if (local) return undefined;
    return this.#remote.locate(to);
  }

  #guestSendRemote(
    entry: Entry,
    kind: 'message' | 'request',
    to: string,
    body: Uint8Array,
    scope: IpcScope,
    timeoutMs: number | undefined,
    where: RemoteLocation,
  ): bigint | undefined {
    if (![to, ...where.aliases].some((name) => matchesAny(scope.peers, name, '/'))) {
      this.#deny(entry, 'keel:kernel/ipc', { peer: to });
    }
    if (body.byteLength > entry.sandbox.limits.messageBytes) {
      this.#refused(entry, kind, to, body, 'message-too-large');
      throw tooLarge(body.byteLength, entry.sandbox.limits.messageBytes, true);
    }
    if (kind === 'message') {
      try {
        this.#sendRemote(entry, where, { kind, from: entry.id, to, body, peers: scope.peers });
      } catch (error) {
        throw this.#remoteRefusal(entry, kind, to, body, error);
      }
      return undefined;
    }
    const owner = entry.service;
    if (owner.outstanding >= owner.mailbox.limit) {
      this.#refused(entry, kind, to, body, 'mailbox-full');
      throw new Refusal(
        'mailbox-full',
        `sandbox ${entry.id} already waits for ${owner.outstanding} replies, as many as its mailbox holds`,
      );
    }
    try {
      return this.#requestRemote(entry, owner, entry.id, where, to, body, timeoutMs!, scope.peers);
    } catch (error) {
      throw this.#remoteRefusal(entry, kind, to, body, error);
    }
  }

  #remoteRefusal(entry: Entry, kind: string, to: string, body: Uint8Array, error: unknown): Refusal {
    if (error instanceof Refusal) return error;
    const code = (error as { code?: string }).code;
    const guest =
      code && (GUEST_ERROR_CODES as readonly string[]).includes(code)
        ? (code as GuestErrorCode)
        : 'no-such-target';
    this.#refused(entry, kind, to, body, guest);
    return new Refusal(guest, (error as Error).message ?? String(error));
  }

  /** Hand a message or request to another host, and log it as `ipc:send` on this side. */
  #sendRemote(sender: Entry | undefined, where: RemoteLocation, envelope: RemoteSend): void {
    this.#remote!.send(where.host, envelope);
    const seq = ++this.#seq;
    if (sender) sender.service.stats.sent++;
    if (this.#host.bus.wants(EVENTS.ipcSend)) {
      this.#emitFor(sender, {
        event: EVENTS.ipcSend,
        status: 'ok',
        data: {
          message: seq,
          kind: envelope.kind,
          from: envelope.from,
          to: envelope.to,
          host: where.host,
          bytes: envelope.body.byteLength,
          ...(envelope.request !== undefined ? { request: String(envelope.request) } : {}),
        },
      });
    }
  }

  #requestRemote(
    sender: Entry | undefined,
    from: Service | HostWaiter,
    fromId: string,
    where: RemoteLocation,
    to: string,
    body: Uint8Array,
    timeoutMs: number,
    peers?: readonly string[],
  ): bigint {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new KeelError('invalid-argument', `request timeout must be >= 0 ms, got ${timeoutMs}`);
    }
    const timeout = Math.min(timeoutMs === 0 ? this.#requestTimeoutMs : timeoutMs, this.#maxRequestTimeoutMs);
    const id = ++this.#requestSeq;
    const pending: RemotePending = {
      id,
      from,
      fromId,
      host: where.host,
      to,
      timer: undefined,
      settled: false,
    };
    this.#sendRemote(sender, where, {
      kind: 'request',
      from: fromId,
      to,
      body,
      request: id,
      timeoutMs: timeout,
      ...(peers ? { peers } : {}),
    });
    pending.timer = this.#timers.add(this.#clock.now() + timeout, () =>
      this.#settleRemote(pending, 'timeout'),
    );
    this.#remoteRequests.set(id, pending);
    if (from instanceof Service) from.outstanding++;
    this.#wake?.();
    return id;
  }

  #settleRemote(
    pending: RemotePending,
    status: 'ok' | 'timeout' | 'killed',
    body?: Uint8Array,
    replier?: string,
    reason?: string,
    refusal?: { code: GuestErrorCode; message: string },
  ): void {
    if (pending.settled) return;
    pending.settled = true;
    this.#timers.cancel(pending.timer);
    this.#remoteRequests.delete(pending.id);
    const from = pending.from;
    if (!(from instanceof Service)) {
      if (status === 'ok') from.resolve(body ?? EMPTY, replier);
      else if (refusal)
        from.reject(
          new KeelError(refusal.code, `${pending.host} refused request ${pending.id}: ${refusal.message}`, {
            request: String(pending.id),
            host: pending.host,
          }),
        );
      else
        from.reject(
          new KeelError(
            status,
            status === 'timeout'
              ? reason === 'host-down'
                ? `request ${pending.id} to ${pending.to} failed: host ${pending.host} is down`
                : `request ${pending.id} to ${pending.to} on ${pending.host} timed out`
              : `${pending.to} on ${pending.host} ended before it replied to request ${pending.id}`,
            { request: String(pending.id), host: pending.host, ...(reason ? { reason } : {}) },
          ),
        );
      return;
    }
    from.outstanding--;
    if (from.ended || !from.accepting) return;
    this.#enqueue(
      undefined,
      from,
      { kind: 'reply', from: replier ?? 'kernel', body: body ?? EMPTY, request: pending.id, status },
      true,
    );
  }

  // ------------------------------------------------------------------------------------------
  // Names

  #resolveTarget(target: ReturnType<typeof parseTarget>): Service | undefined {
    if (target.kind === 'id') {
      const remote = unqualify(target.id);
      // `sbx_3@this-host` is `sbx_3`; an id of another host is not served here.
      if (remote)
        return remote.host === this.#remote?.hostId ? this.#entries.get(remote.name)?.service : undefined;
      return this.#entries.get(target.id)?.service;
    }
    const list = this.#routes.get(target.path);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (!list[i]!.ended) return list[i];
    return undefined;
  }

  #resolve(target: string | Sandbox, includeStopped = false): Service | undefined {
    if (typeof target !== 'string') {
      const entry = this.#entries.get(target.id);
      if (entry) return entry.service;
      return includeStopped
        ? this.#services.find((s) => s.history.includes(target.id) && !s.ended)
        : undefined;
    }
    const byName = this.#services.find((s) => !s.ended && s.name === target && !target.startsWith('/'));
    try {
      return this.#resolveTarget(parseTarget(target)) ?? byName;
    } catch (error) {
      if (byName) return byName;
      throw error;
    }
  }

  #resolveOrThrow(target: string | Sandbox, includeRestarting = false): Service {
    const service = this.#resolve(target, includeRestarting);
    const name = typeof target === 'string' ? target : target.id;
    if (!service || (!includeRestarting && !service.accepting)) {
      throw new KeelError('no-such-target', `no sandbox takes messages at ${name}`, { target: name });
    }
    return service;
  }

  // ------------------------------------------------------------------------------------------
  // Events and waiting

  #emit(event: EventInput): void {
    this.#host.bus.emit(event);
  }

  #emitFor(entry: Entry | undefined, event: Omit<EventInput, 'sandbox'>): void {
    if (entry) entry.sandbox.emit(event);
    else this.#host.bus.emit(event);
  }

  async #fireTimers(): Promise<void> {
    for (;;) {
      const timer = this.#timers.pop(this.#clock.now());
      if (!timer) return;
      await timer.fire();
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = Number.isFinite(ms) ? setTimeout(finish, Math.max(0, ms)) : undefined;
      const self = this;
      function finish() {
        if (handle !== undefined) clearTimeout(handle);
        if (self.#wake === finish) self.#wake = undefined;
        resolve();
      }
      this.#wake = finish;
    });
  }
}

const EMPTY = new Uint8Array(0);

function refused(code: GuestErrorCode, message: string): ArrivalOutcome {
  return { ok: false, code, message };
}

/** Marks a service whose successor is being spawned right now (so it keeps taking messages). */
const PLACEHOLDER_TIMER: Timer = { at: 0, seq: -1, fire: () => {}, cancelled: true };

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function hostBody(body: Uint8Array | string, limit: number): Uint8Array {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body.slice();
  if (bytes.byteLength > limit) throw tooLarge(bytes.byteLength, limit);
  return bytes;
}

function tooLarge(size: number, limit: number, guest = false): KeelError | Refusal {
  if (guest)
    return new Refusal('message-too-large', `a ${size}-byte message exceeds the ${limit}-byte message limit`);
  return new KeelError(
    'message-too-large',
    `a ${size}-byte message exceeds the ${limit}-byte message limit`,
    {
      bytes: size,
      limit,
    },
  );
}

function badTopic(topic: string, guest = false): KeelError | Refusal {
  if (guest) return new Refusal('invalid-argument', `invalid topic "${topic.slice(0, 80)}"`);
  return new KeelError(
    'invalid-argument',
    `invalid topic "${topic.slice(0, 80)}": use dot-separated segments of letters, digits, - and _ (patterns may use * and **)`,
    { topic: topic.slice(0, 80) },
  );
}
