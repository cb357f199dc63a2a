/**
 * Trust between the hosts of a lattice: each host has an Ed25519 key pair; every host is told
 * the public keys of the hosts it trusts (the embedder's configuration, as a list of peers is).
 * A frame counts only if the host it names is trusted and its signature verifies with that
 * host's key; replays are refused by a timestamp window and a sliding window of sequence numbers
 * per host and epoch; a host's rate is capped by a token bucket.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { KeelError } from '../kernel/errors.js';

/** A host's credentials: its private key and the public keys of the hosts it trusts, by host id. */
export interface ClusterCredentials {
  /** This host's Ed25519 private key (PEM, PKCS#8) or a `KeyObject`. */
  privateKey: string | KeyObject;
  /**
   * Trusted hosts: host id → Ed25519 public key (PEM, SPKI) or a `KeyObject`, or
   * `{ key, labels }` to pin the labels this host is known by: its announced labels are then
   * ignored (a host trusted with its key is not trusted to say where it is: placement by label
   * goes only where the operator said those labels are).
   */
  peers: Readonly<Record<string, PeerKey>>;
}

export type PeerKey =
  | string
  | KeyObject
  | { key: string | KeyObject; labels?: Readonly<Record<string, string>> };

/** A peer's key and its pinned labels, whichever form it was given in. */
export function peerEntry(value: PeerKey): { key: string | KeyObject; labels?: Record<string, string> } {
  if (typeof value === 'object' && value !== null && !(value instanceof KeyObject) && 'key' in value) {
    const labels = value.labels;
    if (labels !== undefined) {
      const entries = Object.entries(labels);
      if (
        typeof labels !== 'object' ||
        entries.length > 32 ||
        !entries.every(
          ([k, v]) =>
            typeof v === 'string' && k.length > 0 && k.length <= 64 && v.length > 0 && v.length <= 255,
        )
      ) {
        throw new KeelError(
          'invalid-argument',
          'pinned labels: at most 32, names of 1-64 and values of 1-255 characters',
        );
      }
    }
    return { key: value.key, ...(labels !== undefined ? { labels: { ...labels } } : {}) };
  }
  return { key: value as string | KeyObject };
}

