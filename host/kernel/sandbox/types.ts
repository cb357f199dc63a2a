/** What a sandbox reports and takes: its states, invocation outcomes and options, fuel reports, a worker guest's face. */
import type { FuncType } from '../../abi/types.js';
import type { FuncSignature } from '../../loader/core-info.js';
import type { KeelError } from '../errors.js';

export type SandboxState = 'ready' | 'running' | 'exited' | 'poisoned' | 'killed';

/** Fuel of one invocation: what it used, out of what it was given. */
export interface FuelReport {
  used: number;
  limit: number;
}

/** A sandbox's fuel over its lifetime. */
export interface SandboxFuel {
  /** False when the kernel runs unmetered (`metering: false`): nothing is counted. */
  metered: boolean;
  /** Fuel used since spawn, over every invocation. */
  used: number;
  /** Fuel the next fast-path call may use (reset by each `invoke` and by `refuel`). */
  remaining: number;
  /** Fuel per invocation. */
  limit: number;
  /** Fuel over the sandbox's lifetime. */
  total: number;
}

export interface InvokeOutcome {
  /** The export's result, JSON-compatible (as jco renders WIT values). */
  value: unknown;
  /** Set when the guest called `exit`: its status. The sandbox has then exited. */
  exit?: number;
  /**
   * Set when the export returned a WIT `result`'s `err` case: `value` is then
   * `{ tag: 'err', val }`. (An `ok` case is rendered as its payload, as jco renders results.)
   */
  err?: true;
  fuel: FuelReport;
  /**
   * Wall-clock milliseconds the call took: present when it was invoked with `timing: true` or
   * when `invoke:end` is observed (an event log); absent otherwise (the default).
   */
  duration_ms?: number;
}

export interface InvokeOptions {
  /** Fuel for this invocation (defaults to the sandbox's per-invocation limit). */
  fuel?: number;
  /**
   * stdin for this invocation only: while it runs, `wasi:cli/stdin` reads these bytes (a string
   * as UTF-8) instead of the sandbox's stdin (given at spawn); bytes left unread are dropped at
   * its end. Needs the `wasi:cli/stdin` grant, as any stdin.
   */
  stdin?: Uint8Array | string;
  /**
   * Measure the call's `duration_ms` (default false: two clock readings cost as much as the rest
   * of a scalar call). Untimed, no clock is read for the call (unless `invoke:end` is observed,
   * which carries the duration): the outcome has no `duration_ms`, and the deadline's clock
   * starts at the call's first fuel slice or wait instead of at its start, as for `Sandbox.fn`
   * (docs/limits.md, "When its clock starts"); the deadline is enforced all the same. With
   * `true` the clock is read as the call starts and ends, and the outcome has `duration_ms`.
   */
  timing?: boolean;
}

/** A worker sandbox's guest, seen from the kernel (host/isolate's WorkerSandbox). */
export interface RemoteGuest {
  callSync(name: string, args: readonly unknown[]): unknown;
  call(name: string, args: readonly unknown[]): Promise<unknown>;
  /** A call is awaited on the event loop now (`call`): host functions may answer with a promise. */
  readonly awaiting: boolean;
  kill(error?: KeelError): void;
  /** A plain core module's exported functions. */
  exportNames(): readonly string[];
}

/** How the kernel describes a worker sandbox's export from its own copy of the module. */
export type RemoteExport = { call: string; type?: FuncType; signature?: FuncSignature } | undefined;
