/**
 * Requests and their replies: ids, timeouts (the scheduler's default and cap), what settles a
 * request (a reply, a timeout, the replier's end) and where its outcome goes (the requesting
 * service's mailbox, or the embedder's promise).
 */
import { KeelError } from '../kernel/errors.js';
import { enqueue } from './queue.js';
import { dropReply } from './refusals.js';
import { type Entry, type HostWaiter, type PendingRequest, Service } from './service.js';
import { EMPTY, type SchedState } from './state.js';

/** A request's timeout: the scheduler's default for 0, capped by its maximum. */
export function requestTimeout(s: SchedState, timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new KeelError('invalid-argument', `request timeout must be >= 0 ms, got ${timeoutMs}`);
  }
  return Math.min(timeoutMs === 0 ? s.requestTimeoutMs : timeoutMs, s.maxRequestTimeoutMs);
}

export function openRequest(
  s: SchedState,
  from: Service | HostWaiter,
  fromId: string,
  to: Service,
  timeoutMs: number,
): bigint {
  const timeout = requestTimeout(s, timeoutMs);
  const id = ++s.requestSeq;
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
  pending.timer = s.timers.add(s.clock.now() + timeout, () => expire(s, pending));
  to.awaitReply(pending);
  trimAwaiting(to);
  if (from instanceof Service) from.outstanding++;
  else s.hostRequests.add(pending);
  return id;
}

/** Undo `#openRequest` when the request could not be queued. */
export function abandonRequest(s: SchedState, id: bigint, to: Service): void {
  const pending = to.awaiting.get(id);
  if (!pending) return;
  to.forgetRequest(id);
  pending.settled = true;
  s.timers.cancel(pending.timer);
  if (pending.from instanceof Service) pending.from.outstanding--;
  else s.hostRequests.delete(pending);
}

/** Expired requests are kept so that a late reply is recognized; keep at most twice the mailbox. */
export function trimAwaiting(service: Service): void {
  const cap = service.mailbox.limit * 2;
  if (service.awaiting.size <= cap) return;
  for (const [id, pending] of service.awaiting) {
    if (service.awaiting.size <= cap) break;
    if (pending.expired) service.forgetRequest(id);
  }
}

export function expire(s: SchedState, pending: PendingRequest): void {
  if (pending.settled) return;
  if (pending.to.awaiting.has(pending.id)) pending.expired = true;
  settle(s, pending, 'timeout');
}

/** A request's outcome reaches its requester (a reply slot was reserved for it). */
export function settle(
  s: SchedState,
  pending: PendingRequest,
  status: 'ok' | 'timeout' | 'killed',
  body?: Uint8Array,
  replier?: Entry,
): void {
  if (pending.settled) return;
  pending.settled = true;
  s.timers.cancel(pending.timer);
  if (status !== 'timeout') pending.to.forgetRequest(pending.id);
  const from = pending.from;
  if (!(from instanceof Service)) {
    s.hostRequests.delete(pending);
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
    if (replier && body) dropReply(replier, pending, body, 'requester-gone');
    return;
  }
  enqueue(
    s,
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
