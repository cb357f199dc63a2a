/**
 * Services over time: a sandbox joining (a new service, or a successor taking over a restarted
 * or upgraded one), a sandbox ending, restarts by policy with backoff, links (`keel.down`), a
 * service's end, upgrades in place.
 */
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import type { ModuleHandle } from '../kernel/module.js';
import type { Sandbox } from '../kernel/sandbox.js';
import type { Timer } from './clock.js';
import type { SchedSpawnOptions } from './options.js';
import { enqueue } from './queue.js';
import { dropEvent } from './refusals.js';
import { settle } from './requests.js';
import { classify, DormantEnd, Entry, type Service } from './service.js';
import { DORMANT_OPTIONS, emit, exportsHandler, markWork, newService, type SchedState } from './state.js';
import { backoffDelay, type Ending, Restarts } from './supervise.js';
import { addSubscription, DOWN_TOPIC } from './topics.js';

/**
 * Ended services kept for `services()` (summaries): the most recent KEEP_ENDED at least, up to
 * twice as many; older ones are forgotten in batches (one pass over the list per KEEP_ENDED ends,
 * not a splice per end).
 */
const KEEP_ENDED = 1024;

/** Marks a service whose successor is being spawned right now (so it keeps taking messages). */
const PLACEHOLDER_TIMER: Timer = { at: 0, seq: -1, fire: () => {}, cancelled: true };

/** Kernel-internal: a sandbox was spawned; give it a mailbox (or its predecessor's). */
export function adopt(
  s: SchedState,
  sandbox: Sandbox,
  target: ModuleHandle | string,
  options: SchedSpawnOptions,
): void {
  let service = s.successors.get(options);
  if (service) s.successors.delete(options);
  if (service?.ended) {
    // Its service ended (a term or kill) while the successor was being spawned.
    sandbox.terminate(`its service ${service.name} has ended`);
    return;
  }
  if (!service && options.sched === undefined && typeof target !== 'string') {
    // Nothing to schedule yet: its records are made when first needed (`entryOf`).
    s.dormant.set(sandbox.id, s.order++);
    return;
  }
  if (!service) {
    service = newService(s, sandbox, s.order++, target, options);
    for (const pattern of options.sched?.subscribe ?? []) addSubscription(s, service, pattern, undefined);
    s.services.push(service);
    if (service.path) {
      const list = s.routes.get(service.path) ?? [];
      list.push(service);
      s.routes.set(service.path, list);
    }
  }
  const entry = new Entry(sandbox, service, exportsHandler(sandbox));
  const previous = service.current;
  if (previous) {
    // An upgrade: the predecessor's state carries over, then it retires.
    entry.stopped = previous.stopped;
    for (const signal of previous.signals) entry.addSignal(signal);
    entry.pass = previous.pass;
    previous.retiring = true;
    s.work.delete(previous);
  } else {
    entry.pass = s.globalPass;
  }
  service.current = entry;
  service.remember(sandbox.id);
  s.entries.set(sandbox.id, entry);
  if (previous) {
    previous.sandbox.terminate(`upgraded to ${sandbox.module.name} (${sandbox.id})`);
  }
  markWork(s, entry);
}

/** Kernel-internal: a sandbox ended (exit, trap, kill, ...). */
export function sandboxEnded(s: SchedState, sandbox: Sandbox): void {
  // A dormant sandbox ends without records: nothing was queued for it, it has no links,
  // subscriptions, requests or path, and it never restarts (no options), so its end is its
  // summary alone.
  const order = s.dormant.get(sandbox.id);
  if (order !== undefined) {
    s.dormant.delete(sandbox.id);
    keepEnded(s, new DormantEnd(sandbox.id, sandbox.name, order, sandbox.module, classify(sandbox)));
    return;
  }
  const entry = s.entries.get(sandbox.id);
  if (!entry) return;
  s.entries.delete(sandbox.id);
  s.work.delete(entry);
  const service = entry.service;
  if (service.current === entry) service.current = undefined;
  if (entry.retiring) return;
  const ending = entry.ending ?? classify(sandbox);
  service.lastEnding = ending;
  // Requests this sandbox was handed and did not answer will not be answered.
  for (const pending of [...service.awaiting.values()]) {
    if (pending.delivered && !pending.expired) settle(s, pending, 'killed');
  }
  const restart = !s.closed && ending.failure && mayRestart(s, service);
  if (ending.drop || !restart) drain(s, service, ending.reason);
  if (!s.closed) notifyLinks(s, service, sandbox, ending, restart);
  if (restart) {
    scheduleRestart(s, service, ending);
  } else {
    if (ending.failure && service.restart.policy === 'on-failure' && !s.closed) {
      emit(s, {
        event: EVENTS.sandboxRestart,
        level: 'error',
        sandbox: sandbox.id,
        module: sandbox.module.name,
        status: 'error',
        data: { service: service.name, reason: 'max-restarts', restarts: service.stats.restarts },
      });
    }
    endService(s, service, ending);
  }
}

/** End a live sandbox on the scheduler's decision. */
export function endSandbox(
  s: SchedState,
  entry: Entry,
  ending: Ending,
  reason: string,
  error?: KeelError,
): void {
  entry.ending = ending;
  entry.sandbox.terminate(reason, error);
  // A sandbox ended before `adopt` (or already gone) is not ours to clean up.
  if (s.entries.get(entry.id) === entry) sandboxEnded(s, entry.sandbox);
}

