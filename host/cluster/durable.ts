/**
 * At-least-once delivery between hosts, through one JetStream stream per lattice
 * (`KEEL_<lattice>`, subjects `keel.<lattice>.js.>`): the stream and each host's durable
 * consumer, publishing with the stream's acknowledgement, and handing what arrives to the
 * lattice. The envelopes are the same signed frames as at-most-once ones; the lattice checks
 * them (docs/cluster.md, "At-least-once delivery"). What this file adds is JetStream's part:
 *
 * - the stream keeps a message until the receiving host acknowledges it (work-queue retention:
 *   an acknowledged message is removed), within finite bounds (messages, bytes, age, and per
 *   sender subject: `durable*` limits), refusing new ones when full;
 * - each host reads its own subjects with a durable pull consumer (`keel_<host>`), which the
 *   server keeps across the host's restarts;
 * - a message the host does not acknowledge in `durableAckWaitMs` is handed again, at most
 *   `durableDeliveries` times.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { KeelError } from '../kernel/errors.js';
import type { ClusterLimits } from '../kernel/limits.js';
import { durableFilter, durableStream } from './subjects.js';

/** One message handed to this host by the stream. */
export interface DurableDelivery {
  readonly subject: string;
  readonly data: Uint8Array;
  /** How many times the stream has handed it to this host (1 the first time). */
  readonly deliveries: number;
  /** Delivered: the stream forgets it. */
  ack(): void;
  /** Not now: hand it again after `ms`. */
  retry(ms: number): void;
  /** Never: the stream forgets it without delivering it (refused, forged, given up). */
  drop(): void;
}

const ns = (ms: number) => Math.round(ms * 1_000_000);

export class DurableLink {
  readonly #js: JetStreamClient;
  readonly #limits: Readonly<ClusterLimits>;
  readonly #stream: string;
  /** At-least-once sends waiting for the stream's acknowledgement, per sender (entries at 0 removed). */
  readonly #pending = new Map<string, number>();
  #messages: ConsumerMessages | undefined;

  private constructor(js: JetStreamClient, stream: string, limits: Readonly<ClusterLimits>) {
    this.#js = js;
    this.#stream = stream;
    this.#limits = limits;
  }

