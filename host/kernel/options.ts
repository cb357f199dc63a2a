/**
 * What an embedder hands the kernel and gets back from it besides sandboxes: the kernel's
 * options, a load's and a spawn's, where a sandbox runs, and what a module needs linked.
 */
import type { CapabilityProvider, SandboxIo } from '../caps/provider.js';
import type { JsonlSinkOptions, LogStream } from '../events/jsonl.js';
import type { RedactionOptions } from '../events/redact.js';
import type { WorkerPoolOptions } from '../isolate/pool.js';
import type { CoreModuleHook } from '../loader/loader.js';
import type { Preview1Abi } from '../loader/preview1.js';
import type { ApprovalHook } from '../policy/approval.js';
import type { GrantInput } from '../policy/grants.js';
import type { SandboxSchedOptions, SchedulerOptions } from '../sched/options.js';
import type { Limits } from './limits.js';
import type { GrowFailure, MeterOptions } from './metering.js';

/** When a denied import fails: at the spawn (the default), or, linked to a stub, at its call. */
export type Denial = 'spawn' | 'call';
export type SandboxPlacement = 'inline' | 'worker';

export interface KernelOptions {
  /** Default limits for every sandbox (each spawn may override). */
  limits?: Partial<Limits>;
  /** Cache directory for rewritten (metered) core modules; `false` for memory only. Default `$XDG_CACHE_HOME/keel` or `~/.cache/keel`. */
  cacheDir?: string | false;
  /**
   * How many loaded modules the kernel keeps in memory, and of how many bytes together (their
   * sizes as given to `load`): the most recently used; a forgotten one is loaded again on its next
   * `load` (from the disk cache, or from its bytes), and what holds its `ModuleHandle` (its
   * sandboxes) keeps it. Default `{ entries: 64, bytes: 128 MiB }` (`DEFAULT_MODULE_CACHE`,
   * docs/limits.md); `{ entries: 0 }` keeps none.
   */
  moduleCache?: { entries?: number; bytes?: number };
  /** Extra capability providers (added to the built-in ones). */
  providers?: readonly CapabilityProvider[];
  /**
   * The providers `providers` are added to. `Kernel` from the public entry (`host/index.ts`)
   * defaults this to Keel's built-in list (`BUILTIN_PROVIDERS`); pass your own list, or `[]`,
   * to run a kernel with exactly the providers you choose. `host/kernel` knows no list of its
   * own: without this option it starts with none.
   */
  builtinProviders?: readonly CapabilityProvider[];
  /**
   * Refuse a provider (`providers` or `builtinProviders`) that declares no WIT types
   * (`CapabilityProvider.wit`): `new Kernel` throws `invalid-argument` naming it. Default false:
   * such a provider serves whatever types a component declares for its interfaces; the kernel
   * names it in `kernel:start` (`data.untyped_providers`, level `warn`), and a result of it that
   * does not fit the component's declared type ends the call as `capability-denied`
   * (`type-mismatch`), never `internal` (docs/abi.md, "Import types").
   */
  requireProviderTypes?: boolean;
  /** Decides each capability a module requests at spawn. */
  approval?: ApprovalHook;
  /** Where sandboxes run unless a spawn says otherwise (default `inline`). */
  placement?: SandboxPlacement;
  /** The threads of worker sandboxes: how many start ahead, their heap, how many at once. */
  workers?: WorkerPoolOptions;
  /** Fail the spawn on an ungranted import (default), or link it and fail the call. */
  denial?: Denial;
  /** Virtual clocks and seeded randomness; fixed session id. */
  deterministic?: boolean | { seed?: number };
  /** Redaction applied to every event before any observer sees it. */
  redact?: RedactionOptions;
  /**
   * Write the JSONL event log here: a file path, a stream, or the sink's options (its buffer cap,
   * see docs/limits.md). A path that cannot be opened throws `log-failed`.
   */
  log?: string | LogStream | JsonlSinkOptions;
  /**
   * Keel's metering pass (fuel, memory and table limits), applied to every core module.
   * On by default; `false` runs guests unmetered (no fuel limit: for trusted code and benchmarks).
   */
  metering?: MeterOptions | false;
  /** An extra transformation applied to every core module before metering. */
  coreHook?: CoreModuleHook;
  /** What `memory.grow`/`table.grow` past a limit does: return -1 (default, as the spec says) or fail the call. */
  growFailure?: GrowFailure;
  /**
   * How WASI preview1 modules run: against Keel's own preview1 imports (`keel`, the default), or
   * wrapped into a component with jco's preview1 adapter (`adapter`, kept for comparison in
   * `bench/`).
   */
  preview1?: Preview1Abi;
  /** Delivery settings: fuel per delivery and per signal, request timeouts. */
  sched?: SchedulerOptions;
}

export interface LoadOptions {
  /** A name for logs and mounts; default: the file name, else the module id. */
  name?: string;
}

export interface SpawnOptions {
  /** What the sandbox may use. Nothing else is linked (deny by default). */
  grants?: readonly GrantInput[];
  /** Overrides of the kernel's default limits. */
  limits?: Partial<Limits>;
  /** stdin bytes and where stdout/stderr go (they are also `guest:stdout`/`guest:stderr` events). */
  io?: SandboxIo;
  /** A name for logs; default: the module's. */
  name?: string;
  /** Overrides the kernel's denial mode for this sandbox. */
  denial?: Denial;
  /** Overrides the kernel's `growFailure` for this sandbox. */
  growFailure?: GrowFailure;
  /**
   * Where the guest runs: `inline` in the kernel's thread (fastest), or `worker` in a thread of
   * its own that a kill or a deadline ends at once (docs/placement.md). Default `inline`.
   */
  placement?: SandboxPlacement;
  /** Scheduling and supervision: weight, restart policy, subscriptions (see `kernel.sched`). */
  sched?: SandboxSchedOptions;
}

export interface ModuleNeed {
  import: string;
  interface: string;
  /** `authority-free`: linked without a grant; `needs-grant`: a provider serves it if granted; `unavailable`: nothing serves it. */
  status: 'authority-free' | 'needs-grant' | 'unavailable';
  provider?: string;
}

/** The JSONL log's options from `KernelOptions.log`: a path or a stream is its destination. */
export function sinkOptions(log: string | LogStream | JsonlSinkOptions): JsonlSinkOptions {
  return typeof log === 'object' && 'destination' in log ? log : { destination: log };
}
