/**
 * A service: one sandbox and its successors (restarts, upgrades), the unit of supervision. Its
 * mailbox, links, subscriptions and the requests waiting on its replies belong to it, so that a
 * successor inherits them. An `Entry` is one live sandbox of a service, with what the scheduler
 * tracks for it alone (its pass, its stop, its pending signals).
 */
import type { KeelError } from '../kernel/errors.js';
import { SERVICE_HISTORY } from '../kernel/limits.js';
import type { ModuleHandle } from '../kernel/module.js';
import type { Sandbox } from '../kernel/sandbox.js';
import type { Timer } from './clock.js';
import { matchesAny, topicMatches } from './glob.js';
import type { Mailbox } from './mailbox.js';
import type { SchedSpawnOptions } from './options.js';
import type { Ending, RestartPolicy, Restarts } from './supervise.js';

/** What a service delivered, sent, published, dropped, was denied and restarted. */
export interface ServiceStats {
  delivered: number;
  sent: number;
  published: number;
  dropped: number;
  denied: number;
  restarts: number;
}

/** What a service looks like from outside (for summaries and tests). */
export interface ServiceInfo extends ServiceStats {
  name: string;
  path?: string;
  /** The live sandbox's id, if any. */
  sandbox?: string;
  /**
   * The sandbox ids this service has had, oldest first: the last `SERVICE_HISTORY` (32) of them,
   * the live one last.
   */
  history: string[];
  /** How many older ids `history` no longer lists (present once there are any). */
  earlier?: number;
  state: 'running' | 'stopped' | 'restarting' | 'ended';
  weight: number;
  queued: number;
  /** How it ended, once it has. */
  ended?: Ending;
}

/** The embedder, waiting on a request it made. */
export interface HostWaiter {
  /** The reply, and who sent it (the replying sandbox's id). */
  resolve(body: Uint8Array, replier?: string): void;
  reject(error: KeelError): void;
}

export interface PendingRequest {
  readonly id: bigint;
  readonly from: Service | HostWaiter;
  readonly fromId: string;
  readonly to: Service;
  timer: Timer | undefined;
  /** Handed to the target's handler (as opposed to still queued). */
  delivered: boolean;
  /** Timed out: a late reply is dropped. */
  expired: boolean;
  settled: boolean;
}

export interface Subscription {
  readonly pattern: string;
  /** The pattern's segments (a match costs about pattern segments × topic segments). */
  readonly segments: number;
  /** Guest subscriptions: the grant's patterns each topic must also match. */
  readonly within?: readonly string[];
}

// What a service or entry that never used one reads (shared: the types allow no write; the
// collections themselves are made on the first write, as most sandboxes never link, subscribe,
// answer a request or get a signal).
const NO_SERVICES: ReadonlySet<Service> = new Set();
const NO_SUBSCRIPTIONS: ReadonlyMap<string, Subscription> = new Map();
const NO_REQUESTS: ReadonlyMap<bigint, PendingRequest> = new Map();
const NO_SIGNALS: ReadonlySet<'int' | 'term'> = new Set();
const NO_REFUSALS: ReadonlyMap<string, number> = new Map();

/**
 * What the scheduler keeps of a dormant sandbox that ended (one that never had a service, entry or
 * mailbox: `SchedState.dormant`): its summary's facts, not the records, which would be made only
 * to be ended and then kept among the ended services (spawn time and garbage, issue 12).
 * `services()` makes its `Service` when asked (`allServices`).
 */
export class DormantEnd {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly order: number,
    readonly target: ModuleHandle,
    readonly ended: Ending,
  ) {}
}

export class Service {
  current: Entry | undefined;
  /** The last `SERVICE_HISTORY` sandbox ids this service has had, oldest first (`remember`). */
  history: string[] = [];
  /** Ids dropped from the front of `history`. */
  earlier = 0;
  #links: Set<Service> | undefined;
  #subscriptions: Map<string, Subscription> | undefined;
  #awaiting: Map<bigint, PendingRequest> | undefined;
  /** Requests this service made that wait for an outcome (each holds a reply slot). */
  outstanding = 0;
  restartTimer: Timer | undefined;
  /** Its restarts that count against `maxRestarts`; made at the first restart. */
  countedRestarts: Restarts | undefined;
  /** The restarts that count, at the last one: all of them, or those within the window. */
  attempt = 0;
  ended: Ending | undefined;
  lastEnding: Ending | undefined;
  #stats: ServiceStats | undefined;

  constructor(
    readonly name: string,
    readonly order: number,
    readonly path: string | undefined,
    readonly target: ModuleHandle | string,
    readonly options: SchedSpawnOptions,
    readonly mailbox: Mailbox,
    readonly weight: number,
    readonly restart: RestartPolicy,
    readonly maxDenials: number | undefined,
    readonly sliceFuel: number | undefined,
    readonly graceFuel: number | undefined,
  ) {}

  /** A sandbox joined: its id goes last; past `SERVICE_HISTORY` the oldest is dropped and counted. */
  remember(id: string): void {
    // The first as a one-element array: one that grows by push keeps room for 17.
    if (this.history.length === 0) this.history = [id];
    else {
      if (this.history.length >= SERVICE_HISTORY) {
        this.history.shift();
        this.earlier++;
      }
      this.history.push(id);
    }
  }

  /** What it delivered, sent, published, dropped, was denied and restarted; made on the first count (idle memory, issue 12). */
  get stats(): ServiceStats {
    this.#stats ??= { delivered: 0, sent: 0, published: 0, dropped: 0, denied: 0, restarts: 0 };
    return this.#stats;
  }

