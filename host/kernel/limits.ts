/**
 * Resource limits. Every limit is finite by default; the embedder may raise or lower each.
 */
import { getHeapStatistics } from 'node:v8';
import { KeelError } from './errors.js';

export interface Limits {
  /** Fuel per invocation. */
  fuel: number;
  /** Fuel over the sandbox's lifetime (all invocations). */
  fuelTotal: number;
  /**
   * Wall-clock time one call may take, in milliseconds, waiting included (an `invoke`, a
   * fast-path call, a delivery, the start function); past it the call fails with `timeout`.
   */
  deadlineMs: number;
  /** Linear memory per sandbox, all its memories together, in bytes (rounded down to 64 KiB pages). */
  memoryBytes: number;
  /**
   * Linear memories a sandbox may have (every memory its core instances define): each reserves
   * host address space, even an empty one. More is `memory-limit` at spawn.
   */
  memories: number;
  /** Elements per table. */
  tableElements: number;
  /**
   * Tables a sandbox may have (every table its core instances define): each is host memory
   * (up to `tableElements` elements, about 30 bytes each for funcref). More is `table-limit` at spawn.
   */
  tables: number;
  /** Largest message a sandbox may send. */
  messageBytes: number;
  /** Messages waiting in one mailbox. */
  mailboxLength: number;
  /**
   * How much of this sandbox's mailbox one sending sandbox may fill, in percent (1 to 100): a
   * flooder is refused with `mailbox-full` while others still get in.
   */
  mailboxSenderPercent: number;
  /** Largest module (bytes) the loader accepts. */
  moduleBytes: number;
  /** Bytes of stdout and of stderr kept per sandbox; the excess is dropped and counted. */
  outputBytes: number;
  /**
   * Events a sandbox may cause one by one per window (an invocation, a delivery, its spawn, its
   * end); past it each kind is counted and summarized in one `log:suppressed` event.
   */
  events: number;
  /**
   * Resource handles a sandbox may hold at once, host and guest resources together: every live
   * entry of its component instances' handle tables (a `wasi:io` stream or pollable, a
   * descriptor, a resource of its own), every guest resource the embedder holds, every host
   * object a worker sandbox holds a reference to. One more is `resource-limit`.
   */
  handles: number;
  /**
   * Bytes a guest may pass to the host in one call of a host function (its strings and lists
   * together), bounded and charged before the host copies or decodes them; more is
   * `resource-limit`.
   */
  hostArgBytes: number;
}

export const MiB = 1024 * 1024;

/**
 * The share of a V8 heap's limit one call may make it hold: 1 in 4. Reaching the limit either
 * ends the thread or, for some allocation shapes (one `new Array(n)` filled by index, one array
 * grown by `push`), aborts the whole host process (nodejs/node#47224; docs/placement.md), so the
 * per-call bounds must stay well under it whatever memory an embedder grants a sandbox.
 */
export const HEAP_SHARE = 4;

/**
 * The most one call may make the kernel's thread hold (what a guest hands the host, as the ABI
 * admits it before anything is allocated): `HEAP_SHARE` of its heap's limit. A worker sandbox's
 * calls are bounded by the same value, and its own heap by the spawn check of
 * host/isolate/pool.ts `overHeapShare`.
 */
export const HOST_CALL_BYTES = Math.floor(getHeapStatistics().heap_size_limit / HEAP_SHARE);

/**
 * A call's byte budget: what the sandbox's memory limit is worth (a guest naming the same bytes
 * many times cannot make the host decode more), never over `HOST_CALL_BYTES`.
 */
export function callBytesOf(limits: Pick<Limits, 'memoryBytes'>): number {
  return Math.min(limits.memoryBytes, HOST_CALL_BYTES);
}

/**
 * Sandbox ids a service keeps in its history (`ServiceInfo.history`): the last this many, oldest
 * first; older ones are counted (`ServiceInfo.earlier`), not kept. A guest that crashes on purpose
 * under a restart policy adds one id a restart for the service's life: without a bound, host
 * memory grew by one string a restart, copied again by every summary (redteam17).
 */
export const SERVICE_HISTORY = 32;

/**
 * What a kernel's loader keeps in memory of the modules it loaded (`KernelOptions.moduleCache`):
 * the most recently used, up to this many and this many bytes together (their sizes as given to
 * `load`), so that an embedder loading many distinct modules does not hold every one for the
 * kernel's life (redteam17). 128 MiB is the default `moduleBytes`: any module the loader accepts
 * by default can be kept.
 */
