/**
 * Guest calls through the `SchedPort` its providers hold: send, request, reply, publish and
 * subscribe, each checked against the sandbox's scope (peers, topics) and its limits; denials
 * counted, and a sandbox past its `maxDenials` killed for the violation.
 */
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import { badTopic, tooLarge } from './errors.js';
import { invalidTarget, isTopic, isTopicPattern, matchesAny, readTarget } from './glob.js';
import { requestRemote, sendRemote } from './lattice.js';
import { endSandbox } from './lifecycle.js';
import {
  type EventsScope,
  type Fanout,
  GUEST_ERROR_CODES,
  type GuestErrorCode,
  type IpcScope,
  Refusal,
  type SchedPort,
} from './port.js';
import { enqueue } from './queue.js';
import { dropReply, refusal, refused } from './refusals.js';
import type { RemoteLocation } from './remote.js';
import { abandonRequest, openRequest, settle } from './requests.js';
import { aliases, type Entry } from './service.js';
import { entryOf, resolveTarget, type SchedState, sandboxOf } from './state.js';
import { addSubscription, KERNEL_TOPIC_PREFIX, publishTopic } from './topics.js';

/** A sandbox may wait for as many replies as its mailbox holds: a request past that is refused. */
function checkOutstanding(s: SchedState, entry: Entry, to: string, body: Uint8Array): void {
  const owner = entry.service;
  if (owner.outstanding >= owner.mailbox.limit) {
    refused(s, entry, 'request', to, body, 'mailbox-full');
    throw new Refusal(
      'mailbox-full',
      `sandbox ${entry.id} already waits for ${owner.outstanding} replies, as many as its mailbox holds`,
    );
  }
}

/** Subscriptions one sandbox may hold (each costs every publication a match). */
const MAX_SUBSCRIPTIONS = 256;

/** The port a sandbox's providers act through. */
export function sandboxPort(s: SchedState, sandboxId: string): SchedPort {
  return new SandboxPort(s, sandboxId);
}

/** `sandboxPort`'s port: one object per sandbox, its methods on the prototype. */
class SandboxPort implements SchedPort {
  readonly #s: SchedState;
  readonly #id: string;

  constructor(s: SchedState, sandboxId: string) {
    this.#s = s;
    this.#id = sandboxId;
  }

