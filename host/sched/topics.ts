/** Topics: subscriptions, and a publication fanned out to every subscribed mailbox. */
import { EVENTS } from '../events/names.js';
import { badTopic } from './errors.js';
import { isTopicPattern } from './glob.js';
import type { Fanout } from './port.js';
import { enqueue } from './queue.js';
import { dropEvent } from './refusals.js';
import { type Entry, type Service, subscribed } from './service.js';
import { emitFor, type SchedState } from './state.js';

/** The kernel's own topics; guests cannot publish there. */
export const KERNEL_TOPIC_PREFIX = 'keel.';
export const DOWN_TOPIC = 'keel.down';
/** An at-least-once message to another host that the lattice's stream did not take (docs/cluster.md). */
export const UNDELIVERED_TOPIC = 'keel.undelivered';

/**
 * Queue a publication for every subscriber (a full mailbox drops it with `ipc:drop`); returns
 * how many it was queued for. The subscribers are found first and `pay` (a guest publisher's
 * fuel) is charged the fan-out before anything is queued: every subscriber it reaches, the
 * subscriptions it was matched against, and `hosts` other hosts it goes to. Only services that
 * ever subscribed are looked at (`SchedState.listeners`), not every sandbox of the kernel.
 */
export function publishTopic(
  s: SchedState,
  sender: Entry | undefined,
  from: string,
  topic: string,
  body: Uint8Array,
  pay?: (fanout: Fanout) => void,
  hosts = 0,
): number {
  const { services, matches } = matching(s, topic);
  pay?.({ recipients: services.length + hosts, matches });
  let queued = 0;
  let dropped = 0;
  for (const service of services) {
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

/** The live services subscribed to `topic`, in the order they were made, and the subscriptions looked at. */
export function matching(s: SchedState, topic: string): { services: Service[]; matches: number } {
  const services: Service[] = [];
  const topicSegments = segmentsOf(topic);
  let matches = 0;
  for (const service of s.listeners) {
    if (service.ended || !service.accepting) continue;
    for (const subscription of service.subscriptions.values()) {
      matches += matchUnits(subscription.segments, topicSegments);
    }
    if (subscribed(service, topic)) services.push(service);
  }
  return { services, matches };
}

/**
 * What matching one pattern against one topic costs, in units of a short match: a pattern with
 * `**` is matched segment against segment (pattern segments × topic segments steps, about 6 ns
 * each), so 85 `**` against a 128-segment topic costs about 70 µs where `jobs.*` against
 * `jobs.done` costs 0.5 µs. One unit, and one more per 64 steps.
 */
export function matchUnits(patternSegments: number, topicSegments: number): number {
  return 1 + Math.floor((patternSegments * topicSegments) / 64);
}

function segmentsOf(name: string): number {
  let n = 1;
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) n++;
  return n;
}

export function addSubscription(
  s: SchedState,
  service: Service,
  pattern: string,
  within: readonly string[] | undefined,
): void {
  if (!isTopicPattern(pattern)) throw badTopic(pattern);
  service.subscribe({
    pattern,
    segments: segmentsOf(pattern),
    ...(within ? { within: [...within] } : {}),
  });
  listen(s, service);
}

/** Add `service` to the services publications look at, kept in the order services were made. */
function listen(s: SchedState, service: Service): void {
  const list = s.listeners;
  let i = list.length;
  while (i > 0 && list[i - 1]!.order >= service.order) {
    if (list[i - 1] === service) return;
    i--;
  }
  list.splice(i, 0, service);
}