/** Drop everything queued for a service (kill, or no successor). */
export function drain(s: SchedState, service: Service, reason: string): void {
  for (const envelope of service.mailbox.drain()) {
    dropEvent(s, service, envelope, reason);
    if (envelope.kind === 'request') {
      const pending = service.awaiting.get(envelope.request!);
      if (pending) settle(s, pending, 'killed');
    }
  }
  if (service.current) {
    service.current.clearSignals();
  }
}

export function mayRestart(s: SchedState, service: Service): boolean {
  const policy = service.restart;
  if (policy.policy !== 'on-failure') return false;
  return (service.countedRestarts?.counted(s.clock.now(), policy.windowMs) ?? 0) < policy.maxRestarts;
}

export function scheduleRestart(s: SchedState, service: Service, ending: Ending): void {
  // A count, or the window's buckets: not a time a restart (a list grew by one a restart, up to
  // `maxRestarts` of them, with the spawn rate).
  service.countedRestarts ??= new Restarts();
  service.attempt = service.countedRestarts.add(s.clock.now(), service.restart.windowMs);
  const delay = backoffDelay(service.restart.backoff, service.attempt);
  const last = service.history[service.history.length - 1];
  emit(s, {
    event: EVENTS.sandboxRestart,
    level: 'warn',
    ...(last ? { sandbox: last } : {}),
    module: service.name,
    status: 'ok',
    data: { service: service.name, attempt: service.attempt, delay_ms: delay, reason: ending.reason },
  });
  service.restartTimer = s.timers.add(s.clock.now() + delay, () => respawn(s, service));
}

/** A dormant sandbox's service is never respawned nor upgraded (see `DORMANT_OPTIONS`): its options are not its spawn's. */
function dormantInvariant(service: Service): void {
  if (service.options === DORMANT_OPTIONS) {
    throw new KeelError('internal', `service ${service.name} has no spawn options to spawn a successor from`);
  }
}

export async function respawn(s: SchedState, service: Service): Promise<void> {
  service.restartTimer = undefined;
  if (s.closed || service.ended) return;
  const options = { ...service.options };
  s.successors.set(options, service);
  // While the spawn is in flight, the path still takes messages for the successor.
  service.restartTimer = PLACEHOLDER_TIMER;
  try {
    dormantInvariant(service);
    await s.host.spawn(service.target, options);
    service.stats.restarts++;
    service.restartTimer = undefined;
  } catch (error) {
    service.restartTimer = undefined;
    s.successors.delete(options);
    const failure = error instanceof KeelError ? error : new KeelError('internal', String(error));
    const ending: Ending = { reason: failure.code, failure: true, drop: false, message: failure.message };
    service.lastEnding = ending;
    if (!s.closed && mayRestart(s, service)) scheduleRestart(s, service, ending);
    else {
      drain(s, service, 'restart-failed');
      endService(s, service, ending);
    }
    return;
  }
  if (service.current) markWork(s, service.current);
}

export function notifyLinks(
  s: SchedState,
  service: Service,
  sandbox: Sandbox,
  ending: Ending,
  restart: boolean,
): void {
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
    enqueue(s, undefined, linked, { kind: 'event', from: 'kernel', body, topic: DOWN_TOPIC }, true);
  }
}

export function endService(s: SchedState, service: Service, ending: Ending): void {
  if (service.ended) return;
  service.ended = ending;
  keepEnded(s, service);
  const listening = s.listeners.indexOf(service);
  if (listening >= 0) s.listeners.splice(listening, 1);
  for (const pending of [...service.awaiting.values()]) {
    if (!pending.expired) settle(s, pending, 'killed');
  }
  service.clearAwaiting();
  for (const linked of service.links) linked.unlink(service);
  if (service.path) {
    const list = (s.routes.get(service.path) ?? []).filter((s) => s !== service);
    if (list.length > 0) s.routes.set(service.path, list);
    else s.routes.delete(service.path);
  }
}

/** An ended service kept for summaries; the oldest forgotten past `KEEP_ENDED` (see there). */
function keepEnded(s: SchedState, ended: Service | DormantEnd): void {
  s.endedServices.push(ended);
  if (s.endedServices.length >= 2 * KEEP_ENDED) {
    const forgotten = new Set<Service | DormantEnd>(s.endedServices.splice(0, KEEP_ENDED));
    const kept = s.services.filter((known) => !forgotten.has(known));
    s.services.length = 0;
    for (const known of kept) s.services.push(known);
  }
}

/**
 * Upgrade what runs at a mount path: mount `module` there, spawn a successor for each live
 * sandbox spawned from the path (same grants, limits and options), move its mailbox,
 * subscriptions, links and awaited requests over, and retire it. Nothing queued is lost.
 * Returns the successors.
 */
export async function upgrade(s: SchedState, path: string, module: ModuleHandle): Promise<Sandbox[]> {
  s.host.mount(path, module);
  const services = (s.routes.get(path) ?? []).filter((s) => s.current && !s.ended);
  const successors: Sandbox[] = [];
  for (const service of services) {
    dormantInvariant(service);
    const options = { ...service.options };
    s.successors.set(options, service);
    try {
      successors.push(await s.host.spawn(module, options));
    } finally {
      s.successors.delete(options);
    }
  }
  return successors;
}