/** A fresh Ed25519 key pair for a host, as PEM (`privateKey` PKCS#8, `publicKey` SPKI). */
export function generateHostKey(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function privateKeyOf(key: string | KeyObject): KeyObject {
  const object = typeof key === 'string' ? parse(() => createPrivateKey(key), 'private key') : key;
  if (object.type !== 'private' || object.asymmetricKeyType !== 'ed25519') {
    throw new KeelError('invalid-argument', 'a host key must be an Ed25519 private key');
  }
  return object;
}

export function publicKeyOf(key: string | KeyObject, host: string): KeyObject {
  const object = typeof key === 'string' ? parse(() => createPublicKey(key), `public key of ${host}`) : key;
  if (object.type !== 'public' || object.asymmetricKeyType !== 'ed25519') {
    throw new KeelError('invalid-argument', `the key of host ${host} must be an Ed25519 public key`);
  }
  return object;
}

function parse(make: () => KeyObject, what: string): KeyObject {
  try {
    return make();
  } catch (error) {
    throw new KeelError('invalid-argument', `cannot read the ${what}: ${(error as Error).message}`);
  }
}

/**
 * Sequence numbers seen from one host in one epoch: a frame is new if its number is above the
 * highest seen, or within the window below it and not seen yet. One slot per number modulo the
 * window, so memory is fixed (8 bytes × window) whatever arrives.
 */
export class ReplayWindow {
  readonly #slots: Float64Array;
  #highest = 0;

  constructor(readonly size: number) {
    this.#slots = new Float64Array(size);
  }

  /** Record `seq`; false if it was seen, or is too old to tell. */
  accept(seq: number): boolean {
    if (seq <= this.#highest - this.size) return false;
    const slot = seq % this.size;
    if (this.#slots[slot] === seq) return false;
    this.#slots[slot] = seq;
    if (seq > this.#highest) this.#highest = seq;
    return true;
  }
}

/** Replay windows of one host, for its few most recent epochs. */
export class HostWindows {
  readonly #epochs = new Map<string, ReplayWindow>();

  constructor(
    readonly size: number,
    readonly keep = 4,
  ) {}

  accept(epoch: string, seq: number): boolean {
    let window = this.#epochs.get(epoch);
    if (!window) {
      window = new ReplayWindow(this.size);
      this.#epochs.set(epoch, window);
      // Epochs older than the few kept are older than the timestamp window allows anyway
      // (unless a host restarts more than `keep` times within it: documented).
      while (this.#epochs.size > this.keep) this.#epochs.delete(this.#epochs.keys().next().value!);
    }
    return window.accept(seq);
  }
}

/** A token bucket: `rate` tokens per second, at most `rate` held. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly rate: number,
    now: number,
  ) {
    this.#tokens = rate;
    this.#at = now;
  }

  take(now: number): boolean {
    if (now > this.#at) {
      this.#tokens = Math.min(this.rate, this.#tokens + ((now - this.#at) * this.rate) / 1000);
      this.#at = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** The part of a host's rate its senders already heard share; the rest is left for senders not heard yet. */
const HEARD_SHARE = 0.75;
/** A sender not heard from for this long gives up its entry (its bucket would be full again by then). */
const SENDER_IDLE_MS = 1_000;
/** The key of the entry shared by senders heard while the table is full. */
export const OTHER_SENDERS = '*';

interface SenderEntry {
  tokens: number;
  at: number;
  seen: number;
}

/**
 * Fair shares of one host's rate among the senders its kernel stamps (`sbx_3`, `host`,
 * `kernel`): each of the n senders heard from in the last second may use ¾ of the rate / n a
 * second (and a burst of as much), so one sender's flood costs only that sender, and a quarter
 * of the rate is always left for a sender not heard yet. At most `max` senders have an entry of
 * their own; those heard while the table is full share one (`*`), so the table is bounded
 * however many sandboxes a host runs. Entries are made only for frames whose signature verified
 * (`take`); `allows` only looks, so that a forger cannot spend a sender's share.
 */
export class SenderShares {
  readonly #entries = new Map<string, SenderEntry>();
  #swept = 0;

  constructor(
    readonly rate: number,
    readonly max: number,
  ) {}

  /** Senders with an entry (the shared one included). */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether `sender` counts under the entry shared by the senders heard while the table was full. */
  sharedBy(sender: string): boolean {
    return this.#keyOf(sender) === OTHER_SENDERS;
  }

  /** Whether `sender` has a message's worth of its share now (nothing is spent). */
  allows(sender: string, now: number): boolean {
    this.#sweep(now);
    const entry = this.#entries.get(this.#keyOf(sender));
    return entry === undefined || this.#refill(entry, now) >= 1;
  }

  /** Spend one message of `sender`'s share; false when it has none left. */
  take(sender: string, now: number): boolean {
    this.#sweep(now);
    const key = this.#keyOf(sender);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { tokens: 0, at: now, seen: now };
      this.#entries.set(key, entry);
      entry.tokens = this.#capacity();
    }
    entry.seen = now;
    if (this.#refill(entry, now) < 1) return false;
    entry.tokens -= 1;
    return true;
  }

  /** The entry a sender counts under: its own, or the shared one when the table is full. */
  #keyOf(sender: string): string {
    if (this.#entries.has(sender)) return sender;
    const own = this.#entries.size - (this.#entries.has(OTHER_SENDERS) ? 1 : 0);
    return own < this.max ? sender : OTHER_SENDERS;
  }

  /** One sender's share of a second, for the senders heard now (at least one message). */
  #capacity(): number {
    return Math.max(1, (this.rate * HEARD_SHARE) / Math.max(1, this.#entries.size));
  }

  #refill(entry: SenderEntry, now: number): number {
    const capacity = this.#capacity();
    if (now > entry.at) {
      entry.tokens += ((now - entry.at) * capacity) / 1000;
      entry.at = now;
    }
    // More senders heard: each one's share shrinks at once, what it held included.
    if (entry.tokens > capacity) entry.tokens = capacity;
    return entry.tokens;
  }

  /** Forget senders not heard for a second (at most every quarter of a second: O(max) each time). */
  #sweep(now: number): void {
    if (now - this.#swept < SENDER_IDLE_MS / 4) return;
    this.#swept = now;
    for (const [key, entry] of this.#entries)
      if (now - entry.seen > SENDER_IDLE_MS) this.#entries.delete(key);
  }
}