  /** Services linked to this one (`keel.down` when either ends). */
  get links(): ReadonlySet<Service> {
    return this.#links ?? NO_SERVICES;
  }

  link(other: Service): void {
    this.#links ??= new Set();
    this.#links.add(other);
  }

  unlink(other: Service): void {
    this.#links?.delete(other);
  }

  /** Topic subscriptions, by pattern. */
  get subscriptions(): ReadonlyMap<string, Subscription> {
    return this.#subscriptions ?? NO_SUBSCRIPTIONS;
  }

  subscribe(subscription: Subscription): void {
    this.#subscriptions ??= new Map();
    this.#subscriptions.set(subscription.pattern, subscription);
  }

  unsubscribe(pattern: string): void {
    this.#subscriptions?.delete(pattern);
  }

  /** Requests made to this service that wait for its reply, by id. */
  get awaiting(): ReadonlyMap<bigint, PendingRequest> {
    return this.#awaiting ?? NO_REQUESTS;
  }

  awaitReply(pending: PendingRequest): void {
    this.#awaiting ??= new Map();
    this.#awaiting.set(pending.id, pending);
  }

  /** Forget a request; whether it was awaited. */
  forgetRequest(id: bigint): boolean {
    return this.#awaiting?.delete(id) ?? false;
  }

  clearAwaiting(): void {
    this.#awaiting?.clear();
  }

  /** Can messages be queued here: a live sandbox that handles them, or a restart on the way? */
  get accepting(): boolean {
    if (this.ended) return false;
    return this.current ? this.current.handler : this.restartTimer !== undefined;
  }
}

export class Entry {
  pass = 0;
  stopped = false;
  #signals: Set<'int' | 'term'> | undefined;
  denials = 0;
  /** Refusal events emitted since the last delivery, and those suppressed, by event and reason. */
  refusals = 0;
  #suppressed: Map<string, number> | undefined;
  /** Why the scheduler is ending it (set before it terminates the sandbox). */
  ending: Ending | undefined;
  /** Being replaced by an upgrade: its end is not a failure and its mailbox stays. */
  retiring = false;

  constructor(
    readonly sandbox: Sandbox,
    readonly service: Service,
    readonly handler: boolean,
  ) {}

  get id(): string {
    return this.sandbox.id;
  }

  /** Signals waiting for the handler. */
  get signals(): ReadonlySet<'int' | 'term'> {
    return this.#signals ?? NO_SIGNALS;
  }

  addSignal(signal: 'int' | 'term'): void {
    this.#signals ??= new Set();
    this.#signals.add(signal);
  }

  deleteSignal(signal: 'int' | 'term'): void {
    this.#signals?.delete(signal);
  }

  clearSignals(): void {
    this.#signals?.clear();
  }

  /** Refusals held back since the last delivery, by event and reason. */
  get suppressed(): ReadonlyMap<string, number> {
    return this.#suppressed ?? NO_REFUSALS;
  }

  suppress(key: string): void {
    this.#suppressed ??= new Map();
    this.#suppressed.set(key, (this.#suppressed.get(key) ?? 0) + 1);
  }

  clearSuppressed(): void {
    this.#suppressed?.clear();
  }
}

/** Names a service answers to, for grant checks: its live sandbox's id and its mount path. */
export function aliases(service: Service): string[] {
  const names: string[] = [];
  if (service.current) names.push(service.current.id);
  if (service.path) names.push(service.path);
  return names;
}

export function subscribed(service: Service, topic: string): boolean {
  for (const subscription of service.subscriptions.values()) {
    if (!topicMatches(subscription.pattern, topic)) continue;
    if (subscription.within && !matchesAny(subscription.within, topic, '.')) continue;
    return true;
  }
  return false;
}

/** How a sandbox ended on its own (a trap, an exit, a kill by the embedder). */
export function classify(sandbox: Sandbox): Ending {
  // Its code and message, without making a kill's error (see `Sandbox.endSummary`).
  const failure = sandbox.endSummary();
  if (sandbox.state === 'exited') {
    const exit = sandbox.exitCode ?? 0;
    return { reason: 'exit', exit, failure: exit !== 0, drop: true };
  }
  if (sandbox.state === 'poisoned') {
    return {
      reason: failure?.code ?? 'trap',
      failure: true,
      drop: false,
      ...(failure ? { message: failure.message } : {}),
    };
  }
  if (failure?.code === 'policy-violation') {
    return { reason: 'policy-violation', failure: true, drop: true, message: failure.message };
  }
  // Every spawn ends here (terminate): two literals, not a spread (Node 20's V8 builds one on a slow path).
  if (failure === undefined) return { reason: 'killed', failure: false, drop: true };
  return { reason: 'killed', failure: false, drop: true, message: failure.message };
}

export function serviceInfo(service: Service): ServiceInfo {
  const entry = service.current;
  const state: ServiceInfo['state'] = service.ended
    ? 'ended'
    : entry
      ? entry.stopped
        ? 'stopped'
        : 'running'
      : 'restarting';
  return {
    name: service.name,
    ...(service.path ? { path: service.path } : {}),
    ...(entry ? { sandbox: entry.id } : {}),
    history: [...service.history],
    ...(service.earlier > 0 ? { earlier: service.earlier } : {}),
    state,
    weight: service.weight,
    queued: service.mailbox.length,
    ...service.stats,
    ...(service.ended ? { ended: service.ended } : {}),
  };
}
