/**
 * Delivery: the run queue (weighted fair share by stride: the lowest pass goes next), one
 * envelope or signal at a time through the guest's `keel:kernel/handler` within a fuel slice,
 * and the loop that runs deliveries and timers until idle, a deadline or `stop()`.
 */
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import { endSandbox } from './lifecycle.js';
import { flushRefusals } from './refusals.js';
import type { RunQueue } from './runqueue.js';
import type { Entry } from './service.js';
import { signalDelivered } from './signals.js';
import { ON_EVENT, ON_MESSAGE, ON_REPLY, ON_SIGNAL, type SchedState } from './state.js';

/** Deliveries between two yields to Node's event loop (real time), at most. */
const BATCH = 512;
/** Real milliseconds of delivering before yielding to Node's event loop. */
const BATCH_MS = 8;
/** Virtual time one delivery takes, in ms, besides its fuel (1 ns per unit). */
const VIRTUAL_DELIVERY_MS = 0.001;
/** A delivery's invocation options when it brings no fuel of its own. */
const UNTIMED = Object.freeze({ timing: false });

export interface RunOptions {
  /** Stop after this long (virtual time in deterministic mode), in ms. */
  deadlineMs?: number;
  /** Stop after this many deliveries. */
  maxDeliveries?: number;
  /** Return when nothing is left to do (default); `false` waits for more until the deadline or `stop()`. */
  untilIdle?: boolean;
}

export interface RunResult {
  reason: 'idle' | 'deadline' | 'limit' | 'stopped' | 'closed';
  deliveries: number;
  /** Scheduler time the run took (virtual in deterministic mode). */
  duration_ms: number;
}

/**
 * Deliver until idle (or the deadline, or `maxDeliveries`). In deterministic mode the clock
 * is virtual: it jumps to the next timer when nothing else can run, and deadlines are virtual.
 */
export async function run(s: SchedState, options: RunOptions = {}): Promise<RunResult> {
  if (s.running) throw new KeelError('invalid-argument', 'the scheduler is already running');
  s.running = true;
  s.stopRequested = false;
  const started = s.clock.now();
  const deadline = options.deadlineMs === undefined ? Number.POSITIVE_INFINITY : started + options.deadlineMs;
  const untilIdle = options.untilIdle ?? true;
  let deliveries = 0;
  let batch = 0;
  let batchStarted = performance.now();
  let reason: RunResult['reason'];
  try {
    for (;;) {
      if (s.closed) {
        reason = 'closed';
        break;
      }
      if (s.stopRequested) {
        reason = 'stopped';
        break;
      }
      // Timers and the deadline are read without awaiting: an await (or a clock read) per
      // delivery would cost more than the delivery's own bookkeeping.
      const due = s.timers.next();
      if (due !== undefined && due <= s.clock.now()) await fireTimers(s);
      if (deadline !== Number.POSITIVE_INFINITY && s.clock.now() >= deadline) {
        reason = 'deadline';
        break;
      }
      if (options.maxDeliveries !== undefined && deliveries >= options.maxDeliveries) {
        reason = 'limit';
        break;
      }
      const entry = pick(s);
      if (entry) {
        deliver(s, entry);
        deliveries++;
        batch++;
        // Back-pressure: a log that has fallen behind catches up before the next delivery.
        if (s.host.bus.congested) {
          await s.host.bus.drained();
          batch = 0;
          batchStarted = performance.now();
          continue;
        }
        if (
          batch >= BATCH ||
          ((batch & 63) === 0 && !s.clock.virtual && performance.now() - batchStarted > BATCH_MS)
        ) {
          await yieldToEventLoop();
          batch = 0;
          batchStarted = performance.now();
        }
        continue;
      }
      const next = s.timers.next();
      if (next === undefined && untilIdle) {
        reason = 'idle';
        break;
      }
      const until = Math.min(next ?? Number.POSITIVE_INFINITY, deadline);
      if (s.clock.virtual) {
        if (until === Number.POSITIVE_INFINITY) {
          await sleep(s, Number.POSITIVE_INFINITY);
        } else {
          s.clock.advanceTo(until);
        }
      } else {
        await sleep(s, until - s.clock.now());
      }
      batch = 0;
      batchStarted = performance.now();
    }
  } finally {
    s.running = false;
  }
  return { reason, deliveries, duration_ms: s.clock.now() - started };
}

export async function fireTimers(s: SchedState): Promise<void> {
  for (;;) {
    const timer = s.timers.pop(s.clock.now());
    if (!timer) return;
    await timer.fire();
  }
}

export function sleep(s: SchedState, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const handle = Number.isFinite(ms) ? setTimeout(finish, Math.max(0, ms)) : undefined;
    function finish() {
      if (handle !== undefined) clearTimeout(handle);
      if (s.wake === finish) s.wake = undefined;
      resolve();
    }
    s.wake = finish;
  });
}

