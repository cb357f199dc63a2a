/**
 * The scheduler's shared state and the kernel port it works through (`SchedulerHost`): services
 * and their live sandboxes by id and path, the clock and timers, the run queue's set of entries
 * with work, names resolved to services, events emitted.
 */
import type { EventBus } from '../events/bus.js';
import type { EventInput } from '../events/record.js';
import { KeelError } from '../kernel/errors.js';
import { type Limits, senderQuota } from '../kernel/limits.js';
import type { ModuleHandle } from '../kernel/module.js';
import { oncePer } from '../kernel/once-per.js';
import type { Sandbox } from '../kernel/sandbox.js';
import { type Clock, realClock, type Timer, TimerQueue, virtualClock } from './clock.js';
import { parseTarget } from './glob.js';
import { Mailbox } from './mailbox.js';
import type { SchedSpawnOptions, SchedulerOptions } from './options.js';
import { type RemotePort, unqualify } from './remote.js';
import { RunQueue } from './runqueue.js';
import { DormantEnd, Entry, type HostWaiter, type PendingRequest, Service } from './service.js';
import { resolveRestart } from './supervise.js';

/**
 * The kernel's side of the port between the kernel and its scheduler: what the scheduler
 * needs of the kernel's mechanisms (the event bus, the default limits, spawning a successor,
 * mounting a module). The scheduler never imports the kernel itself (docs/architecture.md).
 */
export interface SchedulerHost {
  bus: EventBus;
  limits: Readonly<Limits>;
  deterministic: boolean;
  options?: SchedulerOptions;
  spawn(target: ModuleHandle | string, options: SchedSpawnOptions): Promise<Sandbox>;
  mount(path: string, module: ModuleHandle): void;
  /** A live sandbox of the kernel's table, by id (a dormant sandbox's records are made from it). */
  sandbox(id: string): Sandbox | undefined;
}

export const HANDLER = 'keel:kernel/handler';
export const ON_MESSAGE = `${HANDLER}#on-message`;
export const ON_REPLY = `${HANDLER}#on-reply`;
export const ON_EVENT = `${HANDLER}#on-event`;
export const ON_SIGNAL = `${HANDLER}#on-signal`;

export const EMPTY = new Uint8Array(0);

/** A request waiting on another host's reply. */
export interface RemotePending {
  readonly id: bigint;
  readonly from: Service | HostWaiter;
  readonly fromId: string;
  readonly host: string;
  readonly to: string;
  timer: Timer | undefined;
  settled: boolean;
}

/** Everything the scheduler's parts share; one per kernel. */
export class SchedState {
  readonly host: SchedulerHost;
  readonly clock: Clock;
  readonly timers = new TimerQueue();
  readonly entries = new Map<string, Entry>();
  /**
   * Live sandboxes spawned without scheduling options whose service, entry and mailbox are not
   * made yet (idle memory, issue 12), by id: the order their service takes when it is made
   * (`entryOf`, at the first send, lookup, signal or end). Such a sandbox has nothing queued,
   * no signal, link or subscription: anything that would give it one makes its records first.
   */
  readonly dormant = new Map<string, number>();
  readonly services: Service[] = [];
  /** Services that have subscribed to a topic, in the order of `services`: what a publication looks at. */
  readonly listeners: Service[] = [];
  readonly routes = new Map<string, Service[]>();
  /** Entries that may have work, in insertion order. */
  readonly work = new Set<Entry>();
  /** The same entries by pass, for `pick` (`runqueue.ts`). */
  readonly runQueue = new RunQueue();
  /** Spawn options objects of successors being spawned, and the service each continues. */
  readonly successors = new WeakMap<SchedSpawnOptions, Service>();
  readonly hostRequests = new Set<PendingRequest>();
  /** Requests waiting on another host's reply, by request id. */
  readonly remoteRequests = new Map<bigint, RemotePending>();
  remote: RemotePort | undefined;
  /** Ended services kept for summaries (see `endService`), dormant sandboxes' as `DormantEnd`s. */
  readonly endedServices: (Service | DormantEnd)[] = [];
  readonly sliceFuel: number | undefined;
  readonly graceFuel: number;
  readonly requestTimeoutMs: number;
  readonly maxRequestTimeoutMs: number;
  globalPass = 0;
  order = 0;
  seq = 0;
  requestSeq = 0n;
  running = false;
  stopRequested = false;
  closed = false;
  wake: (() => void) | undefined;

