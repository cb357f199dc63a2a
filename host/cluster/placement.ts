/**
 * Placement: choosing the host a sandbox runs on, and what travels with the choice. A placement
 * names a module by its sha256; the chosen host runs it only after it has the bytes, fetched from
 * the placing host if it does not already hold them, and checked against that hash.
 */
import { createHash } from 'node:crypto';
import { KeelError } from '../kernel/errors.js';
import type { Limits } from '../kernel/limits.js';
import type { GrantInput } from '../policy/grants.js';
import { isTopicPattern, parseTarget } from '../sched/glob.js';
import { type RestartPolicyInput, resolveRestart } from '../sched/supervise.js';
import type { HostLoad } from './envelope.js';

/** Where a sandbox may run: a host, hosts with labels, or (neither) the least loaded. */
export interface PlacementTarget {
  host?: string;
  labels?: Readonly<Record<string, string>>;
}

/** What is placed: the mount path, and the spawn options that travel (grants, limits, name, scheduling). */
export interface PlacementSpec {
  path: string;
  name?: string;
  grants?: readonly GrantInput[];
  limits?: Partial<Limits>;
  /**
   * Scheduling on the host that runs it: weight, denials allowed, topics subscribed, and its
   * restart policy (restarts there after a failure; and, by the placing host, elsewhere when
   * the host it runs on is declared down: docs/cluster.md, Failure).
   */
  sched?: PlacedSched;
  /**
   * Keep running when the placing host is declared down (its process killed, partitioned,
   * restarted, or it left). By default a placement is a lease held by its placer: it ends
   * with it (docs/cluster.md, "Leases").
   */
  outlive?: boolean;
}

export interface PlacedSched {
  weight?: number;
  maxDenials?: number;
  subscribe?: readonly string[];
  restart?: RestartPolicyInput;
  /** Its messages and requests to other hosts: `at-least-once` through the lattice's stream (docs/cluster.md). */
  delivery?: 'at-most-once' | 'at-least-once';
}

/** What a host is asked, as its `accept` hook sees it. */
export interface PlacementRequest extends PlacementSpec {
  /** The placing host. */
  from: string;
  /** sha256 of the module, hex. */
  hash: string;
}

/** Where a placement landed. */
export interface Placement {
  host: string;
  /** The sandbox's lattice-wide id (`sbx_3@host-b`). */
  sandbox: string;
  path: string;
}

export interface Candidate {
  host: string;
  load: HostLoad;
  labels: Readonly<Record<string, string>>;
}

/**
 * The host to place on: the one named, else among those whose labels include all of `labels`
 * (all hosts when none are given), the least loaded (fewest sandboxes, then least fuel per
 * second, then host id).
 */
export function choose(candidates: readonly Candidate[], target: PlacementTarget = {}): Candidate {
  if (target.host !== undefined) {
    const named = candidates.find((c) => c.host === target.host);
    if (!named)
      throw new KeelError('no-such-target', `host ${target.host} is not up in the lattice`, {
        host: target.host,
      });
    return named;
  }
  const wanted = Object.entries(target.labels ?? {});
  const fitting = candidates.filter((c) => wanted.every(([k, v]) => c.labels[k] === v));
  if (fitting.length === 0) {
    throw new KeelError(
      'no-such-target',
      `no host of the lattice has the labels ${JSON.stringify(target.labels)}`,
      {
        labels: target.labels,
      },
    );
  }
  return [...fitting].sort(
    (a, b) =>
      a.load.sandboxes - b.load.sandboxes ||
      a.load.fuelPerSec - b.load.fuelPerSec ||
      (a.host < b.host ? -1 : a.host > b.host ? 1 : 0),
  )[0]!;
}

/** Check a spec that came from another host (the body of a placement request). */
export function readSpec(raw: unknown): PlacementSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new KeelError('invalid-argument', 'a placement must be an object');
  }
  const spec = raw as Record<string, unknown>;
  if (typeof spec.path !== 'string' || parseTarget(spec.path).kind !== 'path') {
    throw new KeelError('invalid-argument', 'a placement needs a mount path');
  }
  if (spec.name !== undefined && (typeof spec.name !== 'string' || spec.name.length > 255)) {
    throw new KeelError('invalid-argument', 'a placement name must be a string of at most 255 characters');
  }
  if (spec.grants !== undefined && !Array.isArray(spec.grants)) {
    throw new KeelError('invalid-argument', 'placement grants must be a list');
  }
  if (spec.limits !== undefined && (typeof spec.limits !== 'object' || spec.limits === null)) {
    throw new KeelError('invalid-argument', 'placement limits must be an object');
  }
  if (spec.outlive !== undefined && typeof spec.outlive !== 'boolean') {
    throw new KeelError('invalid-argument', 'placement outlive must be true or false');
  }
  return {
    path: spec.path,
    ...(spec.name !== undefined ? { name: spec.name as string } : {}),
    ...(spec.grants !== undefined ? { grants: spec.grants as GrantInput[] } : {}),
    ...(spec.limits !== undefined ? { limits: spec.limits as Partial<Limits> } : {}),
    ...(spec.outlive === true ? { outlive: true } : {}),
    ...(spec.sched !== undefined ? { sched: readSched(spec.sched) } : {}),
  };
}

/** Scheduling options that came from another host: known fields only, each checked. */
function readSched(raw: unknown): PlacedSched {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new KeelError('invalid-argument', 'placement sched must be an object');
  }
  const s = raw as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!['weight', 'maxDenials', 'subscribe', 'restart', 'delivery'].includes(key)) {
      throw new KeelError('invalid-argument', `unknown placement sched option "${key.slice(0, 40)}"`);
    }
  }
  if (
    s.weight !== undefined &&
    (typeof s.weight !== 'number' || !(s.weight > 0) || !Number.isFinite(s.weight))
  ) {
    throw new KeelError('invalid-argument', 'placement sched.weight must be a positive number');
  }
  if (s.maxDenials !== undefined && (!Number.isSafeInteger(s.maxDenials) || (s.maxDenials as number) < 0)) {
    throw new KeelError('invalid-argument', 'placement sched.maxDenials must be an integer >= 0');
  }
  if (
    s.subscribe !== undefined &&
    (!Array.isArray(s.subscribe) ||
      s.subscribe.length > 256 ||
      !s.subscribe.every((t) => typeof t === 'string' && isTopicPattern(t)))
  ) {
    throw new KeelError('invalid-argument', 'placement sched.subscribe must be a list of topic patterns');
  }
  if (s.delivery !== undefined && s.delivery !== 'at-most-once' && s.delivery !== 'at-least-once') {
    throw new KeelError(
      'invalid-argument',
      'placement sched.delivery must be "at-most-once" or "at-least-once"',
    );
  }
  if (s.restart !== undefined) {
    if (typeof s.restart !== 'object' || s.restart === null || Array.isArray(s.restart)) {
      throw new KeelError('invalid-argument', 'placement sched.restart must be an object');
    }
    resolveRestart(s.restart as RestartPolicyInput);
  }
  return s as PlacedSched;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Module bytes by hash, the most recent `capacity` of them. */
export class ModuleStore {
  readonly #items = new Map<string, Uint8Array>();

  constructor(readonly capacity: number) {}

  put(bytes: Uint8Array): string {
    const hash = sha256(bytes);
    this.#items.delete(hash);
    this.#items.set(hash, bytes);
    while (this.#items.size > this.capacity) this.#items.delete(this.#items.keys().next().value!);
    return hash;
  }

  get(hash: string): Uint8Array | undefined {
    return this.#items.get(hash);
  }
}
