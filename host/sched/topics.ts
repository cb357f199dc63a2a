/** Topics: subscriptions, and a publication fanned out to every subscribed mailbox. */
import { EVENTS } from '../events/names.js';
import { badTopic } from './errors.js';
import { isTopicPattern } from './glob.js';
import { enqueue } from './queue.js';
import { dropEvent } from './refusals.js';
import { type Entry, type Service, subscribed } from './service.js';
import { emitFor, type SchedState } from './state.js';

/** The kernel's own topics; guests cannot publish there. */
export const KERNEL_TOPIC_PREFIX = 'keel.';
export const DOWN_TOPIC = 'keel.down';

export function publishTopic(
  s: SchedState,
  sender: Entry | undefined,
  from: string,
  topic: string,
  body: Uint8Array,
): number {
  let queued = 0;
  let dropped = 0;
  for (const service of s.services) {
    if (service.ended || !service.accepting || !subscribed(service, topic)) continue;
    if (service.mailbox.full || service.mailbox.overShare(from)) {
      dropEvent(s, service, { kind: 'event', from, body, topic }, 'mailbox-full', sender);
      dropped++;
      continue;
    }
    enqueue(s, sender, service, { kind: 'event', from, body, topic });
    queued++;
  }
  emitFor(s, sender, {
    event: EVENTS.eventPublish,
    status: 'ok',
    data: { topic, from, bytes: body.byteLength, subscribers: queued, dropped },
  });
  return queued;
}

export function addSubscription(
  service: Service,
  pattern: string,
  within: readonly string[] | undefined,
): void {
  if (!isTopicPattern(pattern)) throw badTopic(pattern);
  service.subscribe({
    pattern,
    ...(within ? { within: [...within] } : {}),
  });
}
