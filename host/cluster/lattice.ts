/**
 * A kernel in a lattice: several Keel kernels, on several hosts, as one. Each host connects to
 * NATS, announces itself (heartbeats with its load and the services it runs), learns the others,
 * and lends its scheduler a `RemotePort` so that a send, request or publication to a target it
 * does not serve reaches the host that does. Every envelope is signed with the sending host's
 * Ed25519 key and checked by the receiver (trusted host, signature, subject, timestamp, replay,
 * rate) before the receiving kernel checks it again as it would a local message.
 *
 *   const lattice = await joinLattice(kernel, {
 *     servers: 'nats://127.0.0.1:4222', lattice: 'prod', hostId: 'host-a',
 *     credentials: { privateKey, peers: { 'host-b': publicKeyOfB } },
 *   });
 *   kernel.sched.send('/pipeline/sink', 'hello');   // served by host-b: goes over NATS
 *
 * See docs/cluster.md for the subjects, the trust model and the failure semantics.
 */
import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { EVENTS } from '../events/names.js';
import { isErrorCode, KeelError } from '../kernel/errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { type ClusterLimits, capLimits, resolveClusterLimits } from '../kernel/limits.js';
import type { ModuleHandle } from '../kernel/module.js';
import { isTopic } from '../sched/glob.js';
import type { ArrivalOutcome } from '../sched/lattice.js';
import { GUEST_ERROR_CODES, type GuestErrorCode } from '../sched/port.js';
import {
  qualify,
  type RemoteLocation,
  type RemotePort,
  type RemoteSend,
  unqualify,
} from '../sched/remote.js';
import { backoffDelay, type RestartPolicy, Restarts, resolveRestart } from '../sched/supervise.js';
import { UNDELIVERED_TOPIC } from '../sched/topics.js';
import { Dedupe, type DurableDelivery, DurableLink } from './durable.js';
import {
  type Decoded,
  decode,
  type EnvelopeKind,
  encode,
  type Header,
  HOST_ID,
  type HostLoad,
  Rejected,
  type RejectReason,
  verifies,
} from './envelope.js';
import {
  type Candidate,
  choose,
  ModuleStore,
  type Placement,
  type PlacementRequest,
  type PlacementSpec,
  type PlacementTarget,
  readSpec,
  sha256,
} from './placement.js';
import { Reporter } from './reporter.js';
import {
  durableSubject,
  eventSubject,
  heartbeatSubject,
  hostSubject,
  subjectFor,
  subscriptions,
} from './subjects.js';
import {
  type ClusterCredentials,
  HostWindows,
  OTHER_SENDERS,
  peerEntry,
  privateKeyOf,
  publicKeyOf,
  SenderShares,
  TokenBucket,
} from './trust.js';

export interface LatticeOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | readonly string[];
  /** The lattice's name: hosts of one lattice see each other; subjects start with `keel.<lattice>.`. */
  lattice: string;
  /** This host's id, unique in the lattice (letters, digits, `-`, `_`; at most 64). */
  hostId: string;
  /** This host's Ed25519 key and the public keys of the hosts it trusts. */
  credentials: ClusterCredentials;
  /** Labels announced with the heartbeats (for placement), e.g. `{ zone: 'eu' }`. */
  labels?: Readonly<Record<string, string>>;
  /** Overrides of the cluster limits (docs/limits.md). */
  limits?: Partial<ClusterLimits>;
  /** NATS authentication (who may connect to the server; not who may be trusted as a host). */
  auth?: { user?: string; pass?: string; token?: string };
  /** How long to wait for the first connection, in ms; default 5,000. */
  connectTimeoutMs?: number;
  /**
   * Whether this host runs sandboxes that other hosts place on it (`lattice.place`): `false` by
   * default (deny). A function decides each placement (its module hash, path, grants, limits,
   * the placing host): the policy is the embedder's.
   */
  accept?: boolean | ((request: PlacementRequest) => boolean | Promise<boolean>);
  /**
   * Listen only (`keel cluster status`): hear and check the trusted hosts' heartbeats, and do
   * nothing else: no heartbeats of its own, no routing, nothing served or placed. `hosts()` is
   * what was heard.
   */
  observe?: boolean;
  /**
   * Join the lattice's JetStream stream (the server must run JetStream: `nats-server -js`), so
   * that sends marked at-least-once (a sandbox's `sched.delivery`, `sendAtLeastOnce`) travel
   * through it and reach this host's sandboxes even across its restarts (docs/cluster.md).
   * Without it (the default) delivery is at most once, and at-least-once sends are refused.
   */
  durable?: boolean;
}

