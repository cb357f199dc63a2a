/**
 * Other hosts: messages, requests and events to and from a lattice, through the `RemotePort`
 * that host/cluster lends. What arrives is checked again here (grant, size, mailbox, share).
 */

import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import type { Sandbox } from '../kernel/sandbox.js';
import { invalidTarget, isTopic, matchesAny, readTarget } from './glob.js';
import type { GuestErrorCode } from './port.js';
import { enqueue } from './queue.js';
import {
  qualify,
  type RemoteArrival,
  type RemoteLocation,
  type RemotePort,
  type RemoteSend,
} from './remote.js';
import { openRequest, requestTimeout } from './requests.js';
import { aliases, type Entry, type HostWaiter, Service } from './service.js';
import { EMPTY, emitFor, type RemotePending, resolve, resolveTarget, type SchedState } from './state.js';
import { DOWN_TOPIC, KERNEL_TOPIC_PREFIX, matching } from './topics.js';

/** What the receiving kernel made of an envelope from another host. */
export type ArrivalOutcome =
  | { readonly ok: true; readonly reply?: Promise<Uint8Array> }
  | { readonly ok: false; readonly code: GuestErrorCode; readonly message: string };

function refused(code: GuestErrorCode, message: string): ArrivalOutcome {
  return { ok: false, code, message };
}

/** Kernel-internal (host/cluster): route targets this kernel does not serve through `port`. */
export function attachRemote(s: SchedState, port: RemotePort): void {
  if (s.remote && s.remote !== port) {
    throw new KeelError('invalid-argument', 'this kernel already belongs to a lattice');
  }
  s.remote = port;
}

/** Kernel-internal: leave the lattice; requests still waiting on other hosts end `killed`. */
export function detachRemote(s: SchedState, port: RemotePort): void {
  if (s.remote !== port) return;
  s.remote = undefined;
  for (const pending of [...s.remoteRequests.values()]) settleRemote(s, pending, 'killed');
}

/**
 * Kernel-internal: a message or request from another host, its sending host verified. The
 * receiving kernel checks again what the sending kernel checked (the sender's peers grant,
 * the size), then applies its own mailbox bound and the sender's share. Refusals are returned,
 * not logged: the lattice logs them, bounded per host. A request's outcome is `reply`.
 */