export const DEFAULT_MODULE_CACHE: Readonly<{ entries: number; bytes: number }> = Object.freeze({
  entries: 64,
  bytes: 128 * MiB,
});

/** `KernelOptions.moduleCache` with its defaults, each a finite integer >= 0 (0 entries: keep none). */
export function resolveModuleCache(
  input: Partial<{ entries: number; bytes: number }> = {},
): Readonly<{ entries: number; bytes: number }> {
  const out = { ...DEFAULT_MODULE_CACHE };
  for (const [key, value] of Object.entries(input) as ['entries' | 'bytes', number | undefined][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(DEFAULT_MODULE_CACHE, key)) {
      throw new KeelError('invalid-argument', `unknown moduleCache option "${key}"`, { option: key });
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new KeelError(
        'invalid-argument',
        `moduleCache.${key} must be a finite non-negative integer, got ${value}`,
        { option: key },
      );
    }
    out[key] = value;
  }
  return Object.freeze(out);
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  fuel: 10_000_000_000,
  fuelTotal: 1_000_000_000_000,
  deadlineMs: 30_000,
  memoryBytes: 64 * MiB,
  memories: 16,
  tableElements: 10_000,
  tables: 100,
  messageBytes: 64 * 1024,
  mailboxLength: 1024,
  mailboxSenderPercent: 50,
  moduleBytes: 128 * MiB,
  outputBytes: 16 * MiB,
  events: 10_000,
  handles: 10_000,
  hostArgBytes: MiB,
});

/**
 * Limits another party asks for, each no higher than `ceiling` (a peer's placement on this host:
 * it may tighten the host's limits, never raise them). Unknown names and non-numbers pass through
 * unchanged, for `resolveLimits` to refuse.
 */
export function capLimits(given: Partial<Limits>, ceiling: Readonly<Limits>): Partial<Limits> {
  const out: Partial<Record<string, unknown>> = { ...given };
  for (const [key, value] of Object.entries(given)) {
    if (typeof value === 'number' && Object.hasOwn(ceiling, key)) {
      out[key] = Math.min(value, ceiling[key as keyof Limits]);
    }
  }
  return out as Partial<Limits>;
}

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof Limits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(DEFAULT_LIMITS, key))
      throw new KeelError('invalid-argument', `unknown limit "${key}"`, { limit: key });
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || !Number.isInteger(value)) {
      throw new KeelError(
        'invalid-argument',
        `limit "${key}" must be a finite non-negative integer, got ${value}`,
        {
          limit: key,
        },
      );
    }
    if (key === 'mailboxSenderPercent' && (value < 1 || value > 100)) {
      throw new KeelError('invalid-argument', `limit "${key}" is a percentage from 1 to 100, got ${value}`, {
        limit: key,
      });
    }
    limits[key] = value;
  }
  // A host call's arguments are lifted on the kernel's thread at up to 64 bytes of heap an
  // element, as a call's results are (`callBytesOf`): never more than `HOST_CALL_BYTES`, whatever
  // an embedder asks (8 GiB would let one call fill the heap: nodejs/node#47224's abort).
  limits.hostArgBytes = Math.min(limits.hostArgBytes, HOST_CALL_BYTES);
  return limits;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kib: 1024,
  kb: 1000,
  mib: MiB,
  mb: 1_000_000,
  gib: 1024 * MiB,
  gb: 1_000_000_000,
};

/** `64KiB`, `1MiB`, `1GiB` or plain bytes → bytes. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new KeelError(
      'invalid-argument',
      `invalid size "${text}": use bytes or a unit such as 64KiB, 1MiB, 1GiB`,
      {
        value: text,
      },
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new KeelError('invalid-argument', `size "${text}" is too large`);
  return bytes;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * MiB && bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)}GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB}MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes}B`;
}

/**
 * Limits of a kernel in a lattice (`joinLattice`, host/cluster): what one host accepts from the
 * others and how fast it decides that one is gone. Every one is finite.
 */
