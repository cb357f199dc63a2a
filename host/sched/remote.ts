/**
 * The scheduler's port to other hosts: what a lattice (host/cluster, a layer above the kernel)
 * lends the scheduler so that a target it does not serve can still be reached, and what it
 * hands back when an envelope arrives from another host. The scheduler knows nothing of NATS,
 * keys or subjects; the lattice knows nothing of mailboxes or services.
 *
 * Names across hosts: a sandbox of another host is `sbx_3@host-b` (its id, `@`, the host id);
 * the embedder of another host is `host@host-b`. Mount paths are lattice-wide: a path not
 * served here is looked up among the paths the other hosts announce.
 */

/** Where a target lives on another host. */
export interface RemoteLocation {
  /** The host that serves it. */
  readonly host: string;
  /** Other names it answers to there (its qualified id, its mount path), for grant checks. */
  readonly aliases: readonly string[];
}

/** A message or request leaving for another host. */
export interface RemoteSend {
  readonly kind: 'message' | 'request';
  /** The sender as this kernel stamps it: a sandbox id or `host`. */
  readonly from: string;
  /** The target as the sender wrote it. */
  readonly to: string;
  readonly body: Uint8Array;
  /** `request`: the requester's request id (a reply names it) and its timeout. */
  readonly request?: bigint;
  readonly timeoutMs?: number;
  /** The sender's `keel:kernel/ipc` peers, for the receiving kernel to check again; absent for the embedder. */
  readonly peers?: readonly string[];
  /** `at-least-once`: through the lattice's durable stream (the sending sandbox's `sched.delivery`). */
  readonly delivery?: 'at-least-once';
}

/** What the scheduler asks of a lattice. Implemented by `host/cluster`. */
export interface RemotePort {
  /** This host's id in the lattice. */
  readonly hostId: string;
  /** The host serving a target this kernel does not serve (a path, or `sbx_N@host`), if a live one does. */
  locate(target: string): RemoteLocation | undefined;
  /** Hand an envelope to a host. Throws a `KeelError` when it cannot (the host is down, the link is full). */
  send(host: string, envelope: RemoteSend): void;
  /** How many other hosts a publication goes to now (the live ones): each is a recipient the publisher pays for. */
  peerHosts(): number;
  /** Publish an event to the other hosts (`publish`: the sender's grant, absent for the embedder). */
  publish(from: string, topic: string, body: Uint8Array, publish: readonly string[] | undefined): void;
}

/** A message or request from another host, its sender's host verified by the lattice. */
export interface RemoteArrival {
  readonly kind: 'message' | 'request';
  /** The verified sending host. */
  readonly host: string;
  /** The sender as its kernel stamped it (`sbx_3` or `host`); the scheduler qualifies it with `host`. */
  readonly from: string;
  readonly to: string;
  readonly body: Uint8Array;
  readonly timeoutMs?: number;
  /** The sender's peers grant (absent: the other host's embedder, which is policy). */
  readonly peers?: readonly string[];
  /**
   * Called once when the envelope is handed to the target (its delivery begins), not when it
   * is only queued: an at-least-once message is acknowledged then. Not called when it is
   * never delivered (the target ended with it queued).
   */
  readonly delivered?: () => void;
}

/** `sbx_3` of `host-b` → `sbx_3@host-b`. */
export function qualify(name: string, host: string): string {
  return `${name}@${host}`;
}

/** `sbx_3@host-b` → `{ name: 'sbx_3', host: 'host-b' }`; undefined for an unqualified name. */
export function unqualify(name: string): { name: string; host: string } | undefined {
  const at = name.indexOf('@');
  if (at <= 0 || at === name.length - 1) return undefined;
  return { name: name.slice(0, at), host: name.slice(at + 1) };
}