export function arrive(s: SchedState, arrival: RemoteArrival): ArrivalOutcome {
  if (s.closed) return refused('no-such-target', 'the kernel is closed');
  const from = qualify(arrival.from, arrival.host);
  const target = readTarget(arrival.to);
  if (!target) return refused('invalid-argument', invalidTarget(arrival.to));
  const service = resolveTarget(s, target);
  if (arrival.peers) {
    const names = service ? [arrival.to, ...latticeAliases(s, service)] : [arrival.to];
    if (!names.some((name) => matchesAny(arrival.peers!, name, '/'))) {
      return refused('capability-denied', `${from} may not message ${arrival.to}: not covered by its grant`);
    }
  }
  if (!service?.accepting) return refused('no-such-target', `no sandbox takes messages at ${arrival.to}`);
  if (arrival.body.byteLength > s.host.limits.messageBytes) {
    return refused(
      'message-too-large',
      `a ${arrival.body.byteLength}-byte message exceeds the ${s.host.limits.messageBytes}-byte message limit`,
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
  const delivered = arrival.delivered ? { delivered: arrival.delivered } : {};
  if (arrival.kind === 'message') {
    enqueue(s, undefined, service, { kind: 'message', from, body: arrival.body, ...delivered });
    return { ok: true };
  }
  const reply = new Promise<Uint8Array>((resolve, reject) => {
    const waiter: HostWaiter = { resolve, reject };
    const id = openRequest(s, waiter, from, service, arrival.timeoutMs ?? 0);
    enqueue(s, undefined, service, { kind: 'request', from, body: arrival.body, request: id, ...delivered });
  });
  return { ok: true, reply };
}

/**
 * Kernel-internal: an event published on another host. The topic is checked again against the
 * publisher's grant (absent: that host's embedder) and the kernel's reserved `keel.*`; each
 * subscriber's own grant applies as for a local publication. Returns how many subscribers it
 * was queued for and how many missed it (full mailboxes, counted here, not logged one by one).
 */
export function arriveEvent(
  s: SchedState,
  host: string,
  from: string,
  topic: string,
  body: Uint8Array,
  publish: readonly string[] | undefined,
): ArrivalOutcome & { queued?: number; dropped?: number } {
  if (s.closed) return { ok: true, queued: 0, dropped: 0 };
  if (!isTopic(topic)) return refused('invalid-argument', `invalid topic "${topic.slice(0, 80)}"`);
  if (topic.startsWith(KERNEL_TOPIC_PREFIX) || (publish !== undefined && !matchesAny(publish, topic, '.'))) {
    return refused('capability-denied', `${qualify(from, host)} may not publish ${topic}`);
  }
  if (body.byteLength > s.host.limits.messageBytes) {
    return refused('message-too-large', `a ${body.byteLength}-byte event exceeds the message limit`);
  }
  const sender = qualify(from, host);
  let queued = 0;
  let dropped = 0;
  for (const service of matching(s, topic).services) {
    if (service.mailbox.full || service.mailbox.overShare(sender)) {
      service.stats.dropped++;
      dropped++;
      continue;
    }
    enqueue(s, undefined, service, { kind: 'event', from: sender, body, topic });
    queued++;
  }
  return { ok: true, queued, dropped };
}

/** Kernel-internal: the outcome of a request this kernel sent to another host. */
export function remoteReply(
  s: SchedState,
  request: bigint,
  host: string,
  status: 'ok' | 'timeout' | 'killed',
  body: Uint8Array,
  from: string,
): void {
  const pending = s.remoteRequests.get(request);
  // Only the host the request went to may answer it.
  if (!pending || pending.host !== host) return;
  settleRemote(s, pending, status, body, qualify(from, host));
}

/**
 * Kernel-internal: the host a request went to refused it (`code`: its mailbox was full, the
 * target does not exist there, the grant did not cover it). The embedder's promise rejects
 * with that code; a guest's `on-reply` says `killed` (the WIT's statuses have no other case
 * for a request that will not be answered).
 */
export function remoteRefused(
  s: SchedState,
  request: bigint,
  host: string,
  code: GuestErrorCode,
  message: string,
): void {
  const pending = s.remoteRequests.get(request);
  if (!pending || pending.host !== host) return;
  settleRemote(s, pending, 'killed', undefined, undefined, undefined, { code, message });
}

/** Kernel-internal: a host was declared down; what waits on it ends now, as a timeout. */
export function remoteHostDown(s: SchedState, host: string): void {
  for (const pending of [...s.remoteRequests.values()]) {
    if (pending.host === host) settleRemote(s, pending, 'timeout', undefined, undefined, 'host-down');
  }
}

/**
 * Kernel-internal: a notice from the kernel to a service: `keel.down` (a link across hosts) or
 * `keel.undelivered` (an at-least-once message the lattice could not hand to its stream).
 */
export function notice(s: SchedState, target: string, body: Uint8Array, topic = DOWN_TOPIC): boolean {
  const service = resolve(s, target, true);
  if (!service || service.ended || !service.accepting) return false;
  // `keel.down` has a reserved slot (one per link); other notices only a free one: a sender
  // whose mailbox is full misses them (dropped with `ipc:drop`), so they cannot pile up.
  try {
    enqueue(s, undefined, service, { kind: 'event', from: 'kernel', body, topic }, topic === DOWN_TOPIC);
  } catch {
    return false;
  }
  return true;
}

/** Names a local service answers to across the lattice: its id, qualified too, and its path. */
export function latticeAliases(s: SchedState, service: Service): string[] {
  const names = aliases(service);
  const id = service.current?.id;
  if (id && s.remote) names.push(qualify(id, s.remote.hostId));
  return names;
}

/** The remote location of an embedder's target, if this kernel does not serve it. */
export function remoteFor(s: SchedState, to: string | Sandbox): RemoteLocation | undefined {
  if (!s.remote || typeof to !== 'string') return undefined;
  let local: Service | undefined;
  try {
    local = resolve(s, to);
  } catch {
    return undefined;
  }
  if (local) return undefined;
  return s.remote.locate(to);
}

/** Hand a message or request to another host, and log it as `ipc:send` on this side. */
export function sendRemote(
  s: SchedState,
  sender: Entry | undefined,
  where: RemoteLocation,
  envelope: RemoteSend,
): void {
  s.remote!.send(where.host, envelope);
  const seq = ++s.seq;
  if (sender) sender.service.stats.sent++;
  if (s.host.bus.wants(EVENTS.ipcSend)) {
    emitFor(s, sender, {
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

export function requestRemote(
  s: SchedState,
  sender: Entry | undefined,
  from: Service | HostWaiter,
  fromId: string,
  where: RemoteLocation,
  to: string,
  body: Uint8Array,
  timeoutMs: number,
  peers?: readonly string[],
  delivery?: 'at-least-once',
): bigint {
  const timeout = requestTimeout(s, timeoutMs);
  const id = ++s.requestSeq;
  const pending: RemotePending = {
    id,
    from,
    fromId,
    host: where.host,
    to,
    timer: undefined,
    settled: false,
  };
  sendRemote(s, sender, where, {
    kind: 'request',
    from: fromId,
    to,
    body,
    request: id,
    timeoutMs: timeout,
    ...(peers ? { peers } : {}),
    ...(delivery ? { delivery } : {}),
  });
  pending.timer = s.timers.add(s.clock.now() + timeout, () => settleRemote(s, pending, 'timeout'));
  s.remoteRequests.set(id, pending);
  if (from instanceof Service) from.outstanding++;
  s.wake?.();
  return id;
}

export function settleRemote(
  s: SchedState,
  pending: RemotePending,
  status: 'ok' | 'timeout' | 'killed',
  body?: Uint8Array,
  replier?: string,
  reason?: string,
  refusal?: { code: GuestErrorCode; message: string },
): void {
  if (pending.settled) return;
  pending.settled = true;
  s.timers.cancel(pending.timer);
  s.remoteRequests.delete(pending.id);
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
  enqueue(
    s,
    undefined,
    from,
    { kind: 'reply', from: replier ?? 'kernel', body: body ?? EMPTY, request: pending.id, status },
    true,
  );
}