  constructor(host: SchedulerHost) {
    this.host = host;
    this.clock = host.deterministic ? virtualClock() : realClock();
    const options = host.options ?? {};
    this.sliceFuel = options.sliceFuel;
    this.graceFuel = options.graceFuel ?? 1_000_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxRequestTimeoutMs = options.maxRequestTimeoutMs ?? 600_000;
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        throw new KeelError(
          'invalid-argument',
          `scheduler option ${name} must be a number >= 0, got ${value}`,
        );
      }
    }
  }
}

/**
 * What a dormant sandbox's service holds as its spawn options: none (frozen). Its service has no
 * path (so `upgrade` never finds it) and the restart policy `never` (so it is never respawned):
 * nothing spawns a successor from these. `respawn` and `upgrade` refuse them as `internal`
 * (a successor spawned from them would have lost the sandbox's grants and limits).
 */
export const DORMANT_OPTIONS: SchedSpawnOptions = Object.freeze({});

/** Whether a module exports the IPC handler, looked up once per module (from its first sandbox). */
const handlesMessages = oncePer((_module: ModuleHandle, sandbox: Sandbox): boolean =>
  sandbox.exportNames().some((n) => n.startsWith(`${HANDLER}@`) && n.endsWith('#on-message')),
);

export function exportsHandler(sandbox: Sandbox): boolean {
  return handlesMessages(sandbox.module, sandbox);
}

/** A new service for `sandbox` with its own mailbox, bounded by its own limits; not yet registered. */
export function newService(
  s: SchedState,
  sandbox: Sandbox,
  order: number,
  target: ModuleHandle | string,
  options: SchedSpawnOptions,
): Service {
  const sched = options.sched ?? {};
  return new Service(
    sandbox.name,
    order,
    typeof target === 'string' ? target : undefined,
    target,
    options,
    new Mailbox(sandbox.limits.mailboxLength, senderQuota(sandbox.limits)),
    sched.weight ?? 1,
    resolveRestart(sched.restart),
    sched.maxDenials,
    sched.sliceFuel ?? s.sliceFuel,
    sched.graceFuel,
  );
}

/**
 * The records of a dormant sandbox, made now as `adopt` would have made them at its spawn: its
 * service (with its spawn-time order, so ties between services still go to the oldest), its
 * entry at the current pass (an idle entry starts there anyway: `markWork`), its mailbox.
 * Unregistered when `register` is false (a summary of a sandbox that stays dormant).
 */
function awaken(s: SchedState, sandbox: Sandbox, order: number, register: boolean): Entry {
  const service = newService(s, sandbox, order, sandbox.module, DORMANT_OPTIONS);
  const entry = new Entry(sandbox, service, exportsHandler(sandbox));
  entry.pass = s.globalPass;
  service.current = entry;
  service.history = [sandbox.id];
  if (register) {
    s.dormant.delete(sandbox.id);
    s.services.push(service);
    s.entries.set(sandbox.id, entry);
  }
  return entry;
}

/**
 * The scheduler's entry of a live sandbox, its records made now if it was dormant; undefined
 * when the scheduler has no such sandbox (not adopted yet, or ended). `sandbox` is given when
 * the caller holds it (its end: the kernel's table no longer has it). A reader passes `wake`
 * false: a dormant sandbox's records are then made for the answer and not kept (reading must
 * not cost an idle sandbox its records: idle memory, issue 12).
 */
export function entryOf(s: SchedState, id: string, sandbox?: Sandbox, wake = true): Entry | undefined {
  const entry = s.entries.get(id);
  if (entry) return entry;
  const order = s.dormant.get(id);
  if (order === undefined) return undefined;
  const live = sandbox ?? s.host.sandbox(id);
  if (!live) {
    s.dormant.delete(id);
    return undefined;
  }
  return awaken(s, live, order, wake);
}

/** A live sandbox the scheduler knows (dormant or not), its records left as they are. */
export function sandboxOf(s: SchedState, id: string): Sandbox | undefined {
  const entry = s.entries.get(id);
  if (entry) return entry.sandbox;
  return s.dormant.has(id) ? s.host.sandbox(id) : undefined;
}

/**
 * Every service, dormant sandboxes' included, live or ended (made for the summary, not kept),
 * oldest first.
 */