/** A call to another host (placement, fetching a module) waiting for its answer. */
interface Call {
  readonly host: string;
  readonly kind: EnvelopeKind;
  /** `get`: the hash asked for, and the chunks received so far. */
  readonly hash?: string;
  assembly?: { size: number; of: number; parts: Uint8Array[]; bytes: number };
  readonly resolve: (answer: { header: Header; body: Uint8Array }) => void;
  readonly reject: (error: KeelError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Kinds a host's sender starts (messages, requests, events, placements, fetches): each sender
 * draws on its own share of the host's rate. Answers (`rep`, `nak`, `plr`, `mod`, `err`) are
 * bounded by what this host asked for, and draw only on the host's rate.
 */
const SHARED_KINDS: ReadonlySet<EnvelopeKind> = new Set<EnvelopeKind>([
  'msg',
  'req',
  'evt',
  'plc',
  'get',
  'upl',
]);
/** Sandboxes other hosts placed here (by path) that this host remembers, to obey only their placer. */
const MAX_HOSTED = 4_096;
/** Room for a module chunk's header, prefix and signature within `frameBytes`. */
const CHUNK_HEADROOM = 1_024;
/** Placements and fetches in progress at once, each way; more are refused with `mailbox-full`. */
const MAX_CALLS = 16;
/** How long a placement or a fetch may take, in ms. */
const CALL_TIMEOUT_MS = 30_000;
/** Modules kept by hash: those this host placed (to serve fetches) and those it was given. */
const KEEP_MODULES = 64;
/** Placements this host supervises at once (restarted elsewhere when their host dies). */
const MAX_SUPERVISED = 256;

/** A sandbox this host placed on another with a restart policy: placed again if that host dies. */
interface Supervised {
  readonly module: Uint8Array;
  readonly spec: PlacementSpec;
  readonly target: PlacementTarget;
  readonly policy: RestartPolicy;
  /** Where it runs now, and its id there. */
  host: string;
  sandbox: string;
  /** Its replacements, for `maxRestarts` (within `windowMs`), counted as a local service's restarts. */
  restarts: Restarts;
  timer?: ReturnType<typeof setTimeout>;
}

/** Another host, as this one sees it. */
export interface HostInfo {
  host: string;
  state: 'up' | 'down';
  load: HostLoad;
  labels: Record<string, string>;
  /** Services it announced: `[sandbox id, mount path?]`. */
  services: [string, string?][];
  /** ms since it was last heard from. */
  silentMs: number;
  /**
   * How old its last heartbeat was by its own (signed) timestamp when it arrived, in ms: the
   * difference of the clocks plus the transit. Large when the clocks disagree, or when someone
   * replays a heartbeat this host had not seen (within `skewMs`).
   */
  lagMs: number;
  /** Its senders heard from in the last second with a share of their own (plus one shared by the rest): at most `peerSenders` + 1. */
  senders: number;
}

interface Peer {
  readonly host: string;
  readonly key: KeyObject;
  readonly windows: HostWindows;
  readonly bucket: TokenBucket;
  /** Fair shares of `bucket` among the senders this host stamps. */
  readonly shares: SenderShares;
  epoch: string | undefined;
  up: boolean;
  lastSeen: number;
  /** The sender's timestamp of its last heartbeat accepted. */
  lastBeatAt: number;
  /** Its last heartbeat's age by its timestamp, when it arrived. */
  lagMs: number;
  load: HostLoad;
  labels: Record<string, string>;
  /** The labels the operator pinned for it (`credentials.peers[host].labels`): they replace what it announces. */
  readonly pinned?: Record<string, string>;
  /** Sandbox id → mount path (or ''). */
  services: Map<string, string>;
  /** Mount path → sandbox id. */
  paths: Map<string, string>;
}

interface RemoteLink {
  readonly local: string;
  readonly remote: string;
  readonly host: string;
}

const NO_LOAD: HostLoad = { sandboxes: 0, fuelPerSec: 0, rssBytes: 0 };
const EMPTY = new Uint8Array(0);

/** Join a lattice: connect to NATS, announce this host, route what this kernel does not serve. */
export async function joinLattice(kernel: Kernel, options: LatticeOptions): Promise<Lattice> {
  const lattice = new Lattice(kernel, options);
  await lattice.start();
  return lattice;
}

export class Lattice implements RemotePort {
  readonly hostId: string;
  readonly name: string;
  readonly limits: Readonly<ClusterLimits>;
  readonly #kernel: Kernel;
  readonly #options: LatticeOptions;
  readonly #key: KeyObject;
  readonly #peers = new Map<string, Peer>();
  readonly #epoch = randomBytes(8).toString('hex');
  readonly #reporter: Reporter;
  /** Frames checked before their host is known to be genuine (all hosts together): caps verification work. */
  readonly #unverified: TokenBucket;
  readonly #links: RemoteLink[] = [];
  /** Modules this host placed on others, by hash: what it serves to `get`. */
  readonly #placed = new ModuleStore(KEEP_MODULES);
  /** Modules other hosts placed here, loaded, by hash. */
  readonly #received = new Map<string, ModuleHandle>();
  readonly #calls = new Map<string, Call>();
  readonly #rejections = new Map<string, { reason: string; host?: string; count: number }>();
  /** Placements on other hosts with a restart policy, by mount path. */
  readonly #supervised = new Map<string, Supervised>();
  /** What this host placed, by mount path: where it runs (here or elsewhere) and its id there. */
  readonly #placements = new Map<string, { host: string; sandbox: string }>();
  /**
   * What other hosts placed here, by mount path: the placing host (the only one that may unplace
   * it, and whose death ends it unless `outlive`).
   */
  readonly #hosted = new Map<string, { from: string; sandbox: string; outlive: boolean }>();
  #callSeq = 0;
  #serving = 0;
  #seq = 0;
  #nc: NatsConnection | undefined;
  #subs: Subscription[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #outbound = 0;
  /** Bytes each sender (`sbx_N`, `host`, `kernel`) handed to NATS in this turn: its fair share of `outboundBytes`. */
  readonly #outboundBy = new Map<string, number>();
  #outboundReset = false;
  #lastFuel = 0;
  #lastBeat = performance.now();
  #joinedAt = performance.now();
  #lastTick = performance.now();
  #closed = false;
  #stopHook: (() => void) | undefined;
  /** At-least-once delivery (`durable`): the stream, and what this host took from it. */
  #durable: DurableLink | undefined;
  readonly #dedupe: Dedupe;
  /** At-least-once messages queued in a mailbox here, not delivered yet, by id: acknowledged when delivered. */
  readonly #held = new Map<string, DurableDelivery>();
  /** At-least-once messages handed back to the stream for later (their target was full), by id → target. */
  readonly #later = new Map<string, string>();
  /** How many of those each target has (at most a quarter of `durableInflight`, so that one cannot starve the others). */
  readonly #laterByTarget = new Map<string, number>();
  /** Mount path → the host that last announced it (for at-least-once sends to a host that is down), the most recent 4,096. */
  readonly #routes = new Map<string, string>();

  constructor(kernel: Kernel, options: LatticeOptions) {
    if (!HOST_ID.test(options.hostId ?? '')) {
      throw new KeelError(
        'invalid-argument',
        `invalid host id "${String(options.hostId).slice(0, 80)}": use letters, digits, - and _ (at most 64)`,
      );
    }
    if (!HOST_ID.test(options.lattice ?? '')) {
      throw new KeelError(
        'invalid-argument',
        `invalid lattice name "${String(options.lattice).slice(0, 80)}": use letters, digits, - and _ (at most 64)`,
      );
    }
    this.#kernel = kernel;
    this.#options = options;
    this.hostId = options.hostId;
    this.name = options.lattice;
    this.limits = Object.freeze(resolveClusterLimits(options.limits));
    if (this.limits.downAfterMs < 2 * this.limits.heartbeatMs) {
      throw new KeelError(
        'invalid-argument',
        `downAfterMs (${this.limits.downAfterMs}) must be at least twice heartbeatMs (${this.limits.heartbeatMs})`,
      );
    }
    this.#key = privateKeyOf(options.credentials.privateKey);
    const now = performance.now();
    const trusted = Object.entries(options.credentials.peers ?? {}).filter(([host]) => host !== this.hostId);
    if (trusted.length > this.limits.maxHosts) {
      throw new KeelError(
        'invalid-argument',
        `${trusted.length} trusted hosts, more than maxHosts (${this.limits.maxHosts})`,
      );
    }
    for (const [host, value] of trusted) {
      if (!HOST_ID.test(host))
        throw new KeelError('invalid-argument', `invalid host id "${host.slice(0, 80)}" among the peers`);
      const { key, labels: pinned } = peerEntry(value);
      this.#peers.set(host, {
        host,
        key: publicKeyOf(key, host),
        ...(pinned ? { pinned } : {}),
        windows: new HostWindows(this.limits.replayWindow),
        bucket: new TokenBucket(this.limits.peerRate, now),
        shares: new SenderShares(this.limits.peerRate, this.limits.peerSenders),
        epoch: undefined,
        up: false,
        lastSeen: 0,
        lastBeatAt: Number.NEGATIVE_INFINITY,
        lagMs: 0,
        load: NO_LOAD,
        labels: {},
        services: new Map(),
        paths: new Map(),
      });
    }
    this.#unverified = new TokenBucket(this.limits.peerRate * 2, now);
    this.#dedupe = new Dedupe(this.limits.durableDedupe);
    this.#reporter = new Reporter(this.limits.rejectEvents, (key, suppressed) => {
      const [event, reason] = key.split(' ') as [string, string];
      this.#emit(event === EVENTS.ipcDrop ? EVENTS.ipcDrop : EVENTS.clusterReject, 'warn', 'dropped', {
        reason: 'suppressed',
        suppressed: { [reason]: suppressed },
      });
    });
  }

  /** Connect, subscribe, announce. */
  async start(): Promise<void> {
    const servers =
      typeof this.#options.servers === 'string' ? [this.#options.servers] : [...this.#options.servers];
    // Loaded when a kernel joins a lattice, not when Keel is imported: the NATS client was about
    // a third of the time `import('keel')` took.
    const { connect } = await import('@nats-io/transport-node');
    try {
      this.#nc = await connect({
        servers,
        name: `keel-${this.name}-${this.hostId}`,
        noEcho: true,
        timeout: this.#options.connectTimeoutMs ?? 5_000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        ...(this.#options.auth ?? {}),
      });
    } catch (error) {
      // Why, for the CLI's advice: nobody listening, or the server refused these credentials.
      const name = (error as Error).name ?? '';
      const message = (error as Error).message ?? String(error);
      const reason = /authori[sz]ation|authentication|auth/i.test(`${name} ${message}`)
        ? 'unauthorized'
        : 'unreachable';
      throw new KeelError('invalid-argument', `cannot connect to NATS at ${servers.join(', ')}: ${message}`, {
        servers,
        reason,
      });
    }
    if (this.#options.observe) {
      this.#subs.push(
        this.#nc.subscribe(heartbeatSubject(this.name, '*'), {
          callback: (error, msg) => {
            if (!error) this.#onFrame(msg.subject, msg.data);
          },
        }),
      );
      this.#timer = setInterval(() => this.#tick(), this.limits.heartbeatMs);
      this.#timer.unref();
      await this.#nc.flush();
      return;
    }
    for (const subject of subscriptions(this.name, this.hostId)) {
      this.#subs.push(
        this.#nc.subscribe(subject, {
          callback: (error, msg) => {
            if (!error) this.#onFrame(msg.subject, msg.data);
          },
        }),
      );
    }
    this.#joinedAt = performance.now();
    this.#kernel.sched.attachRemote(this);
    this.#stopHook = this.#kernel.on(EVENTS.kernelStop, () => void this.close());
    this.#emit(EVENTS.clusterJoin, 'info', 'ok', {
      lattice: this.name,
      host: this.hostId,
      servers,
      trusted: [...this.#peers.keys()],
    });
    this.#beat();
    this.#timer = setInterval(() => this.#tick(), this.limits.heartbeatMs);
    this.#timer.unref();
    await this.#nc.flush();
    if (this.#options.durable) {
      try {
        this.#durable = await DurableLink.open(this.#nc, this.name, this.hostId, this.limits, (d) =>
          this.#onDurable(d),
        );
      } catch (error) {
        await this.close();
        throw error instanceof KeelError ? error : new KeelError('invalid-argument', String(error));
      }
    }
  }

  /**
   * Resolves once every trusted host has been heard, or two heartbeat intervals after joining
   * (a host that is up has announced itself by then): what a placement made right after joining
   * waits for, so that it sees the lattice rather than only this host.
   */
  async settled(): Promise<void> {
    const until = this.#joinedAt + 2 * this.limits.heartbeatMs + 100;
    while (!this.#closed && performance.now() < until) {
      if ([...this.#peers.values()].every((p) => p.up)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Frames refused since joining, counted by reason and claimed host (all of them: the events
   * are bounded, these counts are not lost). At most 64 pairs; further hosts count as `*`.
   */
  rejections(): { reason: string; host?: string; count: number }[] {
    return [...this.#rejections.values()].map((r) => ({ ...r }));
  }

  #countRejection(reason: string, host: string | undefined): void {
    let key = `${reason} ${host ?? ''}`;
    if (!this.#rejections.has(key) && this.#rejections.size >= 64) key = `${reason} *`;
    const seen = this.#rejections.get(key);
    if (seen) seen.count++;
    else
      this.#rejections.set(key, {
        reason,
        ...(host !== undefined ? { host: key.endsWith(' *') ? '*' : host } : {}),
        count: 1,
      });
  }

  /**
   * At-least-once delivery here (undefined without `durable`): messages queued in a mailbox and
   * not yet delivered (unacknowledged), handed back for later (a full target), ids remembered to
   * drop duplicates, and this host's sends waiting for the stream's acknowledgement.
   */
  durableState(): { held: number; later: number; remembered: number; waiting: number } | undefined {
    if (!this.#durable) return undefined;
    return {
      held: this.#held.size,
      later: this.#later.size,
      remembered: this.#dedupe.size,
      waiting: this.#durable.waiting,
    };
  }

  /** Other hosts of the lattice, as last heard. */
  hosts(): HostInfo[] {
    const now = performance.now();
    return [...this.#peers.values()]
      .filter((p) => p.epoch !== undefined)
      .map((p) => ({
        host: p.host,
        state: p.up ? 'up' : 'down',
        load: { ...p.load },
        labels: { ...p.labels },
        services: [...p.services].map(([id, path]) => (path ? [id, path] : [id]) as [string, string?]),
        silentMs: Math.round(now - p.lastSeen),
        lagMs: p.lagMs,
        senders: p.shares.size,
      }));
  }

  /**
   * Link a sandbox of this kernel to one on another host (`sbx_3@host-b`, or a path another host
   * serves): when that host is declared down, or stops announcing the sandbox, the local one
   * gets a `keel.down` event (`data.reason`: `host-down`, `ended`).
   */
  link(local: string, remote: string): void {
    const where = this.locate(remote);
    if (!where)
      throw new KeelError('no-such-target', `no host of the lattice serves ${remote}`, { target: remote });
    if (this.#links.length >= this.limits.maxRemoteLinks) {
      throw new KeelError(
        'invalid-argument',
        `this host has ${this.#links.length} remote links, the most allowed (maxRemoteLinks)`,
      );
    }
    if (!this.#kernel.sched.service(local))
      throw new KeelError('no-such-target', `no sandbox ${local} here`, { target: local });
    const id = unqualify(remote) ? remote : (where.aliases[0] ?? remote);
    this.#links.push({ local, remote: id, host: where.host });
  }

  /**
   * Run a module as a sandbox somewhere in the lattice: on the host named, or among the hosts
   * with the labels given, or (neither) on the least loaded host, this one included. Another
   * host runs it only if it accepts placements (`accept`), and only after checking the bytes it
   * fetched from this host against the module's sha256. The module is mounted at `spec.path`
   * there, and spawned with the grants and limits given, each limit no higher than that host's own.
   */
  async place(module: Uint8Array, spec: PlacementSpec, target: PlacementTarget = {}): Promise<Placement> {
    readSpec(spec);
    const candidates: Candidate[] = [
      { host: this.hostId, load: this.#currentLoad(), labels: { ...(this.#options.labels ?? {}) } },
      ...this.#livePeers().map((p) => ({ host: p.host, load: p.load, labels: p.labels })),
    ];
    const chosen = choose(candidates, target);
    if (chosen.host === this.hostId) {
      const sandbox = await this.#spawnPlaced(module, spec);
      // Here, the local supervisor restarts it after a failure; nothing to place again.
      this.#supervise(module, spec, target, this.hostId, sandbox);
      this.#remember(spec.path, this.hostId, sandbox);
      return { host: this.hostId, sandbox: qualify(sandbox, this.hostId), path: spec.path };
    }
    if (module.byteLength > this.limits.moduleBytes) {
      throw new KeelError(
        'message-too-large',
        `a ${module.byteLength}-byte module is larger than the lattice ships (moduleBytes ${this.limits.moduleBytes})`,
        { bytes: module.byteLength, limit: this.limits.moduleBytes },
      );
    }
    const hash = this.#placed.put(module);
    const answer = await this.#call(
      chosen.host,
      'plc',
      { hx: hash },
      new TextEncoder().encode(JSON.stringify(spec)),
    );
    const sandbox = answer.header.f ?? '';
    // Routed at once: the host's signed answer says what it runs there (its next heartbeat will too).
    const peer = this.#peers.get(chosen.host);
    if (peer?.up && /^sbx_[0-9]+$/.test(sandbox) && peer.services.size < this.limits.maxServices) {
      peer.services.set(sandbox, spec.path);
      peer.paths.set(spec.path, sandbox);
    }
    this.#supervise(module, spec, target, chosen.host, sandbox);
    this.#remember(spec.path, chosen.host, sandbox);
    return { host: chosen.host, sandbox: qualify(sandbox, chosen.host), path: spec.path };
  }

  #remember(path: string, host: string, sandbox: string): void {
    this.#placements.delete(path);
    this.#placements.set(path, { host, sandbox });
    while (this.#placements.size > MAX_SUPERVISED * 16)
      this.#placements.delete(this.#placements.keys().next().value!);
  }

  /**
   * Stop what this host placed at `path` (with `place`), wherever it runs: the host running it
   * terminates the sandbox and unmounts the path, and it is no longer supervised (not placed
   * again). Only the host that placed a sandbox may unplace it: the running host refuses an
   * order from any other (`capability-denied`, `cluster:reject` `not-placer`). Resolves once
   * the running host confirmed; `no-such-target` when this host placed nothing there, `timeout`
   * when that host does not answer in `timeoutMs` (default 5 s) or is down.
   */
  async unplace(path: string, timeoutMs = 5_000): Promise<void> {
    const placement = this.#placements.get(path);
    if (!placement)
      throw new KeelError('no-such-target', `this host placed nothing at ${path}`, { target: path });
    this.#placements.delete(path);
    const supervised = this.#supervised.get(path);
    if (supervised?.timer) clearTimeout(supervised.timer);
    this.#supervised.delete(path);
    if (placement.host === this.hostId) {
      this.#stopPlaced(path, placement.sandbox);
      return;
    }
    const peer = this.#peers.get(placement.host);
    if (peer?.paths.get(path) === placement.sandbox) {
      peer.paths.delete(path);
      peer.services.delete(placement.sandbox);
    }
    await this.#call(placement.host, 'upl', { to: path }, undefined, timeoutMs);
  }

  /**
   * Link two sandboxes each of which this host placed (anywhere in the lattice) or runs itself:
   * each hears (`keel.down`) when the other ends, as a plan's `links` do locally. For a side
   * placed on another host, that host is asked (`lnk`), and obeys only the host that placed it
   * there. A link carries no grant: it only delivers the notice; whether the two may talk is
   * their grants' business, as locally.
   */
  async linkPlaced(a: string, b: string, timeoutMs = 5_000): Promise<void> {
    if (this.#kernel.sched.service(a) && this.#kernel.sched.service(b)) {
      this.#kernel.sched.link(a, b);
      return;
    }
    await Promise.all([this.#linkSide(a, b, timeoutMs), this.#linkSide(b, a, timeoutMs)]);
  }

  async #linkSide(from: string, to: string, timeoutMs: number): Promise<void> {
    const placement = this.#placements.get(from);
    if (!placement || placement.host === this.hostId) {
      if (!this.#kernel.sched.service(from))
        throw new KeelError('no-such-target', `this host neither runs nor placed ${from}`, { target: from });
      await this.#linkHereTo(from, to, timeoutMs);
      return;
    }
    await this.#call(placement.host, 'lnk', { to: from, ln: to }, undefined, timeoutMs);
  }

  /** Link a sandbox of this kernel to `to`, here or on another host (waiting a little for its announcement). */
  async #linkHereTo(local: string, to: string, timeoutMs: number): Promise<void> {
    if (this.#kernel.sched.service(to)) {
      this.#kernel.sched.link(local, to);
      return;
    }
    const until = performance.now() + Math.min(timeoutMs, 2 * this.limits.heartbeatMs);
    while (!this.locate(to) && performance.now() < until && !this.#closed)
      await new Promise((resolve) => setTimeout(resolve, 20));
    this.link(local, to);
  }

  /**
   * What `peer` placed here at the order's path; anything else is refused (`not-placer`) and
   * answered `capability-denied`: only the host that placed a sandbox may order it about.
   */
  #placedHereBy(
    peer: Peer,
    header: Header,
    order: 'link' | 'unplace',
  ): { from: string; sandbox: string; outlive: boolean } | undefined {
    const path = header.to!;
    const hosted = this.#hosted.get(path);
    if (hosted && hosted.from === peer.host) return hosted;
    this.#refuse(
      'not-placer',
      `${peer.host} asked to ${order} ${path.slice(0, 200)}, which it did not place here`,
      peer.host,
      header,
      EMPTY,
    );
    this.#direct(peer.host, 'err', {
      r: header.r!,
      c: 'capability-denied',
      m: `${this.hostId} runs nothing at ${path.slice(0, 200)} placed by ${peer.host}`,
    });
    return undefined;
  }

  /** Another host asks this one to link what it placed here to another sandbox: obeyed only from that host. */
  async #linkHere(peer: Peer, header: Header): Promise<void> {
    const r = header.r!;
    const path = header.to!;
    const hosted = this.#placedHereBy(peer, header, 'link');
    if (!hosted) return;
    try {
      await this.#linkHereTo(path, header.ln!, CALL_TIMEOUT_MS);
      this.#direct(peer.host, 'plr', { r, f: hosted.sandbox });
    } catch (error) {
      const e = error instanceof KeelError ? error : new KeelError('internal', String(error));
      this.#direct(peer.host, 'err', { r, c: e.code, m: e.message.slice(0, 300) });
    }
  }

  /** Terminate a placed sandbox (not a failure: not restarted) and unmount its path; announce it. */
  #stopPlaced(path: string, sandbox: string): void {
    for (const s of this.#kernel.sandboxes)
      if (s.id === sandbox) s.terminate('unplaced by the host that placed it');
    this.#kernel.unmount(path);
    this.#beat();
  }

  /** Another host asks this one to stop what it placed here: obeyed only from that host. */
  #unplaceHere(peer: Peer, header: Header): void {
    const r = header.r!;
    const path = header.to!;
    const hosted = this.#placedHereBy(peer, header, 'unplace');
    if (!hosted) return;
    this.#hosted.delete(path);
    this.#stopPlaced(path, hosted.sandbox);
    this.#direct(peer.host, 'plr', { r, f: hosted.sandbox });
  }

  /** Keep what is needed to place it again when its host dies, if its policy says so. */
  #supervise(
    module: Uint8Array,
    spec: PlacementSpec,
    target: PlacementTarget,
    host: string,
    sandbox: string,
    restarts: Restarts = new Restarts(),
  ): void {
    const policy = resolveRestart(spec.sched?.restart);
    const existing = this.#supervised.get(spec.path);
    if (existing?.timer) clearTimeout(existing.timer);
    this.#supervised.delete(spec.path);
    if (policy.policy !== 'on-failure' || host === this.hostId) return;
    if (this.#supervised.size >= MAX_SUPERVISED) return;
    this.#supervised.set(spec.path, { module, spec, target, policy, host, sandbox, restarts });
  }

  /**
   * A host that ran sandboxes this host placed with a restart policy was declared down: place
   * each again among the hosts that fit (not on a named host: it would not be where it was
   * asked to run), after its backoff, at most `maxRestarts` times (within `windowMs`).
   */
  #replaceFrom(dead: string): void {
    for (const entry of this.#supervised.values()) {
      if (entry.host !== dead || entry.timer) continue;
      const path = entry.spec.path;
      const report = (status: 'ok' | 'error', data: Record<string, unknown>) =>
        this.#kernel.events.emit({
          event: EVENTS.clusterReplace,
          level: status === 'ok' ? 'info' : 'warn',
          status,
          data: { path, from: dead, ...data },
        });
      if (entry.target.host !== undefined) {
        this.#supervised.delete(path);
        report('error', { reason: 'pinned' });
        continue;
      }
      const now = performance.now();
      const windowMs = entry.policy.windowMs;
      const recent = entry.restarts.counted(now, windowMs);
      const attempt = recent + 1;
      if (attempt > entry.policy.maxRestarts) {
        this.#supervised.delete(path);
        report('error', { reason: 'gave-up', restarts: recent });
        continue;
      }
      const delay = backoffDelay(entry.policy.backoff, attempt);
      entry.restarts.add(now, windowMs);
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        if (this.#closed || this.#supervised.get(path) !== entry) return;
        this.place(entry.module, entry.spec, entry.target).then(
          (placed) => {
            // place() supervises it anew; keep the count of restarts.
            const next = this.#supervised.get(path);
            if (next) next.restarts = entry.restarts;
            report('ok', { host: placed.host, sandbox: placed.sandbox, attempt, delay_ms: delay });
          },
          (error: KeelError) => {
            report('error', {
              code: error.code,
              message: error.message.slice(0, 200),
              attempt,
              delay_ms: delay,
            });
            // Counted as a restart: try again, or give up, as if the host had just died.
            if (this.#supervised.get(path) === entry) this.#replaceFrom(dead);
          },
        );
      }, delay);
      entry.timer.unref?.();
    }
  }

  /** Leave: say goodbye, stop routing, close the connection. Requests waiting on other hosts end `killed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#options.observe) {
      await this.#nc?.close().catch(() => {});
      return;
    }
    this.#stopHook?.();
    this.#kernel.sched.detachRemote(this);
    for (const call of [...this.#calls.values()])
      this.#settleCall(call, new KeelError('killed', 'the lattice was left'));
    for (const entry of this.#supervised.values()) if (entry.timer) clearTimeout(entry.timer);
    this.#supervised.clear();
    this.#reporter.flush();
    // Not acknowledged: the stream hands these again to this host's next run.
    await this.#durable?.close();
    this.#held.clear();
    const nc = this.#nc;
    if (nc && !nc.isClosed()) {
      try {
        nc.publish(heartbeatSubject(this.name, this.hostId), this.#frame({ k: 'bye' }));
        await withTimeout(nc.drain(), 2_000);
      } catch {
        // Leaving never fails: the others declare this host down by its silence.
      }
      if (!nc.isClosed()) await nc.close().catch(() => {});
    }
    this.#emit(EVENTS.clusterLeave, 'info', 'ok', { lattice: this.name, host: this.hostId });
  }

  // ------------------------------------------------------------------------------------------
  // RemotePort (what the scheduler calls)

  locate(target: string): RemoteLocation | undefined {
    const qualified = unqualify(target);
    if (qualified) {
      const peer = this.#peers.get(qualified.host);
      if (!peer?.up) return undefined;
      const path = peer.services.get(qualified.name);
      return { host: peer.host, aliases: path ? [path] : [] };
    }
    if (!target.startsWith('/')) return undefined;
    // A path this host placed goes where it placed it last: a host declared down that comes
    // back still running the old copy does not take its traffic back.
    const supervised = this.#supervised.get(target);
    if (supervised) {
      const peer = this.#peers.get(supervised.host);
      const id = peer?.up ? peer.paths.get(target) : undefined;
      if (id !== undefined) return { host: supervised.host, aliases: [qualify(id, supervised.host)] };
    }
    for (const peer of this.#livePeers()) {
      const id = peer.paths.get(target);
      if (id !== undefined) return { host: peer.host, aliases: [qualify(id, peer.host)] };
    }
    return undefined;
  }

  send(host: string, envelope: RemoteSend): void {
    const peer = this.#peers.get(host);
    if (!peer?.up || !this.#nc || this.#closed) {
      throw new KeelError('no-such-target', `host ${host} is not up in lattice ${this.name}`, { host });
    }
    const kind: EnvelopeKind = envelope.kind === 'message' ? 'msg' : 'req';
    const durable = envelope.delivery === 'at-least-once';
    if (durable && !this.#durable) {
      throw new KeelError(
        'capability-denied',
        `at-least-once delivery needs a lattice joined with durable (lattice ${this.name} was not)`,
      );
    }
    const frame = this.#frame(
      {
        k: kind,
        d: host,
        f: envelope.from,
        to: envelope.to,
        ...(envelope.request !== undefined ? { r: String(envelope.request) } : {}),
        ...(envelope.timeoutMs !== undefined ? { ms: Math.round(envelope.timeoutMs) } : {}),
        ...(envelope.peers ? { p: [...envelope.peers] } : {}),
        ...(durable ? { q: 1 as const } : {}),
      },
      envelope.body,
    );
    if (!durable) {
      this.#publish(hostSubject(this.name, host, kind), frame, envelope.from);
      return;
    }
    this.#publishDurable(host, kind, envelope.from, frame).catch((error: KeelError) => {
      // Not taken by the stream: the sender is told (a request ends with the code; a sandbox
      // that sent a message gets `keel.undelivered`), and it is logged.
      this.#undelivered(host, envelope, error);
    });
  }

  /**
   * Send a message to `to` (a path or `sbx_N@host` served by another host) at least once,
   * through the lattice's stream (`durable`). Resolves once the stream acknowledged it: it will
   * be delivered to the target, even if its host is down now or restarts, within
   * `durableAgeMs`, each message once per run of the receiving host. Rejects with a
   * `KeelError`: `no-such-target` (no host serves it, nor did one that is down),
   * `message-too-large`, `mailbox-full` (the stream, or this sender's part of it, is full),
   * `timeout` (no acknowledgement), `capability-denied` (not joined with `durable`).
   */
  async sendAtLeastOnce(to: string, body: Uint8Array | string): Promise<{ host: string }> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    if (!this.#durable || this.#closed) {
      throw new KeelError(
        'capability-denied',
        `at-least-once delivery needs a lattice joined with durable (lattice ${this.name} was not)`,
      );
    }
    if (this.#kernel.sched.service(to)) {
      this.#kernel.sched.send(to, bytes);
      return { host: this.hostId };
    }
    const host = this.locate(to)?.host ?? this.#lastRoute(to);
    if (!host) throw new KeelError('no-such-target', `no host of the lattice serves ${to}`, { target: to });
    if (bytes.byteLength > this.#kernel.limits.messageBytes) {
      throw new KeelError(
        'message-too-large',
        `a ${bytes.byteLength}-byte message exceeds the ${this.#kernel.limits.messageBytes}-byte message limit`,
        { bytes: bytes.byteLength, limit: this.#kernel.limits.messageBytes },
      );
    }
    const frame = this.#frame({ k: 'msg', d: host, f: 'host', to, q: 1 }, bytes);
    await this.#publishDurable(host, 'msg', 'host', frame);
    return { host };
  }

  /** A path served by a host that is now down (trusted still): where at-least-once sends to it go. */
  #lastRoute(to: string): string | undefined {
    const qualified = unqualify(to);
    if (qualified) return this.#peers.has(qualified.host) ? qualified.host : undefined;
    return this.#routes.get(to);
  }

  #publishDurable(host: string, kind: EnvelopeKind, from: string, frame: Uint8Array): Promise<void> {
    this.#reserve(frame.byteLength, from);
    const header = (decode(frame) as Decoded).header;
    return this.#durable!.publish(
      from,
      durableSubject(this.name, host, kind, this.hostId, from),
      frame,
      `${this.hostId}.${header.e}.${header.s}`,
    );
  }

  /** An at-least-once envelope the stream did not take: tell its sender, log it. */
  #undelivered(host: string, envelope: RemoteSend, error: KeelError): void {
    const code = isErrorCode(error.code) ? error.code : 'timeout';
    if (envelope.kind === 'request' && envelope.request !== undefined) {
      this.#kernel.sched.remoteRefused(
        envelope.request,
        host,
        (GUEST_ERROR_CODES as readonly string[]).includes(code) ? (code as GuestErrorCode) : 'timeout',
        error.message,
      );
    } else if (envelope.from !== 'host') {
      this.#kernel.sched.notice(
        envelope.from,
        new TextEncoder().encode(
          JSON.stringify({ to: envelope.to, host, code, bytes: envelope.body.byteLength }),
        ),
        UNDELIVERED_TOPIC,
      );
    }
    this.#reporter.report(`${EVENTS.ipcDrop} ${code}`, performance.now(), () =>
      this.#emit(EVENTS.ipcDrop, 'warn', 'dropped', {
        reason: code,
        kind: envelope.kind,
        from: envelope.from,
        to: envelope.to,
        host,
        bytes: envelope.body.byteLength,
        delivery: 'at-least-once',
      }),
    );
  }

  peerHosts(): number {
    if (!this.#nc || this.#closed) return 0;
    let live = 0;
    for (const peer of this.#peers.values()) if (peer.up) live++;
    return live;
  }

  publish(from: string, topic: string, body: Uint8Array, publish: readonly string[] | undefined): void {
    if (!this.#nc || this.#closed || this.#livePeers().length === 0) return;
    try {
      const frame = this.#frame(
        { k: 'evt', f: from, to: topic, ...(publish ? { p: [...publish] } : {}) },
        body,
      );
      this.#publish(eventSubject(this.name, topic), frame, from);
    } catch (error) {
      // A publication is not acknowledged: one the link cannot take is dropped and logged.
      this.#reporter.report(
        `${EVENTS.ipcDrop} ${(error as KeelError).code ?? 'internal'}`,
        performance.now(),
        () =>
          this.#emit(EVENTS.ipcDrop, 'warn', 'dropped', {
            reason: (error as KeelError).code ?? 'internal',
            kind: 'event',
            from,
            topic,
            bytes: body.byteLength,
            host: '*',
          }),
      );
    }
  }

  // ------------------------------------------------------------------------------------------
  // Sending

  #frame(fields: Omit<Header, 'h' | 'e' | 's' | 't'>, body: Uint8Array = EMPTY): Uint8Array {
    const header = { h: this.hostId, e: this.#epoch, s: ++this.#seq, t: Date.now(), ...fields } as Header;
    const frame = encode(header, body, this.#key);
    if (frame.byteLength > this.limits.frameBytes) {
      throw new KeelError(
        'message-too-large',
        `a ${frame.byteLength}-byte envelope exceeds the lattice's ${this.limits.frameBytes}-byte frame limit`,
        { bytes: frame.byteLength, limit: this.limits.frameBytes },
      );
    }
    return frame;
  }

  /** Hand a frame to NATS for `sender`, within its share of the bytes one turn of the event loop may queue. */
  #publish(subject: string, frame: Uint8Array, sender = 'kernel'): void {
    this.#reserve(frame.byteLength, sender);
    this.#nc!.publish(subject, frame);
  }

  /**
   * The bytes `sender` may still hand to NATS in this turn: its fair share of `outboundBytes`,
   * at most a quarter of it and at most half of what the other senders left, so that one
   * sandbox flooding another host cannot take what its neighbours' sends need (the kernel's own
   * frames, heartbeats and answers included, are one more sender).
   */
  #room(sender: string): number {
    const mine = this.#outboundBy.get(sender) ?? 0;
    const left = this.limits.outboundBytes - this.#outbound;
    // A sender's first frame of the turn may use what is left: any frame within outboundBytes can be sent.
    if (mine === 0) return left;
    const share = Math.min(this.limits.outboundBytes / 4, (left + mine) / 2);
    return Math.min(left, share - mine);
  }

  /** Count bytes against `sender`'s share of what one turn of the event loop may hand to NATS. */
  #reserve(bytes: number, sender: string): void {
    if (bytes > this.#room(sender)) {
      const mine = this.#outboundBy.get(sender) ?? 0;
      throw new KeelError(
        'mailbox-full',
        `the link to the lattice has ${this.#outbound} bytes waiting to be sent, ${mine} of them from ${sender}, its share of outboundBytes (${this.limits.outboundBytes})`,
        { limit: 'outboundBytes' },
      );
    }
    this.#outbound += bytes;
    this.#outboundBy.set(sender, (this.#outboundBy.get(sender) ?? 0) + bytes);
    if (!this.#outboundReset) {
      this.#outboundReset = true;
      setImmediate(() => {
        this.#outbound = 0;
        this.#outboundBy.clear();
        this.#outboundReset = false;
      });
    }
  }

  #direct(
    host: string,
    kind: EnvelopeKind,
    fields: Omit<Header, 'h' | 'e' | 's' | 't' | 'k' | 'd'>,
    body?: Uint8Array,
  ): void {
    if (!this.#nc || this.#closed) return;
    try {
      this.#publish(hostSubject(this.name, host, kind), this.#frame({ k: kind, d: host, ...fields }, body));
    } catch (error) {
      this.#reporter.report(
        `${EVENTS.ipcDrop} ${(error as KeelError).code ?? 'internal'}`,
        performance.now(),
        () =>
          this.#emit(EVENTS.ipcDrop, 'warn', 'dropped', {
            reason: (error as KeelError).code ?? 'internal',
            kind: kind === 'rep' ? 'reply' : kind,
            to: host,
            host,
            bytes: body?.byteLength ?? 0,
          }),
      );
    }
  }

  // ------------------------------------------------------------------------------------------
  // Placement

  #call(
    host: string,
    kind: EnvelopeKind,
    fields: Omit<Header, 'h' | 'e' | 's' | 't' | 'k' | 'd' | 'r'>,
    body?: Uint8Array,
    timeoutMs = CALL_TIMEOUT_MS,
  ): Promise<{ header: Header; body: Uint8Array }> {
    if (this.#calls.size >= MAX_CALLS) {
      return Promise.reject(
        new KeelError('mailbox-full', `${MAX_CALLS} placements or fetches are already waiting`),
      );
    }
    if (!this.#peers.get(host)?.up || !this.#nc || this.#closed) {
      return Promise.reject(
        new KeelError('no-such-target', `host ${host} is not up in lattice ${this.name}`, { host }),
      );
    }
    const r = String(++this.#callSeq);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.#settleCall(
            this.#calls.get(r)!,
            new KeelError('timeout', `host ${host} did not answer within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      timer.unref();
      this.#calls.set(r, { host, kind, ...(fields.hx ? { hash: fields.hx } : {}), resolve, reject, timer });
      try {
        this.#publish(
          hostSubject(this.name, host, kind),
          this.#frame({ k: kind, d: host, r, ...fields }, body),
        );
      } catch (error) {
        this.#settleCall(this.#calls.get(r)!, error as KeelError);
      }
    });
  }

  #settleCall(call: Call | undefined, outcome: KeelError | { header: Header; body: Uint8Array }): void {
    if (!call) return;
    for (const [r, c] of this.#calls) if (c === call) this.#calls.delete(r);
    clearTimeout(call.timer);
    if (outcome instanceof KeelError) call.reject(outcome);
    else call.resolve(outcome);
  }

  /** The answer to one of this host's calls, from the host it was made to. */
  #answer(peer: Peer, header: Header, body: Uint8Array): void {
    const call = this.#calls.get(header.r!);
    if (!call || call.host !== peer.host) {
      // Nobody here asked this host for it (or no longer waits): dropped, and said so.
      this.#refuse('unsolicited', `${header.k} for no call of this host`, peer.host, header, body);
      return;
    }
    if (header.k === 'mod') {
      this.#chunk(peer, call, header, body);
      return;
    }
    if (call.kind === 'get') {
      if (header.k !== 'err') {
        this.#refuse('unsolicited', `${header.k} in answer to a fetch`, peer.host, header, body);
        return;
      }
    }
    if (header.k === 'err') {
      const code = isErrorCode(header.c) ? header.c : 'internal';
      this.#settleCall(call, new KeelError(code, `${peer.host}: ${header.m ?? code}`, { host: peer.host }));
    } else {
      this.#settleCall(call, { header, body });
    }
  }

  /**
   * One chunk of a module this host fetched: in order, of the hash asked for, within the size
   * announced by the first chunk, and within `moduleBytes` for everything being reassembled from
   * that host at once. Anything else ends the fetch (nothing kept) and is reported; the bytes
   * are checked against the hash once whole, before anything reads them (#placeHere).
   */
  #chunk(peer: Peer, call: Call, header: Header, body: Uint8Array): void {
    const abort = (reason: 'unsolicited' | 'malformed' | 'too-large', detail: string, error: KeelError) => {
      this.#refuse(reason, detail, peer.host, header, body);
      this.#settleCall(call, error);
    };
    if (call.kind !== 'get' || header.hx !== call.hash) {
      abort(
        'unsolicited',
        `chunks of ${header.hx?.slice(0, 16)}…, not the module asked for`,
        new KeelError('invalid-module', `${peer.host} sent chunks of a module that was not asked for`),
      );
      return;
    }
    const size = header.sz!;
    let a = call.assembly;
    if (!a) {
      let pending = 0;
      for (const c of this.#calls.values())
        if (c.host === peer.host && c.assembly) pending += c.assembly.size;
      if (header.n !== 0 || size > this.limits.moduleBytes || pending + size > this.limits.moduleBytes) {
        abort(
          header.n !== 0 ? 'malformed' : 'too-large',
          header.n !== 0
            ? `chunk ${header.n} first`
            : `a ${size}-byte module (moduleBytes ${this.limits.moduleBytes})`,
          header.n !== 0
            ? new KeelError('invalid-module', `${peer.host} sent a module's chunks out of order`)
            : new KeelError(
                'resource-limit',
                `${peer.host} would have this host hold ${pending + size} bytes of modules at once (moduleBytes ${this.limits.moduleBytes})`,
                { limit: 'moduleBytes', bytes: pending + size },
              ),
        );
        return;
      }
      a = { size, of: header.of!, parts: [], bytes: 0 };
      call.assembly = a;
    }
    if (
      header.of !== a.of ||
      header.sz !== a.size ||
      header.n !== a.parts.length ||
      a.bytes + body.byteLength > a.size
    ) {
      abort(
        'malformed',
        `chunk ${header.n} of ${header.of} (${a.parts.length} of ${a.of} received, ${a.bytes + body.byteLength} of ${a.size} bytes)`,
        new KeelError('invalid-module', `${peer.host} sent more, or other, chunks than it announced`),
      );
      return;
    }
    a.parts.push(body.slice());
    a.bytes += body.byteLength;
    if (a.parts.length < a.of) return;
    if (a.bytes !== a.size) {
      abort(
        'malformed',
        `${a.bytes} bytes in ${a.of} chunks, ${a.size} announced`,
        new KeelError('invalid-module', `${peer.host} sent fewer bytes than it announced`),
      );
      return;
    }
    const whole = new Uint8Array(a.size);
    let at = 0;
    for (const part of a.parts) {
      whole.set(part, at);
      at += part.byteLength;
    }
    call.assembly = undefined;
    this.#settleCall(call, { header, body: whole });
  }

  /** Send a module this host placed, in chunks that fit one envelope, paced by `outboundBytes`. */
  async #serveModule(host: string, r: string, hash: string, bytes: Uint8Array): Promise<void> {
    const chunk = Math.max(1, Math.min(this.limits.frameBytes, this.limits.outboundBytes) - CHUNK_HEADROOM);
    const of = Math.max(1, Math.ceil(bytes.byteLength / chunk));
    for (let n = 0; n < of; n++) {
      if (this.#closed || !this.#peers.get(host)?.up) return;
      const part = bytes.subarray(n * chunk, Math.min(bytes.byteLength, (n + 1) * chunk));
      // Past what one turn may hand to NATS: wait for the next turn.
      while (part.byteLength + CHUNK_HEADROOM > this.#room('kernel')) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.#closed) return;
      }
      try {
        this.#publish(
          hostSubject(this.name, host, 'mod'),
          this.#frame({ k: 'mod', d: host, r, hx: hash, n, of, sz: bytes.byteLength }, part),
        );
      } catch {
        // The fetching host times out (it keeps nothing past its budget).
        return;
      }
    }
  }

  /** Report an envelope refused after its signature was checked (`cluster:reject`, bounded). */
  #refuse(reason: RejectReason, detail: string, host: string, header: Header, body: Uint8Array): void {
    this.#reject(
      new Rejected(reason, detail, host),
      hostSubject(this.name, this.hostId, header.k),
      body,
      performance.now(),
    );
  }

  /** Another host asks this one to run a module. */
  async #placeHere(peer: Peer, header: Header, body: Uint8Array): Promise<void> {
    const r = header.r!;
    const fail = (error: unknown) => {
      const e = error instanceof KeelError ? error : new KeelError('internal', String(error));
      this.#direct(peer.host, 'err', { r, c: e.code, m: e.message.slice(0, 300) });
    };
    const accept = this.#options.accept ?? false;
    if (accept === false)
      return fail(new KeelError('capability-denied', `${this.hostId} does not accept placements`));
    if (this.#serving >= MAX_CALLS)
      return fail(new KeelError('mailbox-full', `${this.hostId} is busy placing`));
    this.#serving++;
    try {
      let spec: PlacementSpec;
      try {
        spec = readSpec(JSON.parse(new TextDecoder().decode(body)));
      } catch (error) {
        throw error instanceof KeelError
          ? error
          : new KeelError('invalid-argument', 'a placement must be JSON');
      }
      const hash = header.hx!;
      if (accept !== true && !(await accept({ ...spec, from: peer.host, hash }))) {
        throw new KeelError('capability-denied', `${this.hostId} refused the placement of ${spec.path}`);
      }
      let handle = this.#received.get(hash);
      if (!handle) {
        // Fetched from the placing host, checked against the hash before anything reads it.
        const fetched = await this.#call(peer.host, 'get', { hx: hash });
        if (sha256(fetched.body) !== hash) {
          throw new KeelError(
            'invalid-module',
            `the module fetched from ${peer.host} does not match its hash ${hash}`,
            {
              hash,
            },
          );
        }
        handle = await this.#kernel.load(fetched.body.slice(), { name: placedName(spec) });
        this.#received.set(hash, handle);
        while (this.#received.size > KEEP_MODULES) this.#received.delete(this.#received.keys().next().value!);
      }
      const sandbox = await this.#spawnFrom(handle, spec, 'peer');
      this.#hosted.delete(spec.path);
      this.#hosted.set(spec.path, { from: peer.host, sandbox, outlive: spec.outlive === true });
      while (this.#hosted.size > MAX_HOSTED) this.#hosted.delete(this.#hosted.keys().next().value!);
      this.#direct(peer.host, 'plr', { r, f: sandbox });
    } catch (error) {
      fail(error);
    } finally {
      this.#serving--;
    }
  }

  async #spawnPlaced(module: Uint8Array, spec: PlacementSpec): Promise<string> {
    const handle = await this.#kernel.load(module, { name: placedName(spec) });
    return this.#spawnFrom(handle, spec);
  }

  /**
   * Mount a placed module at its path and spawn it there; announce it at once. A peer's
   * placement may tighten this host's limits, never raise them: each is the lower of the two.
   */
  async #spawnFrom(
    handle: ModuleHandle,
    spec: PlacementSpec,
    from: 'self' | 'peer' = 'self',
  ): Promise<string> {
    this.#kernel.mount(spec.path, handle);
    const limits = spec.limits && from === 'peer' ? capLimits(spec.limits, this.#kernel.limits) : spec.limits;
    const sandbox = await this.#kernel.spawn(spec.path, {
      ...(spec.grants ? { grants: spec.grants } : {}),
      ...(limits ? { limits } : {}),
      ...(spec.name ? { name: spec.name } : {}),
      ...(spec.sched ? { sched: spec.sched } : {}),
    });
    this.#beat();
    return sandbox.id;
  }

  #currentLoad(): HostLoad {
    return { sandboxes: this.#kernel.sandboxes.length, fuelPerSec: 0, rssBytes: process.memoryUsage.rss() };
  }

  // ------------------------------------------------------------------------------------------
  // Heartbeats and membership

  #tick(): void {
    if (this.#closed) return;
    this.#beat();
    const now = performance.now();
    // After a stall of this host's own event loop (a long compilation, a busy guest), timers run
    // before the heartbeats queued meanwhile are read: judging silence now would declare every
    // host down for this host's own delay. Judge at the next tick, once they were read.
    const stalled = now - this.#lastTick > 2 * this.limits.heartbeatMs;
    this.#lastTick = now;
    if (!stalled) {
      for (const peer of this.#peers.values()) {
        if (peer.up && now - peer.lastSeen > this.limits.downAfterMs) this.#down(peer, 'silent');
      }
    }
    this.#reporter.tick(now);
  }

  #beat(): void {
    if (!this.#nc || this.#closed || this.#options.observe) return;
    const services: [string, string?][] = [];
    for (const service of this.#kernel.sched.services()) {
      if (services.length >= this.limits.maxServices) break;
      if (service.state === 'ended' || !service.sandbox) continue;
      services.push(service.path ? [service.sandbox, service.path] : [service.sandbox]);
    }
    try {
      this.#publish(
        heartbeatSubject(this.name, this.hostId),
        this.#frame({
          k: 'hb',
          l: this.#load(),
          sv: services,
          ...(this.#options.labels ? { lb: { ...this.#options.labels } } : {}),
        }),
      );
    } catch {
      // A heartbeat that cannot be sent now is sent at the next tick.
    }
  }

  #load(): HostLoad {
    const sandboxes = this.#kernel.sandboxes;
    let fuel = 0;
    for (const sandbox of sandboxes) fuel += sandbox.fuel().used;
    const now = performance.now();
    const elapsed = (now - this.#lastBeat) / 1000;
    const fuelPerSec = elapsed > 0 ? Math.max(0, Math.round((fuel - this.#lastFuel) / elapsed)) : 0;
    this.#lastFuel = fuel;
    this.#lastBeat = now;
    return { sandboxes: sandboxes.length, fuelPerSec, rssBytes: process.memoryUsage.rss() };
  }

  #livePeers(): Peer[] {
    return [...this.#peers.values()].filter((p) => p.up).sort((a, b) => (a.host < b.host ? -1 : 1));
  }

  #heartbeat(peer: Peer, header: Header, now: number): void {
    if (peer.up && peer.epoch !== header.e) this.#down(peer, 'restarted');
    peer.epoch = header.e;
    peer.lastSeen = now;
    peer.lagMs = Date.now() - header.t;
    peer.load = header.l ?? NO_LOAD;
    peer.labels = { ...(peer.pinned ?? header.lb ?? {}) };
    const services = new Map<string, string>();
    const paths = new Map<string, string>();
    for (const [id, path] of (header.sv ?? []).slice(0, this.limits.maxServices)) {
      services.set(id, path ?? '');
      if (path) {
        paths.set(path, id);
        if (this.#durable && this.#routes.get(path) !== peer.host) {
          this.#routes.delete(path);
          this.#routes.set(path, peer.host);
          if (this.#routes.size > 4_096) this.#routes.delete(this.#routes.keys().next().value!);
        }
      }
    }
    const before = peer.services;
    peer.services = services;
    peer.paths = paths;
    if (!peer.up) {
      peer.up = true;
      this.#emit(EVENTS.clusterUp, 'info', 'ok', { host: peer.host, epoch: header.e, labels: peer.labels });
      return;
    }
    // Linked sandboxes the host no longer announces have ended.
    for (const link of [...this.#links]) {
      if (link.host !== peer.host) continue;
      const gone = unqualify(link.remote)
        ? before.has(unqualify(link.remote)!.name) && !services.has(unqualify(link.remote)!.name)
        : !paths.has(link.remote);
      if (gone) this.#notifyLink(link, 'ended');
    }
  }

  #down(peer: Peer, reason: 'silent' | 'left' | 'restarted'): void {
    if (!peer.up) return;
    peer.up = false;
    this.#emit(EVENTS.clusterDown, 'warn', 'error', {
      host: peer.host,
      reason,
      silent_ms: Math.round(performance.now() - peer.lastSeen),
    });
    this.#kernel.sched.remoteHostDown(peer.host);
    for (const call of [...this.#calls.values()]) {
      if (call.host === peer.host)
        this.#settleCall(
          call,
          new KeelError('timeout', `host ${peer.host} is down`, { reason: 'host-down' }),
        );
    }
    for (const link of [...this.#links]) if (link.host === peer.host) this.#notifyLink(link, 'host-down');
    peer.services = new Map();
    peer.paths = new Map();
    this.#replaceFrom(peer.host);
    this.#endLeases(peer, reason);
  }

  /**
   * A placing host was declared down (by this host's own view: its signed goodbye or epoch, or
   * its silence): what it placed here ends with it, unless placed with `outlive`. Nothing
   * another host or a client says can end a lease: only the placer's own signed frames, or its
   * silence, make it down.
   */
  #endLeases(peer: Peer, reason: 'silent' | 'left' | 'restarted'): void {
    if (reason !== 'silent') {
      this.#expire(peer.host, reason);
      return;
    }
    // Silence may be a slow host or a loaded network: the lease holds for as long again, and
    // a placer heard again with the same epoch meanwhile keeps its placements.
    const epoch = peer.epoch;
    const timer = setTimeout(() => {
      if (this.#closed || (peer.up && peer.epoch === epoch)) return;
      this.#expire(peer.host, reason);
    }, this.limits.downAfterMs);
    timer.unref?.();
  }

  #expire(placer: string, reason: 'silent' | 'left' | 'restarted'): void {
    for (const [path, hosted] of [...this.#hosted]) {
      if (hosted.from !== placer || hosted.outlive) continue;
      this.#hosted.delete(path);
      this.#emit(EVENTS.clusterExpire, 'warn', 'ok', { path, sandbox: hosted.sandbox, placer, reason });
      this.#stopPlaced(path, hosted.sandbox);
    }
  }

  #notifyLink(link: RemoteLink, reason: string): void {
    const at = this.#links.indexOf(link);
    if (at >= 0) this.#links.splice(at, 1);
    const body = new TextEncoder().encode(
      JSON.stringify({ sandbox: link.remote, host: link.host, reason, restart: false }),
    );
    this.#kernel.sched.notice(link.local, body);
  }

  // ------------------------------------------------------------------------------------------
  // Receiving

  #onFrame(subject: string, data: Uint8Array): void {
    if (this.#closed) return;
    const now = performance.now();
    const admitted = this.#admit(subject, data, now);
    if (admitted instanceof Rejected) this.#reject(admitted, subject, data, now);
    else this.#dispatch(admitted.peer, admitted.decoded, now);
  }

  /**
   * The checks, cheapest first: size, the header's form, a trusted host, the subject, the clock
   * window, the sender's share (only looked at: nothing is spent before the signature), the
   * budget for unverified frames; then the signature; then replay, the sender's share and the
   * host's rate (after the signature, so that nobody but the host can spend its window, its
   * senders' shares or its budget). A sender past its share is refused before its signature is
   * checked, so that its flood spends neither this host's time nor the budget others need.
   */
  /** A frame's size, its form and a trusted sending host: the first checks of a frame from NATS or the stream. */
  #fromTrustedHost(data: Uint8Array): { peer: Peer; decoded: Decoded } | Rejected {
    if (data.byteLength > this.limits.frameBytes)
      return new Rejected('too-large', `${data.byteLength} bytes`);
    const decoded = decode(data);
    if (decoded instanceof Rejected) return decoded;
    const peer = this.#peers.get(decoded.header.h);
    if (peer) return { peer, decoded };
    const detail =
      decoded.header.h === this.hostId ? 'a frame claiming to come from this host' : 'not a trusted host';
    return new Rejected('unknown-host', detail, decoded.header.h);
  }

  #admit(subject: string, data: Uint8Array, now: number): { peer: Peer; decoded: Decoded } | Rejected {
    const framed = this.#fromTrustedHost(data);
    if (framed instanceof Rejected) return framed;
    const { peer, decoded } = framed;
    const header = decoded.header;
    if (subjectFor(this.name, header) !== subject || (header.d !== undefined && header.d !== this.hostId)) {
      return new Rejected('wrong-subject', subject.slice(0, 200), peer.host);
    }
    if (Math.abs(Date.now() - header.t) > this.limits.skewMs) {
      return new Rejected('stale', `timestamp ${header.t}`, peer.host);
    }
    const sender = SHARED_KINDS.has(header.k) ? (header.f ?? 'kernel') : undefined;
    if (sender !== undefined && !peer.shares.allows(sender, now)) return this.#overShare(peer, sender);
    if (!this.#unverified.take(now)) return new Rejected('flood', 'unverified frames');
    if (!verifies(decoded, peer.key))
      return new Rejected('bad-signature', 'the signature does not verify', peer.host);
    if (!peer.windows.accept(header.e, header.s)) {
      return new Rejected('replay', `sequence ${header.s} already seen`, peer.host);
    }
    if (header.k === 'hb' || header.k === 'bye') {
      // Heartbeats do not draw on the host's budget (a flood of its messages must not make it
      // look silent), but more than two per heartbeat interval are a flood of their own.
      // By the sender's (signed) clock: heartbeats queued behind a busy receiver arrive together.
      // (An observer does not know the hosts' pace, and holds nothing a flood could grow.)
      if (
        header.k === 'hb' &&
        !this.#options.observe &&
        header.t - peer.lastBeatAt < this.limits.heartbeatMs / 2
      ) {
        return new Rejected('flood', 'heartbeats too often', peer.host);
      }
      if (header.k === 'hb') peer.lastBeatAt = header.t;
      return { peer, decoded };
    }
    if (sender !== undefined && !peer.shares.take(sender, now)) return this.#overShare(peer, sender);
    if (!peer.bucket.take(now)) {
      return new Rejected('flood', `more than ${this.limits.peerRate} envelopes/s`, peer.host);
    }
    return { peer, decoded };
  }

  #overShare(peer: Peer, sender: string): Rejected {
    return new Rejected(
      'flood',
      `${sender} is past its share of ${peer.host}'s ${this.limits.peerRate} envelopes/s`,
      peer.host,
      peer.shares.sharedBy(sender) ? OTHER_SENDERS : sender,
    );
  }

  #dispatch(peer: Peer, decoded: Decoded, now: number): void {
    const header = decoded.header;
    if (header.k === 'hb') {
      this.#heartbeat(peer, header, now);
      return;
    }
    if (header.k === 'bye') {
      if (peer.epoch === header.e) this.#down(peer, 'left');
      return;
    }
    // Anything else from a host counts as a sign of life only once its heartbeat was seen.
    if (peer.up && peer.epoch === header.e) peer.lastSeen = now;
    const sched = this.#kernel.sched;
    const body = decoded.body.slice();
    switch (header.k) {
      case 'msg':
      case 'req': {
        const outcome = this.#arrive(peer, header, body);
        if (!outcome.ok) this.#refused(peer, header, outcome.code, body.byteLength, now);
        return;
      }
      case 'plc':
        void this.#placeHere(peer, header, body);
        return;
      case 'upl':
        this.#unplaceHere(peer, header);
        return;
      case 'lnk':
        void this.#linkHere(peer, header);
        return;
      case 'get': {
        const bytes = this.#placed.get(header.hx!);
        if (bytes) void this.#serveModule(peer.host, header.r!, header.hx!, bytes);
        else
          this.#direct(peer.host, 'err', { r: header.r!, c: 'no-such-target', m: `no module ${header.hx}` });
        return;
      }
      case 'plr':
      case 'mod':
      case 'err':
        this.#answer(peer, header, body);
        return;
      case 'rep':
        sched.remoteReply(BigInt(header.r!), peer.host, header.st!, body, header.f!);
        return;
      case 'nak': {
        const code = (GUEST_ERROR_CODES as readonly string[]).includes(header.c ?? '')
          ? (header.c as GuestErrorCode)
          : 'killed';
        sched.remoteRefused(BigInt(header.r!), peer.host, code, `${code} at ${peer.host}`);
        return;
      }
      case 'evt': {
        const outcome = isTopic(header.to!)
          ? sched.arriveEvent(peer.host, header.f!, header.to!, body, header.p)
          : ({ ok: false, code: 'invalid-argument' } as const);
        if (!outcome.ok) this.#dropped(peer.host, header, outcome.code, body.byteLength, now);
        else if (outcome.dropped)
          this.#dropped(peer.host, header, 'mailbox-full', body.byteLength, now, outcome.dropped);
        return;
      }
    }
  }

  /** Hand a message or request to the kernel; a request's reply (or its end) goes back to its host. */
  #arrive(peer: Peer, header: Header, body: Uint8Array, delivered?: () => void): ArrivalOutcome {
    const outcome = this.#kernel.sched.arrive({
      kind: header.k === 'msg' ? 'message' : 'request',
      host: peer.host,
      from: header.f!,
      to: header.to!,
      body,
      ...(header.ms !== undefined ? { timeoutMs: header.ms } : {}),
      ...(header.p ? { peers: header.p } : {}),
      ...(delivered ? { delivered } : {}),
    });
    if (outcome.ok && outcome.reply) {
      const r = header.r!;
      outcome.reply.then(
        (reply) => this.#direct(peer.host, 'rep', { r, st: 'ok', f: 'kernel' }, reply),
        (error: KeelError) =>
          this.#direct(peer.host, 'rep', {
            r,
            st: error.code === 'timeout' ? 'timeout' : 'killed',
            f: 'kernel',
          }),
      );
    }
    return outcome;
  }

  /** A message or request the kernel refused: logged; a request's host is told at once (`nak`). */
  #refused(peer: Peer, header: Header, code: GuestErrorCode, bytes: number, now: number, extra = {}): void {
    this.#dropped(peer.host, header, code, bytes, now, 1, extra);
    if (header.k === 'req') this.#direct(peer.host, 'nak', { r: header.r!, c: code, f: 'kernel' });
  }

  // ------------------------------------------------------------------------------------------
  // At least once (`durable`)

  /**
   * A message the stream handed to this host. Checked as any envelope from another host (size,
   * form, a trusted host, the subject, its signature), with an age window of `durableAgeMs`
   * (plus `skewMs`) instead of the replay window, and its id against the ids accepted within
   * that window (a duplicate, handed again or replayed into the stream, is dropped). Then the
   * kernel checks it as it does any message from another host. It is acknowledged when it is
   * delivered to the target (not when queued); refused for good (forged, its grant, its size)
   * it is dropped from the stream; refused for now (a full mailbox, no such target yet) it is
   * handed back for later, with a doubling wait, at most `durableDeliveries` times and at most
   * a quarter of `durableInflight` per target, then dropped (`ipc:drop`, `redelivered`).
   */
  #onDurable(d: DurableDelivery): void {
    if (this.#closed) return;
    const now = performance.now();
    const wall = Date.now();
    const admitted = this.#admitDurable(d.subject, d.data, wall, now);
    if (admitted === 'later') {
      d.retry(this.limits.durableBackoffMs);
      return;
    }
    if (admitted instanceof Rejected) {
      this.#reject(admitted, d.subject, d.data, now);
      d.drop();
      return;
    }
    const { peer, decoded } = admitted;
    const header = decoded.header;
    const id = `${header.h}.${header.e}.${header.s}`;
    const target = header.to!;
    if (this.#later.has(id)) {
      this.#later.delete(id);
      const left = (this.#laterByTarget.get(target) ?? 1) - 1;
      if (left > 0) this.#laterByTarget.set(target, left);
      else this.#laterByTarget.delete(target);
    }
    if (this.#held.has(id)) {
      // Still queued here, handed again because its delivery took longer than durableAckWaitMs:
      // acknowledged (through this latest hand-over) once delivered. The stream's last hand-over
      // ends it (the target may have ended with it queued): nothing is held for ever.
      if (d.deliveries >= this.limits.durableDeliveries) {
        this.#held.delete(id);
        d.drop();
      } else this.#held.set(id, d);
      return;
    }
    if (this.#dedupe.has(id, wall)) {
      this.#reject(
        new Rejected('replay', `at-least-once ${id} already delivered`, peer.host),
        d.subject,
        d.data,
        now,
      );
      d.drop();
      return;
    }
    if (!this.#dedupe.add(id, header.t + this.limits.durableAgeMs + this.limits.skewMs, wall)) {
      // Every id remembered is still within its window: take it when some have expired.
      d.retry(this.limits.durableBackoffMs);
      return;
    }
    const body = decoded.body.slice();
    const outcome = this.#arrive(peer, header, body, () => {
      const latest = this.#held.get(id);
      this.#held.delete(id);
      latest?.ack();
    });
    if (outcome.ok) {
      this.#held.set(id, d);
      return;
    }
    this.#dedupe.delete(id);
    const waiting = this.#laterByTarget.get(target) ?? 0;
    const retryable = outcome.code === 'mailbox-full' || outcome.code === 'no-such-target';
    if (
      retryable &&
      d.deliveries < this.limits.durableDeliveries &&
      waiting < Math.max(1, Math.floor(this.limits.durableInflight / 4))
    ) {
      this.#later.set(id, target);
      this.#laterByTarget.set(target, waiting + 1);
      d.retry(Math.min(60_000, this.limits.durableBackoffMs * 2 ** (d.deliveries - 1)));
      return;
    }
    this.#refused(peer, header, outcome.code, body.byteLength, now, {
      delivery: 'at-least-once',
      redelivered: d.deliveries - 1,
    });
    d.drop();
  }

  /** The checks of #admit for a frame from the stream; `later` when this host cannot check it now. */
  #admitDurable(
    subject: string,
    data: Uint8Array,
    wall: number,
    now: number,
  ): { peer: Peer; decoded: Decoded } | Rejected | 'later' {
    const framed = this.#fromTrustedHost(data);
    if (framed instanceof Rejected) return framed;
    const { peer, decoded } = framed;
    const header = decoded.header;
    if (header.q !== 1 || subjectFor(this.name, header) !== subject || header.d !== this.hostId) {
      return new Rejected('wrong-subject', subject.slice(0, 200), peer.host);
    }
    if (
      header.t > wall + this.limits.skewMs ||
      header.t < wall - this.limits.durableAgeMs - this.limits.skewMs
    ) {
      return new Rejected('stale', `timestamp ${header.t}`, peer.host);
    }
    if (!this.#unverified.take(now)) return 'later';
    if (!verifies(decoded, peer.key))
      return new Rejected('bad-signature', 'the signature does not verify', peer.host);
    return { peer, decoded };
  }

  /** A message from another host that this kernel refused: `ipc:drop`, bounded per reason. */
  #dropped(
    host: string,
    header: Header,
    reason: string,
    bytes: number,
    now: number,
    count = 1,
    extra: Record<string, unknown> = {},
  ): void {
    this.#reporter.report(`${EVENTS.ipcDrop} ${reason}`, now, () =>
      this.#emit(EVENTS.ipcDrop, 'warn', 'dropped', {
        reason,
        kind: header.k === 'msg' ? 'message' : header.k === 'req' ? 'request' : 'event',
        from: qualify(header.f ?? 'host', host),
        ...(header.k === 'evt' ? { topic: header.to } : { to: header.to }),
        origin: host,
        bytes,
        ...(count > 1 ? { subscribers: count } : {}),
        ...extra,
      }),
    );
  }

  #reject(rejected: Rejected, subject: string, data: Uint8Array, now: number): void {
    this.#countRejection(rejected.reason, rejected.host);
    this.#reporter.report(`${EVENTS.clusterReject} ${rejected.reason}`, now, () =>
      this.#emit(EVENTS.clusterReject, 'warn', 'dropped', {
        reason: rejected.reason,
        detail: rejected.detail.slice(0, 200),
        ...(rejected.host ? { host: rejected.host } : {}),
        ...(rejected.sender ? { sender: rejected.sender } : {}),
        subject: subject.slice(0, 200),
        bytes: data.byteLength,
      }),
    );
  }

  #emit(
    event: (typeof EVENTS)[keyof typeof EVENTS],
    level: 'info' | 'warn',
    status: 'ok' | 'error' | 'dropped',
    data: Record<string, unknown>,
  ): void {
    this.#kernel.events.emit({ event, level, status, data });
  }
}

function placedName(spec: PlacementSpec): string {
  return spec.name ?? spec.path.slice(spec.path.lastIndexOf('/') + 1);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
