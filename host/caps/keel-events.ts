/**
 * `keel:kernel/events`: publish and subscribe on topics, through the kernel's scheduler. The
 * grant's scope names the topics: `{ "publish": ["jobs.*"], "subscribe": ["stats.**"] }`;
 * anything else is `capability-denied`. Topics under `keel.` are the kernel's.
 */
import { isTopicPattern } from '../sched/glob.js';
import type { EventsScope, Fanout } from '../sched/port.js';
import { chargeMessage, deniedCall, guestCall, parseScope, schedPort } from './keel-ipc.js';
import { type CapabilityProvider, DEFAULT_HOST_COSTS, type SandboxContext } from './provider.js';
import { lazySchema } from './schema.js';
import { keelKernelTypes } from './wit-types.js';

export const eventsScopeSchema = lazySchema((z) => {
  const topicPattern = z.string().refine(isTopicPattern, {
    message: 'a topic pattern is dot-separated segments of letters, digits, - and _, with * or ** (jobs.*)',
  });
  return z
    .object({
      publish: z.array(topicPattern).default([]),
      subscribe: z.array(topicPattern).default([]),
    })
    .strict();
});

/**
 * A publication's fan-out, charged before anything is queued (the scheduler calls it once it
 * knows the subscribers): `recipient` and the body's `messageByte`s per recipient, `topicMatch`
 * per unit of matching (each subscription looked at, more for long patterns against long topics). A guest whose fuel does not cover all of it fails with
 * `fuel-exhausted` and nothing is delivered: refused whole, never truncated to the recipients
 * it could pay for (which ones would be arbitrary).
 */
export function chargeFanout(context: SandboxContext, body: Uint8Array, fanout: Fanout): void {
  const perRecipient = DEFAULT_HOST_COSTS.recipient + body.length * DEFAULT_HOST_COSTS.messageByte;
  const fuel = fanout.recipients * perRecipient + fanout.matches * DEFAULT_HOST_COSTS.topicMatch;
  if (fuel > 0) context.charge(fuel);
}

export const keelEvents: CapabilityProvider = {
  name: 'keel-events',
  interfaces: ['keel:kernel/events'],
  wit: keelKernelTypes,
  callCost: DEFAULT_HOST_COSTS.message,
  parseScope: (iface, scope) => parseScope(eventsScopeSchema(), iface, scope),
  link({ interface: iface, scope, context }) {
    const port = schedPort(context, iface);
    const granted = scope as EventsScope;
    return {
      publish(topic: string, body: Uint8Array): void {
        chargeMessage(context, body);
        guestCall(() => port.publish(topic, body, granted, (fanout) => chargeFanout(context, body, fanout)));
      },
      subscribe(pattern: string): void {
        guestCall(() => port.subscribe(pattern, granted));
      },
      unsubscribe(pattern: string): void {
        port.unsubscribe(pattern);
      },
    };
  },
  linkDenied({ interface: iface, context }) {
    return {
      publish: deniedCall(context, iface, 'publish'),
      subscribe: deniedCall(context, iface, 'subscribe'),
      unsubscribe: () => {},
    };
  },
};
