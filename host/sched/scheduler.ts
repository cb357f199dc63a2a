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
 *
 * This file is the scheduler's public face; the work is done by its parts, over the state they
 * share (state.ts): guest calls (guest.ts), mailboxes' policy (queue.ts), requests and
 * timeouts (requests.ts), topics (topics.ts), signals (signals.ts), delivery and the run loop
 * (delivery.ts), services joining, ending, restarting and upgrading (lifecycle.ts), refusals
 * (refusals.ts), other hosts (lattice.ts).
 */
import { KeelError } from '../kernel/errors.js';
import type { ModuleHandle } from '../kernel/module.js';
import type { Sandbox } from '../kernel/sandbox.js';
import type { RunOptions, RunResult } from './delivery.js';
import { pick, run } from './delivery.js';
import { badTopic, hostBody } from './errors.js';
import { isTopic } from './glob.js';
import { killForViolation, sandboxPort } from './guest.js';
import {
  type ArrivalOutcome,
  arrive,
  arriveEvent,
  attachRemote,
  detachRemote,
  notice,
  remoteFor,
  remoteHostDown,
  remoteRefused,
  remoteReply,
  requestRemote,
  sendRemote,
  settleRemote,
} from './lattice.js';
import { adopt, sandboxEnded, upgrade } from './lifecycle.js';
import type { SchedSpawnOptions } from './options.js';
import type { GuestErrorCode, SchedPort } from './port.js';
import { enqueue } from './queue.js';
import type { RemoteArrival, RemotePort } from './remote.js';
import { abandonRequest, openRequest, settle } from './requests.js';
import { type HostWaiter, type ServiceInfo, serviceInfo } from './service.js';
import { type SignalName, sendSignal } from './signals.js';
import { allServices, resolve, resolveOrThrow, SchedState, type SchedulerHost } from './state.js';
import { addSubscription, publishTopic } from './topics.js';

export type { RunOptions, RunResult } from './delivery.js';
export type { ArrivalOutcome } from './lattice.js';
export {
  checkSandboxSched,
  type SandboxSchedOptions,
  type SchedSpawnOptions,
  type SchedulerOptions,
} from './options.js';
export type { ServiceInfo } from './service.js';
export { SIGNALS, type SignalName } from './signals.js';
export type { SchedulerHost } from './state.js';
export { DOWN_TOPIC, KERNEL_TOPIC_PREFIX, UNDELIVERED_TOPIC } from './topics.js';

export interface RequestOptions {
  /** Default: the scheduler's `requestTimeoutMs`. */
  timeoutMs?: number;
}

export class Scheduler {
  readonly #s: SchedState;
  #background: Promise<RunResult> | undefined;

  constructor(host: SchedulerHost) {
    this.#s = new SchedState(host);
  }

  /** The scheduler's clock, in ms (virtual in deterministic mode). */
  now(): number {
    return this.#s.clock.now();
  }

  // ------------------------------------------------------------------------------------------
  // Sandboxes joining and leaving (called by the kernel)

