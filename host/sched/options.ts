/**
 * Scheduling options: the kernel's (`SchedulerOptions`), a sandbox's (`SandboxSchedOptions`),
 * and their checks before anything is spawned.
 */
import { KeelError } from '../kernel/errors.js';
import { badTopic } from './errors.js';
import { isTopicPattern } from './glob.js';
import { type RestartPolicyInput, resolveRestart } from './supervise.js';

export interface SchedulerOptions {
  /** Fuel for one delivery; default: the sandbox's per-invocation fuel limit. */
  sliceFuel?: number;
  /** Fuel for `on-signal` (`int`, `term`); default 1,000,000. */
  graceFuel?: number;
  /** Timeout of a request that names none (0), in ms; default 30,000. */
  requestTimeoutMs?: number;
  /** The longest timeout a request may ask for, in ms; default 600,000. */
  maxRequestTimeoutMs?: number;
}

/** Per-sandbox scheduling, given at spawn (`kernel.spawn(m, { sched: { ... } })`). */
export interface SandboxSchedOptions {
  /** Share of deliveries relative to other busy sandboxes; default 1. */
  weight?: number;
  /** What happens when the sandbox fails; default `{ policy: 'never' }`. */
  restart?: RestartPolicyInput;
  /**
   * Kill the sandbox with `policy-violation` once more than this many of its IPC or events calls
   * have been denied (0: the first denial kills). Default: no such rule.
   */
  maxDenials?: number;
  /** Fuel per delivery; default: the scheduler's. */
  sliceFuel?: number;
  /** Fuel for `on-signal`; default: the scheduler's. */
  graceFuel?: number;
  /** Topic patterns the embedder subscribes the sandbox to (no grant needed). */
  subscribe?: readonly string[];
  /**
   * How its messages and requests to sandboxes of other hosts travel: `at-most-once` (the
   * default) or `at-least-once` (through the lattice's JetStream stream, when the lattice was
   * joined with `durable`; see docs/cluster.md). Within one kernel it changes nothing.
   */
  delivery?: Delivery;
}

/** How a message to another host travels (docs/cluster.md). */
export type Delivery = 'at-most-once' | 'at-least-once';

/**
 * What the scheduler reads of a sandbox's spawn options (the kernel's `SpawnOptions`): its
 * scheduling. The rest it only hands back to the kernel's `spawn` for a successor.
 */
export interface SchedSpawnOptions {
  sched?: SandboxSchedOptions;
}

/** Check a sandbox's scheduling options before anything is spawned. */
export function checkSandboxSched(options: SandboxSchedOptions | undefined): void {
  if (!options) return;
  if (options.weight !== undefined && (!Number.isFinite(options.weight) || options.weight <= 0)) {
    throw new KeelError('invalid-argument', `weight must be a number > 0, got ${options.weight}`);
  }
  for (const name of ['maxDenials', 'sliceFuel', 'graceFuel'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new KeelError('invalid-argument', `${name} must be an integer >= 0, got ${value}`);
    }
  }
  if (
    options.delivery !== undefined &&
    options.delivery !== 'at-most-once' &&
    options.delivery !== 'at-least-once'
  ) {
    throw new KeelError(
      'invalid-argument',
      `delivery must be "at-most-once" or "at-least-once", got ${JSON.stringify(options.delivery).slice(0, 40)}`,
    );
  }
  resolveRestart(options.restart);
  for (const pattern of options.subscribe ?? []) if (!isTopicPattern(pattern)) throw badTopic(pattern);
}