  /**
   * Make sure the lattice's stream and this host's consumer exist (hosts of a lattice must agree
   * on the `durable*` limits: the first host creates the stream with its own), then read.
   */
  static async open(
    nc: NatsConnection,
    lattice: string,
    host: string,
    limits: Readonly<ClusterLimits>,
    receive: (delivery: DurableDelivery) => void,
  ): Promise<DurableLink> {
    // Loaded here, not at the top: only a lattice joined with `durable` uses the client, and
    // every program that imports Keel would pay for loading it.
    const { AckPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } =
      await import('@nats-io/jetstream');
    const { name, subjects } = durableStream(lattice);
    let jsm: Awaited<ReturnType<typeof jetstreamManager>>;
    try {
      jsm = await jetstreamManager(nc, { timeout: 5_000 });
    } catch (error) {
      throw new KeelError(
        'invalid-argument',
        `the NATS server has no JetStream (start nats-server with -js): ${(error as Error).message}`,
      );
    }
    const stream = {
      name,
      subjects: [subjects],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      max_msgs: limits.durableMessages,
      max_bytes: limits.durableBytes,
      max_age: ns(limits.durableAgeMs),
      max_msg_size: limits.frameBytes,
      max_msgs_per_subject: limits.durableSenderMessages,
      discard_new_per_subject: true,
      duplicate_window: ns(Math.min(limits.durableAgeMs, 120_000)),
      num_replicas: 1,
    };
    try {
      await jsm.streams.add(stream);
    } catch (error) {
      // Made by another host with other limits: use it as it is.
      await jsm.streams.info(name).catch(() => {
        throw new KeelError(
          'invalid-argument',
          `cannot make the lattice's JetStream stream ${name}: ${(error as Error).message}`,
        );
      });
    }
    const durable = `keel_${host}`;
    const consumer = {
      durable_name: durable,
      filter_subject: durableFilter(lattice, host),
      ack_policy: AckPolicy.Explicit,
      ack_wait: ns(limits.durableAckWaitMs),
      max_deliver: limits.durableDeliveries,
      max_ack_pending: limits.durableInflight,
    };
    try {
      await jsm.consumers.add(name, consumer);
    } catch {
      const { durable_name: _, filter_subject: __, ...update } = consumer;
      await jsm.consumers.update(name, durable, update);
    }
    const js = jetstream(nc, { timeout: 5_000 });
    const link = new DurableLink(js, name, limits);
    const reader = await js.consumers.get(name, durable);
    link.#messages = await reader.consume({
      max_messages: Math.max(1, Math.min(256, limits.durableInflight)),
      callback: (msg: JsMsg) => receive(delivery(msg)),
    });
    return link;
  }

  /**
   * Hand a frame to the stream. Refused at once (`mailbox-full`) when `sender` already has
   * `durablePending` sends waiting for the stream; the promise rejects when the stream did not
   * take it: `mailbox-full` (full: its messages, bytes, or this sender's share), `timeout` (no
   * acknowledgement).
   */
  publish(sender: string, subject: string, frame: Uint8Array, id: string): Promise<void> {
    const waiting = this.#pending.get(sender) ?? 0;
    if (waiting >= this.#limits.durablePending) {
      throw new KeelError(
        'mailbox-full',
        `${sender} has ${waiting} at-least-once sends waiting for the stream (durablePending)`,
        { limit: 'durablePending' },
      );
    }
    this.#pending.set(sender, waiting + 1);
    return this.#js
      .publish(subject, frame, { msgID: id, timeout: 5_000, expect: { streamName: this.#stream } })
      .then(
        () => undefined,
        (error: Error) => {
          throw streamError(error);
        },
      )
      .finally(() => {
        const left = (this.#pending.get(sender) ?? 1) - 1;
        if (left > 0) this.#pending.set(sender, left);
        else this.#pending.delete(sender);
      });
  }

  /** Senders with sends waiting for the stream (for tests: bounded by the senders that send). */
  get waiting(): number {
    let n = 0;
    for (const count of this.#pending.values()) n += count;
    return n;
  }

  /** Stop reading; what was handed but not acknowledged is handed again to the next reader. */
  async close(): Promise<void> {
    await this.#messages?.close().catch(() => {});
    this.#messages = undefined;
  }
}

function delivery(msg: JsMsg): DurableDelivery {
  return {
    subject: msg.subject,
    data: msg.data,
    deliveries: msg.info.deliveryCount,
    ack: () => msg.ack(),
    retry: (ms) => msg.nak(ms),
    drop: () => msg.term(),
  };
}

/** What a refused publication means for the sender. */
function streamError(error: Error): KeelError {
  const message = error.message ?? String(error);
  if (/maximum|exceeded|insufficient|resources|storage/i.test(message)) {
    return new KeelError('mailbox-full', `the lattice's stream is full: ${message}`, {
      reason: 'stream-full',
    });
  }
  return new KeelError('timeout', `the lattice's stream did not acknowledge the message: ${message}`, {
    reason: 'not-acknowledged',
  });
}

/**
 * Ids of at-least-once envelopes this host accepted, each until it could no longer arrive (its
 * timestamp plus the window in which one is accepted): a duplicate, whether the stream handed
 * it again or someone replayed it into the stream, is dropped. Bounded: when full of ids not
 * yet expired, `add` refuses, and the message waits (it is handed again later).
 */
export class Dedupe {
  readonly #until = new Map<string, number>();
  /** When full and nothing had expired: the earliest expiry seen, before which sweeping is useless. */
  #nextExpiry = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#until.size;
  }

  has(id: string, now: number): boolean {
    const until = this.#until.get(id);
    return until !== undefined && until > now;
  }

  /** Remember `id` until `until` (ms since 1970); false when the table is full. */
  add(id: string, until: number, now: number): boolean {
    if (this.#until.size >= this.capacity && !this.#sweep(now)) return false;
    this.#until.set(id, until);
    return true;
  }

  delete(id: string): void {
    this.#until.delete(id);
  }

  #sweep(now: number): boolean {
    if (now < this.#nextExpiry) return false;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, until] of this.#until) {
      if (until <= now) this.#until.delete(id);
      else if (until < next) next = until;
    }
    this.#nextExpiry = this.#until.size >= this.capacity ? next : 0;
    return this.#until.size < this.capacity;
  }
}
