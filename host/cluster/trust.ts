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