export function allServices(s: SchedState): Service[] {
  const all = [...s.services];
  for (const [id, order] of s.dormant) {
    const sandbox = s.host.sandbox(id);
    if (sandbox) all.push(awaken(s, sandbox, order, false).service);
  }
  for (const ended of s.endedServices) if (ended instanceof DormantEnd) all.push(endedService(s, ended));
  return all.sort((a, b) => a.order - b.order);
}

/** The service a dormant sandbox that ended would have had, as `awaken` makes it, ended (for its summary). */
function endedService(s: SchedState, ended: DormantEnd): Service {
  const service = new Service(
    ended.name,
    ended.order,
    undefined,
    ended.target,
    DORMANT_OPTIONS,
    ENDED_MAILBOX,
    1,
    resolveRestart(undefined),
    undefined,
    s.sliceFuel,
    undefined,
  );
  service.history = [ended.id];
  service.ended = ended.ended;
  service.lastEnding = ended.ended;
  return service;
}

/** The mailbox of an ended dormant sandbox's summary: empty, never written (nothing sends to an ended service). */
const ENDED_MAILBOX = new Mailbox(0);

/** The oldest live service named `name`, dormant sandboxes included (its records made, kept if `wake`). */
function byName(s: SchedState, name: string, wake: boolean): Service | undefined {
  let found: Service | undefined;
  for (const service of s.services) {
    if (!service.ended && service.name === name && (!found || service.order < found.order)) found = service;
  }
  let dormant: string | undefined;
  let oldest = found ? found.order : Number.POSITIVE_INFINITY;
  for (const [id, order] of s.dormant) {
    if (order < oldest && s.host.sandbox(id)?.name === name) {
      dormant = id;
      oldest = order;
    }
  }
  return dormant === undefined ? found : entryOf(s, dormant, undefined, wake)?.service;
}

/** The service a parsed target names; a dormant sandbox's records are kept unless `wake` is false (see `entryOf`). */
export function resolveTarget(
  s: SchedState,
  target: ReturnType<typeof parseTarget>,
  wake = true,
): Service | undefined {
  if (target.kind === 'id') {
    const remote = unqualify(target.id);
    // `sbx_3@this-host` is `sbx_3`; an id of another host is not served here.
    if (remote)
      return remote.host === s.remote?.hostId ? entryOf(s, remote.name, undefined, wake)?.service : undefined;
    return entryOf(s, target.id, undefined, wake)?.service;
  }
  const list = s.routes.get(target.path);
  if (!list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) if (!list[i]!.ended) return list[i];
  return undefined;
}

export function resolve(
  s: SchedState,
  target: string | Sandbox,
  includeStopped = false,
  wake = true,
): Service | undefined {
  if (typeof target !== 'string') {
    const entry = entryOf(s, target.id, undefined, wake);
    if (entry) return entry.service;
    return includeStopped ? s.services.find((s) => s.history.includes(target.id) && !s.ended) : undefined;
  }
  // By name (the oldest live service of that name) only when the target does not resolve.
  const named = !target.startsWith('/');
  let found: Service | undefined;
  try {
    found = resolveTarget(s, parseTarget(target), wake);
  } catch (error) {
    const service = named ? byName(s, target, wake) : undefined;
    if (service) return service;
    throw error;
  }
  return found ?? (named ? byName(s, target, wake) : undefined);
}

export function resolveOrThrow(s: SchedState, target: string | Sandbox, includeRestarting = false): Service {
  const service = resolve(s, target, includeRestarting);
  const name = typeof target === 'string' ? target : target.id;
  if (!service || (!includeRestarting && !service.accepting)) {
    throw new KeelError('no-such-target', `no sandbox takes messages at ${name}`, { target: name });
  }
  return service;
}

export function emit(s: SchedState, event: EventInput): void {
  s.host.bus.emit(event);
}

export function emitFor(s: SchedState, entry: Entry | undefined, event: Omit<EventInput, 'sandbox'>): void {
  if (entry) entry.sandbox.emit(event);
  else s.host.bus.emit(event);
}

export function markWork(s: SchedState, entry: Entry): void {
  if (s.work.has(entry) || entry.stopped || entry.retiring) return;
  if (entry.signals.size === 0 && entry.service.mailbox.length === 0) return;
  // A sandbox that was idle starts at the current pass: no credit hoarded while idle.
  if (entry.pass < s.globalPass) entry.pass = s.globalPass;
  s.work.add(entry);
  s.runQueue.push(entry);
  s.wake?.();
}