  /** Kernel-internal: a sandbox was spawned; give it a mailbox (or its predecessor's). */
  adopt(sandbox: Sandbox, target: ModuleHandle | string, options: SchedSpawnOptions): void {
    adopt(this.#s, sandbox, target, options);
  }

  /** Kernel-internal: a sandbox ended (exit, trap, kill, ...). */
  ended(sandbox: Sandbox): void {
    sandboxEnded(this.#s, sandbox);
  }

  /** Kernel-internal: stop delivering, cancel timers, fail the embedder's pending requests. */
  close(): void {
    const s = this.#s;
    if (s.closed) return;
    s.closed = true;
    s.timers.clear();
    for (const pending of [...s.hostRequests]) settle(s, pending, 'killed');
    for (const pending of [...s.remoteRequests.values()]) settleRemote(s, pending, 'killed');
    s.wake?.();
  }

  /** Send a message from the embedder (stamped `host`). No grant applies: the embedder is policy. */
  send(to: string | Sandbox, body: Uint8Array | string): void {
    const s = this.#s;
    const where = remoteFor(s, to);
    if (where) {
      const bytes = hostBody(body, s.host.limits.messageBytes);
      sendRemote(s, undefined, where, { kind: 'message', from: 'host', to: to as string, body: bytes });
      return;
    }
    const service = resolveOrThrow(s, to);
    const bytes = hostBody(body, s.host.limits.messageBytes);
    enqueue(s, undefined, service, { kind: 'message', from: 'host', body: bytes });
  }

  /** Send a request from the embedder; resolves with the reply, rejects with `timeout` or `killed`. */
  request(
    to: string | Sandbox,
    body: Uint8Array | string,
    options: RequestOptions = {},
  ): Promise<Uint8Array> {
    const s = this.#s;
    const where = remoteFor(s, to);
    if (where) {
      const bytes = hostBody(body, s.host.limits.messageBytes);
      return new Promise<Uint8Array>((resolve, reject) => {
        const waiter: HostWaiter = { resolve, reject };
        requestRemote(s, undefined, waiter, 'host', where, to as string, bytes, options.timeoutMs ?? 0);
      });
    }
    const service = resolveOrThrow(s, to);
    const bytes = hostBody(body, s.host.limits.messageBytes);
    return new Promise<Uint8Array>((resolve, reject) => {
      const waiter: HostWaiter = { resolve, reject };
      const id = openRequest(s, waiter, 'host', service, options.timeoutMs ?? 0);
      try {
        enqueue(s, undefined, service, { kind: 'request', from: 'host', body: bytes, request: id });
      } catch (error) {
        abandonRequest(s, id, service);
        throw error;
      }
    });
  }

  /**
   * Publish from the embedder (stamped `host`); returns how many subscribers of this kernel it
   * was queued for. In a lattice it also goes to the other hosts, whose subscribers are not counted.
   */
  publish(topic: string, body: Uint8Array | string): number {
    const s = this.#s;
    if (!isTopic(topic)) throw badTopic(topic);
    const bytes = hostBody(body, s.host.limits.messageBytes);
    const queued = publishTopic(s, undefined, 'host', topic, bytes);
    s.remote?.publish('host', topic, bytes, undefined);
    return queued;
  }

  /** Subscribe a sandbox (or service) to a topic pattern on the embedder's authority. */
  subscribe(target: string | Sandbox, pattern: string): void {
    const s = this.#s;
    addSubscription(s, resolveOrThrow(s, target, true), pattern, undefined);
  }

  /** Link two sandboxes: when either ends, the other gets a `keel.down` event. Survives restarts. */
  link(a: string | Sandbox, b: string | Sandbox): void {
    const s = this.#s;
    const x = resolveOrThrow(s, a, true);
    const y = resolveOrThrow(s, b, true);
    if (x === y) throw new KeelError('invalid-argument', 'a sandbox cannot be linked to itself');
    x.link(y);
    y.link(x);
  }

  /**
   * Kill a sandbox for breaking a rule of its policy: emits `policy:violation`, drops its
   * mailbox, and counts as a failure for its restart policy.
   */
  violation(target: string | Sandbox, rule: string, data: Record<string, unknown> = {}): void {
    const s = this.#s;
    const service = resolveOrThrow(s, target, true);
    const entry = service.current;
    if (!entry) return;
    killForViolation(s, entry, rule, data);
  }

  /**
   * Run `action` when the scheduler's clock reaches `delayMs` from now (virtual in deterministic
   * mode, so timed plans replay exactly). A pending action keeps `run` from returning idle.
   * Returns a function that cancels it.
   */
  schedule(delayMs: number, action: () => void): () => void {
    const s = this.#s;
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new KeelError('invalid-argument', `a delay must be a number of ms >= 0, got ${delayMs}`);
    }
    const timer = s.timers.add(s.clock.now() + delayMs, action);
    s.wake?.();
    return () => s.timers.cancel(timer);
  }

  /** Services (sandboxes and their successors), oldest first. */
  services(): ServiceInfo[] {
    const s = this.#s;
    return allServices(s).map((s) => serviceInfo(s));
  }

  /** The service a sandbox belongs to (a dormant sandbox's records are made for the answer, not kept). */
  service(target: string | Sandbox): ServiceInfo | undefined {
    const s = this.#s;
    try {
      const service = resolve(s, target, true, false);
      return service ? serviceInfo(service) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Is anything left to deliver or waiting on a timer? */
  get idle(): boolean {
    const s = this.#s;
    return pick(s) === undefined && s.timers.size === 0;
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
    const s = this.#s;
    s.stopRequested = true;
    s.wake?.();
    await this.#background;
  }

  /**
   * Kernel-internal (tests, the memory bench): whether the scheduler keeps records (service,
   * entry, mailbox) for a sandbox; false while it is dormant.
   */
  holdsRecords(sandboxId: string): boolean {
    return this.#s.entries.has(sandboxId);
  }

  /** The port a sandbox's providers act through. */
  port(sandboxId: string): SchedPort {
    return sandboxPort(this.#s, sandboxId);
  }

  /**
   * Send a signal. `stop`/`cont` pause and resume deliveries; `int`/`term` are delivered to
   * `on-signal` within the grace fuel (without a handler they end the sandbox); `term` then ends
   * it; `kill` ends it at once, even in the middle of a delivery, and drops its mailbox.
   */
  signal(target: string | Sandbox, signal: SignalName, options: { from?: string } = {}): void {
    sendSignal(this.#s, target, signal, options);
  }

  /**
   * Upgrade what runs at a mount path: mount `module` there, spawn a successor for each live
   * sandbox spawned from the path (same grants, limits and options), move its mailbox,
   * subscriptions, links and awaited requests over, and retire it. Nothing queued is lost.
   * Returns the successors.
   */
  upgrade(path: string, module: ModuleHandle): Promise<Sandbox[]> {
    return upgrade(this.#s, path, module);
  }

  /**
   * Deliver until idle (or the deadline, or `maxDeliveries`). In deterministic mode the clock
   * is virtual: it jumps to the next timer when nothing else can run, and deadlines are virtual.
   */
  run(options: RunOptions = {}): Promise<RunResult> {
    return run(this.#s, options);
  }

  /** Kernel-internal (host/cluster): route targets this kernel does not serve through `port`. */
  attachRemote(port: RemotePort): void {
    attachRemote(this.#s, port);
  }

  /** Kernel-internal: leave the lattice; requests still waiting on other hosts end `killed`. */
  detachRemote(port: RemotePort): void {
    detachRemote(this.#s, port);
  }

  /**
   * Kernel-internal: a message or request from another host, its sending host verified. The
   * receiving kernel checks again what the sending kernel checked (the sender's peers grant,
   * the size), then applies its own mailbox bound and the sender's share. Refusals are returned,
   * not logged: the lattice logs them, bounded per host. A request's outcome is `reply`.
   */
  arrive(arrival: RemoteArrival): ArrivalOutcome {
    return arrive(this.#s, arrival);
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
    return arriveEvent(this.#s, host, from, topic, body, publish);
  }

  /** Kernel-internal: the outcome of a request this kernel sent to another host. */
  remoteReply(
    request: bigint,
    host: string,
    status: 'ok' | 'timeout' | 'killed',
    body: Uint8Array,
    from: string,
  ): void {
    remoteReply(this.#s, request, host, status, body, from);
  }

  /**
   * Kernel-internal: the host a request went to refused it (`code`: its mailbox was full, the
   * target does not exist there, the grant did not cover it). The embedder's promise rejects
   * with that code; a guest's `on-reply` says `killed` (the WIT's statuses have no other case
   * for a request that will not be answered).
   */
  remoteRefused(request: bigint, host: string, code: GuestErrorCode, message: string): void {
    remoteRefused(this.#s, request, host, code, message);
  }

  /** Kernel-internal: a host was declared down; what waits on it ends now, as a timeout. */
  remoteHostDown(host: string): void {
    remoteHostDown(this.#s, host);
  }

  /** Kernel-internal: a notice from the kernel to a service (`keel.down`, or `topic`: `keel.undelivered`). */
  notice(target: string, body: Uint8Array, topic?: string): boolean {
    return notice(this.#s, target, body, topic);
  }
}
