/**
 * What the kernel lends the IPC, events and self providers for one sandbox: its end of the
 * scheduler. Every method acts as that sandbox (the kernel stamps it as the sender) and throws
 * a `KeelError` on failure: an error a guest may see as a WIT `error-code`, or one that must
 * unwind it (`killed`, `policy-violation`).
 */

/** The grant's scope for `keel:kernel/ipc`. */
export interface IpcScope {
  /** Peers the sandbox may message or request: ids (`sbx_3`), paths (`/pipeline/*`), wildcards. */
  readonly peers: readonly string[];
}

/** The grant's scope for `keel:kernel/events`. */
export interface EventsScope {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

/**
 * What a publication fans out to, worked out before any of it is queued: the guest pays for it
 * first (`publish`'s `pay`), so a guest that cannot is refused before the host delivers anything.
 */
export interface Fanout {
  /** Subscribers on this host it reaches (queued, or dropped at a full mailbox), plus other hosts of the lattice. */
  readonly recipients: number;
  /**
   * Its matching against every live subscriber's patterns, in units of a short match: each
   * subscription 1, plus 1 per 64 steps of pattern segments × topic segments (`matchUnits`).
   */
  readonly matches: number;
}

export interface SchedPort {
  send(to: string, body: Uint8Array, scope: IpcScope): void;
  request(to: string, body: Uint8Array, timeoutMs: number, scope: IpcScope): bigint;
  reply(request: bigint, body: Uint8Array): void;
  /** `pay` is charged the fan-out before anything is queued; if it throws, nothing is. */
  publish(topic: string, body: Uint8Array, scope: EventsScope, pay?: (fanout: Fanout) => void): void;
  subscribe(pattern: string, scope: EventsScope): void;
  unsubscribe(pattern: string): void;
  /** The sandbox's id. */
  id(): string;
  /** Fuel left in the current delivery or invocation. */
  fuelLeft(): bigint;
}

/** Error codes a guest receives as values (WIT `keel:kernel/types.error-code`), in WIT order. */
export const GUEST_ERROR_CODES = [
  'capability-denied',
  'message-too-large',
  'mailbox-full',
  'no-such-target',
  'timeout',
  'killed',
  'invalid-argument',
] as const;

export type GuestErrorCode = (typeof GUEST_ERROR_CODES)[number];

/**
 * A refusal on a guest's call, handed back as its `error-code`. A plain value rather than an
 * `Error`: refusals are the hot path of a flood, and capturing a stack for each would make
 * refusing cost more than delivering.
 */
export class Refusal {
  constructor(
    readonly code: GuestErrorCode,
    readonly message: string,
  ) {}
}

/** Whether a failure is handed to the guest as an `error-code` (otherwise it unwinds the guest). */
export function isGuestError(error: unknown): error is { code: GuestErrorCode } {
  const e = error as { code?: unknown; details?: { fatal?: unknown } } | null;
  return (
    typeof e?.code === 'string' &&
    (GUEST_ERROR_CODES as readonly string[]).includes(e.code) &&
    e.details?.fatal !== true
  );
}