export interface ClusterLimits {
  /** Largest envelope (header, body and signature) accepted from the lattice, in bytes. */
  frameBytes: number;
  /** Envelopes accepted from one host per second (a token bucket of this size); the rest are dropped. */
  peerRate: number;
  /**
   * Senders of one host (its sandboxes, its embedder, its kernel) with a fair share of its
   * `peerRate` of their own; senders heard past these share one entry. Bounds the receiver's
   * table per host however many sandboxes send.
   */
  peerSenders: number;
  /** Bytes handed to NATS for sending in one turn of Node's event loop; past it, sends are refused with `mailbox-full`. */
  outboundBytes: number;
  /** How often a host announces itself, in ms. */
  heartbeatMs: number;
  /** A host not heard from for this long is declared down, in ms. */
  downAfterMs: number;
  /** How far an envelope's timestamp may be from this host's clock, in ms (older or newer is dropped). */
  skewMs: number;
  /** Sequence numbers remembered per sending host, to refuse a replayed envelope. */
  replayWindow: number;
  /** Other hosts tracked at once. */
  maxHosts: number;
  /** Services (ids and paths) one host may announce. */
  maxServices: number;
  /** Links from this host's sandboxes to sandboxes of other hosts. */
  maxRemoteLinks: number;
  /** `cluster:reject` and remote `ipc:drop` events per second per reason; the rest are counted and summarized. */
  rejectEvents: number;
  /**
   * The largest module shipped for a placement (in chunks of at most `frameBytes`), and the bytes
   * of modules being reassembled from one host at once; a fetch also ends after 30 s.
   */
  moduleBytes: number;
  /**
   * At-least-once delivery (a lattice joined with `durable`, docs/cluster.md): messages the
   * lattice's JetStream stream holds at once (delivered ones are removed); past it, an
   * at-least-once send is refused with `mailbox-full`.
   */
  durableMessages: number;
  /** Bytes the lattice's stream holds at once; past it, sends are refused with `mailbox-full`. */
  durableBytes: number;
  /**
   * How long the stream keeps a message not yet delivered, in ms; also how old an at-least-once
   * envelope may be when it arrives, and how long its id is remembered to drop a duplicate.
   */
  durableAgeMs: number;
  /**
   * Messages one sender (a sandbox, an embedder) may have in the stream for one receiving host
   * at once (the stream's per-subject limit); past it its sends are refused with `mailbox-full`.
   */
  durableSenderMessages: number;
  /** At-least-once sends of one sender waiting for the stream's acknowledgement; past it, `mailbox-full`. */
  durablePending: number;
  /** Times the receiving host takes one message before it gives up on it (`ipc:drop`). */
  durableDeliveries: number;
  /** The first wait before a message refused with `mailbox-full` is delivered again, in ms; doubled each time. */
  durableBackoffMs: number;
  /** Messages handed to this host by the stream and not yet acknowledged (the consumer's `max_ack_pending`). */
  durableInflight: number;
  /** How long a message handed to this host may wait for its delivery before the stream hands it again, in ms. */
  durableAckWaitMs: number;
  /** Ids of at-least-once messages remembered to drop duplicates (within `durableAgeMs`); when full, new ones wait. */
  durableDedupe: number;
}

export const DEFAULT_CLUSTER_LIMITS: Readonly<ClusterLimits> = Object.freeze({
  frameBytes: 1 * MiB,
  peerRate: 50_000,
  peerSenders: 64,
  outboundBytes: 8 * MiB,
  heartbeatMs: 1_000,
  downAfterMs: 5_000,
  skewMs: 30_000,
  replayWindow: 4_096,
  maxHosts: 256,
  maxServices: 4_096,
  maxRemoteLinks: 1_024,
  rejectEvents: 16,
  moduleBytes: 64 * MiB,
  durableMessages: 65_536,
  durableBytes: 256 * MiB,
  durableAgeMs: 300_000,
  durableSenderMessages: 1_024,
  durablePending: 256,
  durableDeliveries: 5,
  durableBackoffMs: 1_000,
  durableInflight: 1_024,
  durableAckWaitMs: 30_000,
  durableDedupe: 100_000,
});

/** Cluster limits with overrides, each a finite integer > 0. */
export function resolveClusterLimits(overrides: Partial<ClusterLimits> = {}): ClusterLimits {
  const limits = { ...DEFAULT_CLUSTER_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof ClusterLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(DEFAULT_CLUSTER_LIMITS, key)) {
      throw new KeelError('invalid-argument', `unknown cluster limit "${key}"`, { limit: key });
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new KeelError('invalid-argument', `cluster limit "${key}" must be an integer > 0, got ${value}`, {
        limit: key,
      });
    }
    limits[key] = value;
  }
  return limits;
}

/** How many ordinary envelopes one sender may have queued in a mailbox (at least 1). */
export function senderQuota(limits: Pick<Limits, 'mailboxLength' | 'mailboxSenderPercent'>): number {
  return Math.max(1, Math.ceil((limits.mailboxLength * limits.mailboxSenderPercent) / 100));
}
