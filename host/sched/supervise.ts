/**
 * Supervision: what happens when a sandbox ends. A restart policy decides whether the kernel
 * spawns a successor (from the same module, or the latest one mounted at the same path, with
 * the same grants and limits), after how long, and how many times.
 *
 *   { policy: 'never' }                                   the default
 *   { policy: 'on-failure', maxRestarts: 5, backoff: { initialMs: 100, factor: 2, maxMs: 5000 } }
 *
 * A failure is a trap, a limit (fuel, memory, stack), a policy violation, a host bug, or an exit
 * with a non-zero status. Ending on purpose (an exit with status 0, the signals `term`, `int`
 * without a handler, and `kill`, `sandbox.terminate()`, the kernel closing) is not.
 */
import { KeelError } from '../kernel/errors.js';

export interface Backoff {
  /** Delay before the first restart (default 100 ms). */
  initialMs: number;
  /** Each consecutive restart waits this many times longer (default 2). */
  factor: number;
  /** The longest delay (default 10 s). */
  maxMs: number;
}

export interface RestartPolicy {
  policy: 'never' | 'on-failure';
  /** Restarts allowed (within `windowMs` when set); then the kernel gives up. Default 5. */
  maxRestarts: number;
  /** Count only restarts within this trailing window (ms); default: the sandbox's whole life. */
  windowMs?: number;
  backoff: Backoff;
}

export type RestartPolicyInput = Partial<Omit<RestartPolicy, 'backoff'>> & { backoff?: Partial<Backoff> };

export const DEFAULT_BACKOFF: Readonly<Backoff> = Object.freeze({ initialMs: 100, factor: 2, maxMs: 10_000 });

/** The policy of a sandbox that names none (most of them): resolved once. */
const NEVER: RestartPolicy = Object.freeze({
  policy: 'never',
  maxRestarts: 5,
  backoff: DEFAULT_BACKOFF,
}) as RestartPolicy;

export function resolveRestart(input: RestartPolicyInput | undefined): RestartPolicy {
  if (input === undefined) return NEVER;
  const policy: RestartPolicy = {
    policy: input?.policy ?? 'never',
    maxRestarts: input?.maxRestarts ?? 5,
    backoff: { ...DEFAULT_BACKOFF, ...input?.backoff },
    ...(input?.windowMs !== undefined ? { windowMs: input.windowMs } : {}),
  };
  const numbers: [string, number | undefined][] = [
    ['maxRestarts', policy.maxRestarts],
    ['windowMs', policy.windowMs],
    ['backoff.initialMs', policy.backoff.initialMs],
    ['backoff.factor', policy.backoff.factor],
    ['backoff.maxMs', policy.backoff.maxMs],
  ];
  for (const [name, value] of numbers) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new KeelError('invalid-argument', `restart ${name} must be a finite number >= 0, got ${value}`);
    }
  }
  if (policy.policy !== 'never' && policy.policy !== 'on-failure') {
    throw new KeelError(
      'invalid-argument',
      `restart policy must be "never" or "on-failure", got "${String(policy.policy)}"`,
    );
  }
  return policy;
}

/** The delay before restart number `attempt` (1-based). */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const delay = backoff.initialMs * backoff.factor ** Math.max(0, attempt - 1);
  return Math.min(backoff.maxMs, delay);
}

/** The buckets a window's restarts are counted in (`RestartWindow`). */
export const RESTART_BUCKETS = 64;

/**
 * The restarts within a trailing window, in at most `RESTART_BUCKETS + 1` buckets whatever
 * `maxRestarts` is: one time a restart grew with the spawn rate (a guest crashing on every
 * delivery under `windowMs: 3_600_000`, `maxRestarts: 1e9`, backoff 0 held one number a restart
 * for the hour). A bucket holds the restarts within `windowMs / 64` of its first and is dropped
 * when its last leaves the window, so a restart may be counted up to a 64th of the window longer
 * than its own time says: never fewer restarts than there were, so the kernel can only give up
 * (or back off) slightly early, never late. Restarts further apart than a bucket are counted
 * exactly.
 */
export class RestartWindow {
  /** Oldest first, three numbers a bucket: its first restart's time, its last's, how many. */
  readonly buckets: number[] = [];
  #total = 0;
  readonly #width: number;

  constructor(readonly windowMs: number) {
    this.#width = windowMs / RESTART_BUCKETS;
  }

  /** The restarts within the window at `now` (clock time, never going back). */
  count(now: number): number {
    const buckets = this.buckets;
    let gone = 0;
    while (gone < buckets.length && now - buckets[gone + 1]! > this.windowMs) {
      this.#total -= buckets[gone + 2]!;
      gone += 3;
    }
    if (gone > 0) buckets.splice(0, gone);
    return this.#total;
  }

  /** A restart at `now`; how many are within the window with it. */
  add(now: number): number {
    this.count(now);
    const buckets = this.buckets;
    const n = buckets.length;
    if (n > 0 && now - buckets[n - 3]! <= this.#width) {
      buckets[n - 2] = now;
      buckets[n - 1]!++;
    } else buckets.push(now, now, 1);
    return ++this.#total;
  }
}

/**
 * The restarts that count against `maxRestarts`, for a local service and a cluster's supervised
 * placement alike: every one (a count), or with `windowMs` those within the window (in
 * `RestartWindow`'s buckets, made at the first restart). Never a time a restart.
 */
export class Restarts {
  /** Without a window: how many there were. */
  all = 0;
  /** With a window: those within it. */
  window: RestartWindow | undefined = undefined;

  /** The restarts that count at `now`. */
  counted(now: number, windowMs: number | undefined): number {
    return windowMs === undefined ? this.all : (this.window?.count(now) ?? 0);
  }

  /** A restart at `now`; how many count with it. */
  add(now: number, windowMs: number | undefined): number {
    if (windowMs === undefined) return ++this.all;
    this.window ??= new RestartWindow(windowMs);
    return this.window.add(now);
  }
}

/** How a sandbox ended, as supervision and `keel.down` notices see it. */
export interface Ending {
  /** `exit`, `trap`, `fuel-exhausted`, `policy-violation`, `killed`, ... (an error code or `exit`). */
  reason: string;
  failure: boolean;
  /** Whether its mailbox is dropped (`kill` semantics) or kept for a successor. */
  drop: boolean;
  exit?: number;
  message?: string;
}