/** The runnable entry with the lowest pass (ties: the oldest service); it stays queued. */
export function pick(s: SchedState): Entry | undefined {
  const queue = s.runQueue;
  // Entries in the middle of a call (the embedder's, or a delivery that called back into the
  // scheduler) are not runnable now but keep their work: set aside, then put back.
  let aside: NonNullable<ReturnType<RunQueue['pop']>>[] | undefined;
  let best: Entry | undefined;
  for (let item = queue.peek(); item !== undefined; item = queue.peek()) {
    if (!queue.live(item, s.work)) {
      queue.pop();
      continue;
    }
    const entry = item.entry;
    const runnable =
      !entry.stopped &&
      entry.sandbox.state === 'ready' &&
      (entry.signals.size > 0 || entry.service.mailbox.length > 0);
    if (runnable) {
      best = entry;
      break;
    }
    queue.pop();
    if (entry.sandbox.state !== 'running') s.work.delete(entry);
    else {
      aside ??= [];
      aside.push(item);
    }
  }
  if (aside) for (const item of aside) queue.restore(item);
  return best;
}

/** One delivery is one event window of the receiver: its `ipc:deliver`, its invocation, its refusals' summaries. */
export function deliver(s: SchedState, entry: Entry): void {
  const sandbox = entry.sandbox;
  sandbox.beginEventWindow();
  try {
    deliverInWindow(s, entry);
  } finally {
    sandbox.endEventWindow();
  }
}

export function deliverInWindow(s: SchedState, entry: Entry): void {
  s.globalPass = entry.pass;
  entry.pass += 1 / entry.service.weight;
  s.runQueue.push(entry);
  const signal = entry.signals.has('term') ? 'term' : entry.signals.has('int') ? 'int' : undefined;
  if (signal) {
    entry.deleteSignal(signal);
    deliverSignal(s, entry, signal);
    return;
  }
  const envelope = entry.service.mailbox.shift()!;
  const service = entry.service;
  service.stats.delivered++;
  envelope.delivered?.();
  if (envelope.kind === 'request') {
    const pending = service.awaiting.get(envelope.request!);
    if (pending) pending.delivered = true;
  }
  if (s.host.bus.wants(EVENTS.ipcDeliver)) {
    entry.sandbox.emit({
      event: EVENTS.ipcDeliver,
      status: 'ok',
      data: {
        message: envelope.seq,
        kind: envelope.kind,
        from: envelope.from,
        to: entry.id,
        bytes: envelope.body.byteLength,
        ...(envelope.request !== undefined ? { request: String(envelope.request) } : {}),
        ...(envelope.topic !== undefined ? { topic: envelope.topic } : {}),
        ...(envelope.status !== undefined ? { outcome: envelope.status } : {}),
        ...(envelope.queuedAt !== undefined && !s.clock.virtual
          ? { waited_ms: s.clock.now() - envelope.queuedAt }
          : {}),
      },
    });
  }
  let exportName: string;
  let args: unknown[];
  switch (envelope.kind) {
    case 'reply':
      exportName = ON_REPLY;
      args = [envelope.request, envelope.status, envelope.body];
      break;
    case 'event':
      exportName = ON_EVENT;
      args = [envelope.topic, envelope.from, envelope.body];
      break;
    default:
      exportName = ON_MESSAGE;
      args = [envelope.from, envelope.body, envelope.request ?? 0n];
  }
  invoke(s, entry, exportName, args, service.sliceFuel);
}

export function deliverSignal(s: SchedState, entry: Entry, signal: 'int' | 'term'): void {
  const service = entry.service;
  signalDelivered(s, entry, service, signal, 'handler');
  // A term is an end on purpose, even if the guest fails while handling it.
  if (signal === 'term') entry.ending = { reason: 'term', failure: false, drop: true };
  invoke(s, entry, ON_SIGNAL, [signal], service.graceFuel ?? s.graceFuel);
  if (signal === 'term' && s.entries.get(entry.id) === entry) {
    endSandbox(s, entry, { reason: 'term', failure: false, drop: true }, 'ended by signal term');
  }
}

/** One call into the guest, to completion. A failure ends the sandbox (the kernel reports it). */
export function invoke(
  s: SchedState,
  entry: Entry,
  exportName: string,
  args: unknown[],
  fuel: number | undefined,
): void {
  let used = 0;
  try {
    // Untimed: a delivery reads no `duration_ms` (docs/limits.md, "Deadline").
    const outcome = entry.sandbox.invokeSync(
      exportName,
      args,
      fuel === undefined ? UNTIMED : { fuel, timing: false },
    );
    used = outcome.fuel.used;
  } catch (error) {
    // The sandbox has ended (trap, limit, kill) and `ended` has run; or the call itself was
    // refused while the sandbox lives on (a bad export): then it cannot take deliveries.
    if (s.entries.get(entry.id) === entry && entry.sandbox.state === 'ready') {
      const failure = error instanceof KeelError ? error : new KeelError('internal', String(error));
      endSandbox(
        s,
        entry,
        { reason: failure.code, failure: true, drop: false, message: failure.message },
        failure.message,
        failure,
      );
    }
  }
  flushRefusals(entry);
  if (s.clock.virtual) s.clock.advance(VIRTUAL_DELIVERY_MS + used / 1_000_000);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
