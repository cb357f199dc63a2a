/**
 * Shared pieces of the deadline attacks: a kernel whose budgets are as large as they go (so
 * that only the deadline can stop a guest), and a harness that runs one call expected to time
 * out and measures what the host saw: how late the call ended, when a timer set before it
 * fired (the kernel's event loop was frozen until then), and how much the heap grew.
 */
import { availableParallelism, loadavg } from 'node:os';
import { expect } from 'vitest';
import { type KeelError, type KeelEvent, Kernel, type Limits } from '../../../host/index.js';
import { watFile } from '../../helpers/wat.js';

/** The deadline the attacks run under, in ms. */
export const DEADLINE_MS = 300;
/** How late after its deadline a call may end (docs/limits.md: the target is 20 ms). */
export const LATE_MS = 20;
/** What the event loop may add after that: unwinding, the error's events, the timer's turn. */
export const TIMER_SLACK_MS = 40;

/** Fuel so large that only the deadline can end these guests. */
export const HUGE: Partial<Limits> = {
  fuel: Number.MAX_SAFE_INTEGER,
  fuelTotal: Number.MAX_SAFE_INTEGER,
  deadlineMs: DEADLINE_MS,
};

export interface DeadlineWorld {
  kernel: Kernel;
  events: KeelEvent[];
  close(): Promise<void>;
}

export function deadlineWorld(limits: Partial<Limits> = {}): DeadlineWorld {
  const kernel = new Kernel({ limits: { ...HUGE, ...limits } });
  const events: KeelEvent[] = [];
  kernel.on('*', (event) => void events.push(event));
  return { kernel, events, close: () => kernel.close() };
}

/** Load a hostile WAT guest from guests/wat/hostile/deadline/. */
export async function guest(kernel: Kernel, name: string) {
  return kernel.load(await watFile(`guests/wat/hostile/deadline/${name}.wat`), { name });
}

export interface Stopped {
  error: KeelError;
  /** When the call returned (threw), ms after it started. */
  elapsedMs: number;
  /** When a timer set just before the call fired, ms after the call started. */
  timerMs: number;
  heapGrowth: number;
  /** Wall time of the call that the process did not run (another process had the CPU). */
  stolenMs: number;
}

/** Run `call`, which must fail; report when it ended and when the event loop got control back. */
export async function stopped(call: () => unknown | Promise<unknown>): Promise<Stopped> {
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let timerMs = Number.NaN;
  const timer = new Promise<void>((resolve) =>
    setTimeout(() => {
      timerMs = performance.now() - start;
      resolve();
    }, 0),
  );
  let error: unknown;
  try {
    await call();
  } catch (thrown) {
    error = thrown;
  }
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const stolenMs = Math.max(0, elapsedMs - (cpu.user + cpu.system) / 1000);
  await timer;
  expect(error, 'the call must fail').toBeDefined();
  return {
    error: error as KeelError,
    elapsedMs,
    timerMs,
    heapGrowth: process.memoryUsage().heapUsed - heapBefore,
    stolenMs,
  };
}

/**
 * How late this machine wakes a sleeping thread right now (the most of a few 2 ms sleeps). On a
 * shared machine another process may hold the CPU when the deadline comes, which no sandbox
 * runtime can help: the lateness asserted is Keel's own, `LATE_MS`, on top of this or of the
 * call's wall time the process did not run while it computed (`Stopped.stolenMs`), whichever
 * is larger.
 */
export function wakeLatencyMs(): number {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let worst = 0;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    Atomics.wait(cell, 0, 0, 2);
    worst = Math.max(worst, performance.now() - start - 2);
  }
  return worst;
}

/**
 * When more threads want to run than the machine has cores (the load average, over the cores,
 * above 1), a thread woken at its deadline waits its turn behind them: about one scheduler
 * slice each (10 ms here). 0 on a machine that is not oversubscribed.
 */
export function oversubscribedMs(): number {
  const perCore = loadavg()[0]! / availableParallelism();
  return perCore > 1 ? perCore * 10 : 0;
}

/**
 * The call failed with `timeout` within `LATE_MS` of its deadline by the sandbox's own clock,
 * the host's event loop ran again right after, the sandbox is poisoned with the timeout, and
 * the heap did not grow by more than a few MiB.
 */
export function expectTimedOut(
  result: Stopped,
  { deadlineMs = DEADLINE_MS, sleeps = false }: { deadlineMs?: number; sleeps?: boolean } = {},
): void {
  expect(result.error.code).toBe('timeout');
  const details = result.error.details as { deadlineMs: number; elapsedMs: number };
  expect(details.deadlineMs).toBe(deadlineMs);
  expect(details.elapsedMs).toBeGreaterThanOrEqual(deadlineMs);
  // Time the machine did not give this process is not Keel's lateness (a guest that sleeps
  // leaves the CPU on purpose: then only the machine's wake-up latency counts).
  const machine = Math.max(wakeLatencyMs(), oversubscribedMs(), sleeps ? 0 : result.stolenMs);
  const late = details.elapsedMs - deadlineMs;
  expect(
    late,
    `late past the deadline (ms; the machine wakes ${machine.toFixed(1)} ms late)`,
  ).toBeLessThanOrEqual(LATE_MS + machine);
  expect(result.timerMs, 'a timer set before the call fired at (ms)').toBeLessThanOrEqual(
    deadlineMs + LATE_MS + machine + TIMER_SLACK_MS,
  );
  expect(result.heapGrowth).toBeLessThan(16 * 1024 * 1024);
}