  send(to: string, body: Uint8Array, scope: IpcScope): void {
    guestSend(this.#s, live(this.#s, this.#id), to, body, scope, undefined);
  }

  request(to: string, body: Uint8Array, timeoutMs: number, scope: IpcScope): bigint {
    return guestSend(this.#s, live(this.#s, this.#id), to, body, scope, timeoutMs) as bigint;
  }

  reply(request: bigint, body: Uint8Array): void {
    guestReply(this.#s, live(this.#s, this.#id), request, body);
  }

  publish(topic: string, body: Uint8Array, scope: EventsScope, pay?: (fanout: Fanout) => void): void {
    guestPublish(this.#s, live(this.#s, this.#id), topic, body, scope, pay);
  }

  subscribe(pattern: string, scope: EventsScope): void {
    guestSubscribe(this.#s, live(this.#s, this.#id), pattern, scope);
  }

  unsubscribe(pattern: string): void {
    live(this.#s, this.#id).service.unsubscribe(pattern);
  }

  id(): string {
    return this.#id;
  }

  fuelLeft(): bigint {
    // A read: a dormant sandbox's records are not made for it.
    const sandbox = sandboxOf(this.#s, this.#id);
    if (!sandbox) return 0n;
    // The guest wrote its counter back before calling the host: this is the live figure.
    return BigInt(sandbox.fuel().remaining);
  }
}

export function live(s: SchedState, sandboxId: string): Entry {
  const entry = entryOf(s, sandboxId);
  if (!entry || entry.sandbox.state === 'killed' || entry.sandbox.state === 'exited') {
    throw new KeelError('killed', `sandbox ${sandboxId} is not running`, {
      sandbox: sandboxId,
      fatal: true,
    });
  }
  return entry;
}

/** `send` (timeoutMs undefined) or `request`. Returns the request id for requests. */
export function guestSend(
  s: SchedState,
  entry: Entry,
  to: string,
  body: Uint8Array,
  scope: IpcScope,
  timeoutMs: number | undefined,
): bigint | undefined {
  const kind = timeoutMs === undefined ? 'message' : 'request';
  const target = readTarget(to);
  if (!target) {
    refused(s, entry, kind, to, body, 'invalid-argument');
    throw new Refusal('invalid-argument', invalidTarget(to));
  }
  const service = resolveTarget(s, target);
  if (!service) {
    const where = s.remote?.locate(to);
    if (where) return guestSendRemote(s, entry, kind, to, body, scope, timeoutMs, where);
  }
  const names = service ? [to, ...aliases(service)] : [to];
  if (!names.some((name) => matchesAny(scope.peers, name, '/'))) {
    deny(s, entry, 'keel:kernel/ipc', { peer: to });
  }
  if (!service?.accepting) {
    refused(s, entry, kind, to, body, 'no-such-target');
    throw new Refusal('no-such-target', `no sandbox takes messages at ${to}`);
  }
  if (body.byteLength > entry.sandbox.limits.messageBytes) {
    refused(s, entry, kind, to, body, 'message-too-large');
    throw tooLarge(body.byteLength, entry.sandbox.limits.messageBytes, true);
  }
  if (kind === 'message') {
    enqueue(s, entry, service, { kind, from: entry.id, body });
    return undefined;
  }
  const owner = entry.service;
  checkOutstanding(s, entry, to, body);
  const id = openRequest(s, owner, entry.id, service, timeoutMs!);
  try {
    enqueue(s, entry, service, { kind, from: entry.id, body, request: id });
  } catch (error) {
    abandonRequest(s, id, service);
    throw error;
  }
  return id;
}

export function guestReply(s: SchedState, entry: Entry, request: bigint, body: Uint8Array): void {
  const pending = entry.service.awaiting.get(request);
  if (!pending?.delivered) {
    throw new Refusal('no-such-target', `no request ${request} awaits a reply from ${entry.id}`);
  }
  if (body.byteLength > entry.sandbox.limits.messageBytes) {
    throw tooLarge(body.byteLength, entry.sandbox.limits.messageBytes, true);
  }
  entry.service.forgetRequest(request);
  if (pending.expired) {
    dropReply(entry, pending, body, 'timeout');
    return;
  }
  settle(s, pending, 'ok', body, entry);
}

export function guestPublish(
  s: SchedState,
  entry: Entry,
  topic: string,
  body: Uint8Array,
  scope: EventsScope,
  pay?: (fanout: Fanout) => void,
): void {
  if (!isTopic(topic)) throw badTopic(topic, true);
  if (topic.startsWith(KERNEL_TOPIC_PREFIX) || !matchesAny(scope.publish, topic, '.')) {
    deny(s, entry, 'keel:kernel/events', { publish: topic });
  }
  if (body.byteLength > entry.sandbox.limits.messageBytes) {
    throw tooLarge(body.byteLength, entry.sandbox.limits.messageBytes, true);
  }
  // Other hosts each receive it (one frame; the lattice's server fans it out): each is a recipient.
  const hosts = s.remote?.peerHosts() ?? 0;
  publishTopic(s, entry, entry.id, topic, body, pay, hosts);
  entry.service.stats.published++;
  s.remote?.publish(entry.id, topic, body, scope.publish);
}

export function guestSubscribe(s: SchedState, entry: Entry, pattern: string, scope: EventsScope): void {
  if (!isTopicPattern(pattern)) throw badTopic(pattern, true);
  // The pattern, read as a name, must fall within a granted pattern; each topic is checked again.
  if (!matchesAny(scope.subscribe, pattern, '.')) {
    deny(s, entry, 'keel:kernel/events', { subscribe: pattern });
  }
  const subscriptions = entry.service.subscriptions;
  if (!subscriptions.has(pattern) && subscriptions.size >= MAX_SUBSCRIPTIONS) {
    throw new Refusal(
      'invalid-argument',
      `sandbox ${entry.id} has ${MAX_SUBSCRIPTIONS} subscriptions, the most allowed`,
    );
  }
  addSubscription(s, entry.service, pattern, scope.subscribe);
}

export function guestSendRemote(
  s: SchedState,
  entry: Entry,
  kind: 'message' | 'request',
  to: string,
  body: Uint8Array,
  scope: IpcScope,
  timeoutMs: number | undefined,
  where: RemoteLocation,
): bigint | undefined {
  if (![to, ...where.aliases].some((name) => matchesAny(scope.peers, name, '/'))) {
    deny(s, entry, 'keel:kernel/ipc', { peer: to });
  }
  if (body.byteLength > entry.sandbox.limits.messageBytes) {
    refused(s, entry, kind, to, body, 'message-too-large');
    throw tooLarge(body.byteLength, entry.sandbox.limits.messageBytes, true);
  }
  const delivery = entry.service.options.sched?.delivery === 'at-least-once' ? 'at-least-once' : undefined;
  if (kind === 'message') {
    try {
      sendRemote(s, entry, where, {
        kind,
        from: entry.id,
        to,
        body,
        peers: scope.peers,
        ...(delivery ? { delivery } : {}),
      });
    } catch (error) {
      throw remoteRefusal(s, entry, kind, to, body, error);
    }
    return undefined;
  }
  const owner = entry.service;
  checkOutstanding(s, entry, to, body);
  try {
    return requestRemote(s, entry, owner, entry.id, where, to, body, timeoutMs!, scope.peers, delivery);
  } catch (error) {
    throw remoteRefusal(s, entry, kind, to, body, error);
  }
}

export function remoteRefusal(
  s: SchedState,
  entry: Entry,
  kind: string,
  to: string,
  body: Uint8Array,
  error: unknown,
): Refusal {
  if (error instanceof Refusal) return error;
  const code = (error as { code?: string }).code;
  const guest =
    code && (GUEST_ERROR_CODES as readonly string[]).includes(code)
      ? (code as GuestErrorCode)
      : 'no-such-target';
  refused(s, entry, kind, to, body, guest);
  return new Refusal(guest, (error as Error).message ?? String(error));
}

/** A denied call: `capability:denied`, and a policy violation once the sandbox's rule says so. */
export function deny(s: SchedState, entry: Entry, iface: string, what: Record<string, unknown>): never {
  entry.denials++;
  entry.service.stats.denied++;
  refusal(entry, `${EVENTS.capabilityDenied} ${iface}`, () =>
    entry.sandbox.emit({
      event: EVENTS.capabilityDenied,
      level: 'warn',
      status: 'denied',
      data: { interface: iface, ...what, at: 'call' },
    }),
  );
  const max = entry.service.maxDenials;
  if (max !== undefined && entry.denials > max) {
    killForViolation(s, entry, 'max-denials', { denials: entry.denials, maxDenials: max, ...what });
    throw new KeelError('policy-violation', `sandbox ${entry.id} was killed: too many denied calls`, {
      fatal: true,
    });
  }
  const [key, value] = Object.entries(what)[0] ?? ['', ''];
  throw new Refusal(
    'capability-denied',
    `${entry.sandbox.module.name} may not ${key === 'peer' ? 'message' : key} ${String(value)}: not covered by its ${iface} grant`,
  );
}

export function killForViolation(
  s: SchedState,
  entry: Entry,
  rule: string,
  data: Record<string, unknown>,
): void {
  if (!s.entries.has(entry.id)) return;
  entry.sandbox.emit({
    event: EVENTS.policyViolation,
    level: 'error',
    status: 'error',
    data: { rule, ...data },
  });
  const error = new KeelError(
    'policy-violation',
    `sandbox ${entry.id} broke the rule "${rule}" and was killed`,
    {
      rule,
    },
  );
  endSandbox(
    s,
    entry,
    { reason: 'policy-violation', failure: true, drop: true, message: error.message },
    error.message,
    error,
  );
}
