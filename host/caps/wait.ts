/**
 * Blocking the kernel's thread on behalf of a guest. An inline sandbox runs on the kernel's
 * thread: while it waits, every other sandbox and the embedder wait too. So every such wait is
 * bounded by the running call's deadline (`limits.deadlineMs`): it sleeps at most until then,
 * and a wait cut short by the deadline fails the call with `timeout` (the sandbox is poisoned).
 * Time spent waiting counts against the deadline like time spent computing: the deadline is
 * wall-clock time from the start of the call.
 *
 * Example (a stdin source fed by a reader thread through a SharedArrayBuffer):
 *
 *   // 0 while no data is buffered; the reader thread stores 1 and calls Atomics.notify.
 *   while (Atomics.load(state, 0) === 0) blockingWait(context, 1000, state, 0, 0);
 */
import type { SandboxContext } from './provider.js';

/**
 * The longest timer `setTimeout` takes (2^31 - 1 ms): past it Node fires after 1 ms and prints a
 * TimeoutOverflowWarning. A deadline may be longer (`limits.deadlineMs` up to 2^53 - 1), so a
 * timer for "what is left" is armed within this, and armed again if need be.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What `Atomics.wait` answers. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Wait on the kernel's thread for up to `ms` milliseconds, or, given `cell`, until
 * `cell[index]` is no longer `value` (another thread changes it and calls `Atomics.notify`).
 * Never past the call's deadline: when the deadline comes first, the guest is stopped and this
 * throws `timeout`. Returns what `Atomics.wait` returned ('timed-out' when `ms` passed).
 */
export function blockingWait(
  context: Pick<SandboxContext, 'timeLeftMs' | 'timedOut'>,
  ms: number,
  cell: Int32Array = sleeper,
  index = 0,
  value = 0,
): WaitResult {
  const left = context.timeLeftMs();
  if (left <= 0) return context.timedOut();
  const wanted = ms > 0 ? ms : 0;
  const bounded = wanted < left ? wanted : left;
  const result = Atomics.wait(cell, index, value, bounded);
  // Cut short by the deadline: the wait did not get what it asked for.
  if (result === 'timed-out' && bounded < wanted) return context.timedOut();
  return result;
}
