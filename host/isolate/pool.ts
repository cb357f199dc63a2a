/**
 * The kernel's workers for worker sandboxes: one sandbox per worker (docs/placement.md says
 * why), each worker's V8 heap bounded, and a few started ahead so that a spawn does not wait
 * for a thread to boot. A worker is never reused: the sandbox that ran in it may have left
 * anything in its heap.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { KeelError } from '../kernel/errors.js';
import { HEAP_SHARE } from '../kernel/limits.js';

export interface WorkerPoolOptions {
  /** Workers started ahead of need (default 1, once the first worker sandbox is spawned). */
  warm?: number;
  /** Each worker's V8 old-generation heap, in MiB (default 256). Guest memory is not in it. */
  heapMb?: number;
  /** Worker sandboxes alive at once (default 64). */
  max?: number;
  /**
   * Polls of the channel's word before a side sleeps on it (`Atomics.wait`), on both sides of
   * every worker sandbox's channel (default 0: sleep at once; at most 1,000,000). A reply that
   * comes within the spin saves a futex sleep and wake; one that does not costs the spin's CPU,
   * and each spinning side burns a core meanwhile (docs/placement.md, "Costs, measured").
   */
  spin?: number;
}

export const DEFAULT_POOL: Readonly<Required<WorkerPoolOptions>> = Object.freeze({
  warm: 1,
  heapMb: 256,
  max: 64,
  spin: 0,
});

/**
 * A worker's heap limit (`workers.heapMb`) is a second line, never the one that holds: each
 * per-call bound of a worker sandbox (the ABI's byte budget, `limits.memoryBytes`; a host call's
 * arguments, `hostArgBytes`; a message, `messageBytes`) is at most `HEAP_SHARE` of it (the
 * kernel's thread keeps to the same share: host/kernel/limits.ts), with room for the lifted
 * value's copy on the channel, the worker's own code and a collector that needs headroom. The
 * defaults (64 MiB of 256) are at it. These are the per-call limits it checks.
 */
const PER_CALL_LIMITS = ['memoryBytes', 'hostArgBytes', 'messageBytes'] as const;

/**
 * The first per-call limit of `limits` over `heapMb / HEAP_SHARE`, with the most that heap
 * allows; undefined when the heap holds them all.
 */
export function overHeapShare(
  limits: Readonly<Record<(typeof PER_CALL_LIMITS)[number], number>>,
  heapMb: number,
): { limit: (typeof PER_CALL_LIMITS)[number]; bytes: number; most: number } | undefined {
  const most = Math.floor((heapMb * 1024 * 1024) / HEAP_SHARE);
  for (const limit of PER_CALL_LIMITS) {
    if (limits[limit] > most) return { limit, bytes: limits[limit], most };
  }
  return undefined;
}

/** The longest spin `workers.spin` takes. */
const MAX_SPIN = 1_000_000;

/**
 * The worker script: the build's one-file bundle of worker-main.js (scripts/bundle-cli.ts) when
 * it was made from the worker-main.js beside it (which carries the bundle's first line, its
 * build, as a stamp: tsc writes it again without one), worker-main.js otherwise; from TypeScript
 * sources (tests) the build output is used. Named from the parent folder so that the CLI's bundle
 * (dist/host/cli/keel-cli.cjs) finds it too. Looked up once per process.
 */
let script: URL | undefined;

export function scriptUrl(): URL {
  if (script) return script;
  for (const base of ['../isolate/', '../../dist/host/isolate/']) {
    const main = new URL(`${base}worker-main.js`, import.meta.url);
    if (!existsSync(fileURLToPath(main))) continue;
    const bundle = new URL(`${base}worker-bundle.js`, import.meta.url);
    script = fresh(bundle, main) ? bundle : main;
    return script;
  }
  script = new URL('../../dist/host/isolate/worker-main.js', import.meta.url);
  return script;
}

/** Not the files' times: npm writes an installed package's files in its own order. */
function fresh(bundle: URL, main: URL): boolean {
  try {
    const head = Buffer.alloc(64);
    const fd = openSync(bundle, 'r');
    let read: number;
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    const stamp = /^\/\/ keel-build \w+\n/.exec(head.toString('latin1', 0, read))?.[0];
    return stamp !== undefined && readFileSync(main, 'utf8').includes(`\n${stamp}`);
  } catch {
    return false;
  }
}

export class WorkerPool {
  readonly #options: Required<WorkerPoolOptions>;
  readonly #idle: Worker[] = [];
  /** Workers handed to sandboxes and not yet released (a sandbox may still be starting). */
  readonly #taken = new Set<Worker>();
  #closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.#options = { ...DEFAULT_POOL, ...options };
    for (const [key, value] of Object.entries(this.#options)) {
      if (
        !Number.isInteger(value) ||
        value < 0 ||
        (key !== 'warm' && key !== 'spin' && value < 1) ||
        (key === 'spin' && value > MAX_SPIN)
      ) {
        throw new KeelError('invalid-argument', `workers.${key} must be a whole number, got ${value}`);
      }
    }
  }

  /** Each worker's V8 old-generation heap, in MiB (`workers.heapMb`). */
  get heapMb(): number {
    return this.#options.heapMb;
  }

  /** Polls of a channel's word before sleeping on it (`workers.spin`). */
  get spin(): number {
    return this.#options.spin;
  }

  /** Worker sandboxes alive now. */
  get live(): number {
    return this.#taken.size;
  }

  /** A fresh worker for one sandbox; give it back with `release` when the sandbox ends. */
  acquire(): Worker {
    if (this.#closed) throw new KeelError('killed', 'the kernel is closed');
    if (this.#taken.size >= this.#options.max) {
      throw new KeelError(
        'invalid-argument',
        `${this.#options.max} worker sandboxes are alive, the kernel's limit (workers.max)`,
        { limit: this.#options.max },
      );
    }
    const worker = this.#idle.shift() ?? this.#start();
    this.#taken.add(worker);
    this.#fill();
    return worker;
  }

  /** The sandbox ended: its worker is ended too (never reused). */
  release(worker: Worker): void {
    if (!this.#taken.delete(worker)) return;
    void worker.terminate();
  }

  /**
   * End every worker: the idle ones, and any a sandbox still holds (one still starting is in no
   * kernel table yet; its sandbox fails with `killed` when its thread exits).
   */
  close(): void {
    this.#closed = true;
    for (const worker of this.#idle.splice(0)) void worker.terminate();
    for (const worker of this.#taken) void worker.terminate();
    this.#taken.clear();
  }

  #fill(): void {
    while (!this.#closed && this.#idle.length < this.#options.warm) {
      const worker = this.#start();
      // An idle worker keeps no process alive.
      worker.unref();
      this.#idle.push(worker);
    }
  }

  #start(): Worker {
    // node:worker_threads loads on first use: a process that never starts a worker skips it.
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const worker = new Worker(scriptUrl(), {
      resourceLimits: {
        maxOldGenerationSizeMb: this.#options.heapMb,
        maxYoungGenerationSizeMb: 16,
        stackSizeMb: 4,
      },
      // The guest's thread gets no environment, no stdio of its own and no argv.
      env: {},
      stdout: true,
      stderr: true,
      argv: [],
      execArgv: [],
    });
    // An idle worker that dies (it should not) is dropped from the pool, never thrown.
    worker.on('error', () => {
      const at = this.#idle.indexOf(worker);
      if (at >= 0) this.#idle.splice(at, 1);
    });
    return worker;
  }
}
