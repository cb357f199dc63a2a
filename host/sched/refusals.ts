/**
 * Refused calls and dropped envelopes, made observable without flooding the log: `ipc:drop` and
 * `capability:denied`, at most `MAX_REFUSAL_EVENTS` per sandbox between two deliveries, the
 * rest summarized after the delivery.
 */
import { EVENTS } from '../events/names.js';
import type { EventInput } from '../events/record.js';
import type { Envelope } from './mailbox.js';
import type { Entry, PendingRequest, Service } from './service.js';
import { emit, type SchedState } from './state.js';

/**
 * Refusal events (`ipc:drop` of a refused send, `capability:denied`) a sandbox may cause between
 * two deliveries; the rest are counted and summarized in one event after the delivery, so that a
 * flood of refused sends cannot flood the log.
 */
const MAX_REFUSAL_EVENTS = 16;

/** A send refused after the grant check: `ipc:drop` on the sender's side. */
export function refused(
  s: SchedState,
  entry: Entry,
  kind: string,
  to: string,
  body: Uint8Array,
  reason: string,
  service?: Service,
  overShare = false,
): void {
  if (service) service.stats.dropped++;
  if (!s.host.bus.wants(EVENTS.ipcDrop)) return;
  refusal(entry, `${EVENTS.ipcDrop} ${reason}`, () =>
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

export function refusal(entry: Entry, key: string, emit: () => void): void {
  if (entry.refusals < MAX_REFUSAL_EVENTS) {
    entry.refusals++;
    emit();
    return;
  }
  entry.suppress(key);
}

/** After a delivery: one summary event per kind of refusal that was not logged one by one. */
export function flushRefusals(entry: Entry): void {
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
  entry.clearSuppressed();
  if (Object.keys(drops).length > 0) {
    entry.sandbox.emit({
      event: EVENTS.ipcDrop,
      level: 'warn',
      status: 'dropped',
      data: { reason: 'suppressed', from: entry.id, suppressed: drops },
    });
  }
}

/** `ipc:drop` about `service`'s mailbox; a guest that caused it (a publisher's fan-out) pays for it from its event budget. */
export function dropEvent(
  s: SchedState,
  service: Service,
  envelope: Omit<Envelope, 'seq' | 'queuedAt'> & { seq?: number },
  reason: string,
  cause?: Entry,
): void {
  service.stats.dropped++;
  if (!s.host.bus.wants(EVENTS.ipcDrop)) return;
  const last = service.history[service.history.length - 1];
  const report = (event: EventInput) => (cause ? cause.sandbox.emitCaused(event) : emit(s, event));
  report({
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

export function dropReply(replier: Entry, pending: PendingRequest, body: Uint8Array, reason: string): void {
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
