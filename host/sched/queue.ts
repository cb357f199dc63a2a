/**
 * What goes into a mailbox: its bound and each sender's share (limits.mailboxSenderPercent),
 * the envelope stamped and sequenced, `ipc:send`, the receiver marked as having work.
 */
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import type { Envelope } from './mailbox.js';
import { Refusal } from './port.js';
import { dropEvent, refused } from './refusals.js';
import type { Entry, Service } from './service.js';
import { emitFor, markWork, type SchedState } from './state.js';

export function enqueue(
  s: SchedState,
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
      refused(s, sender, fields.kind, service.name, fields.body, 'mailbox-full', service, overShare);
    else dropEvent(s, service, fields, 'mailbox-full');
    // A sender over its share sees the mailbox as full: others may still get in.
    const message = overShare
      ? `${fields.from} already has ${mailbox.heldBy(fields.from)} messages waiting in the mailbox of ${target}, its share of the ${mailbox.limit} (limits.mailboxSenderPercent)`
      : `the mailbox of ${target} is full (${mailbox.limit} messages)`;
    if (sender) throw new Refusal('mailbox-full', message);
    throw new KeelError('mailbox-full', message, { target, limit: mailbox.limit });
  }
  const seq = ++s.seq;
  const envelope: Envelope = {
    seq,
    kind: fields.kind,
    from: fields.from,
    body: fields.body,
    request: fields.request,
    status: fields.status,
    topic: fields.topic,
    queuedAt: s.host.bus.wants(EVENTS.ipcDeliver) ? s.clock.now() : undefined,
    ...(fields.delivered ? { delivered: fields.delivered } : {}),
  };
  service.mailbox.push(envelope);
  if (sender && fields.kind !== 'event') sender.service.stats.sent++;
  if (s.host.bus.wants(EVENTS.ipcSend)) {
    emitFor(s, sender, {
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
  if (service.current) markWork(s, service.current);
}
