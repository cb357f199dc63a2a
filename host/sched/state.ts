/**
 * The scheduler's shared state and the kernel port it works through (`SchedulerHost`): services
 * and their live sandboxes by id and path, the clock and timers, the run queue's set of entries
 * with work, names resolved to services, events emitted.
 */
import type { EventBus } from '../events/bus.js';
import type { EventInput } from '../events/record.js';
import { KeelError } from '../kernel/errors.js';
import type { Limits } from '../kernel/limits.js';
import type { ModuleHandle } from '../kernel/module.js';
import type { Sandbox } from '../kernel/sandbox.js';
import { type Clock, realClock, type Timer, TimerQueue, virtualClock } from './clock.js';
import { parseTarget } from './glob.js';
import type { SchedSpawnOptions, SchedulerOptions } from './options.js';
import { type RemotePort, unqualify } from './remote.js';
import { RunQueue } from './runqueue.js';
import type { Entry, HostWaiter, PendingRequest, Service } from './service.js';

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
  /** Ended services kept for summaries (see `endService`). */
  readonly endedServices: Service[] = [];
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

export function resolveTarget(s: SchedState, target: ReturnType<typeof parseTarget>): Service | undefined {
  if (target.kind === 'id') {
    const remote = unqualify(target.id);
    // `sbx_3@this-host` is `sbx_3`; an id of another host is not served here.
    if (remote) return remote.host === s.remote?.hostId ? s.entries.get(remote.name)?.service : undefined;
    return s.entries.get(target.id)?.service;
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
): Service | undefined {
  if (typeof target !== 'string') {
    const entry = s.entries.get(target.id);
    if (entry) return entry.service;
    return includeStopped ? s.services.find((s) => s.history.includes(target.id) && !s.ended) : undefined;
  }
  const byName = s.services.find((s) => !s.ended && s.name === target && !target.startsWith('/'));
  try {
    return resolveTarget(s, parseTarget(target)) ?? byName;
  } catch (error) {
    if (byName) return byName;
    throw error;
  }
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
