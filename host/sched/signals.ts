/**
 * Signals: `stop` and `cont` pause and resume deliveries, `int` and `term` go to the guest's
 * `on-signal` (delivery.ts), `kill` ends a sandbox at once; `signal:sent`, `signal:delivered`.
 */
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import type { Sandbox } from '../kernel/sandbox.js';
import { drain, endSandbox, endService } from './lifecycle.js';
import type { Entry, Service } from './service.js';
import { emit, markWork, resolveOrThrow, type SchedState } from './state.js';
import type { Ending } from './supervise.js';

export type SignalName = 'stop' | 'cont' | 'int' | 'term' | 'kill';
export const SIGNALS: readonly SignalName[] = ['stop', 'cont', 'int', 'term', 'kill'];

/**
 * Send a signal. `stop`/`cont` pause and resume deliveries; `int`/`term` are delivered to
 * `on-signal` within the grace fuel (without a handler they end the sandbox); `term` then ends
 * it; `kill` ends it at once, even in the middle of a delivery, and drops its mailbox.
 */
export function sendSignal(
  s: SchedState,
  target: string | Sandbox,
  signal: SignalName,
  options: { from?: string } = {},
): void {
  if (!SIGNALS.includes(signal)) {
    throw new KeelError('invalid-argument', `unknown signal "${signal}": use ${SIGNALS.join(', ')}`);
  }
  const service = resolveOrThrow(s, target, true);
  const entry = service.current;
  const from = options.from ?? 'host';
  emit(s, {
    event: EVENTS.signalSent,
    ...(entry ? { sandbox: entry.id, module: entry.sandbox.module.name } : {}),
    data: { signal, from, service: service.name },
  });
  if (!entry) {
    // A service waiting to restart: term and kill cancel the restart; the rest wait for nothing.
    if (signal === 'term' || signal === 'kill') {
      s.timers.cancel(service.restartTimer);
      service.restartTimer = undefined;
      const ending: Ending = { reason: signal, failure: false, drop: true };
      drain(s, service, signal);
      endService(s, service, ending);
      signalDelivered(s, undefined, service, signal, 'kernel');
    }
    return;
  }
  switch (signal) {
    case 'kill':
      signalDelivered(s, entry, service, signal, 'kernel');
      endSandbox(s, entry, { reason: 'kill', failure: false, drop: true }, 'killed by signal kill');
      return;
    case 'stop':
      entry.stopped = true;
      s.work.delete(entry);
      signalDelivered(s, entry, service, signal, 'kernel');
      return;
    case 'cont':
      entry.stopped = false;
      signalDelivered(s, entry, service, signal, 'kernel');
      markWork(s, entry);
      return;
    default:
      if (!entry.handler) {
        signalDelivered(s, entry, service, signal, 'default');
        endSandbox(s, entry, { reason: signal, failure: false, drop: true }, `ended by signal ${signal}`);
        return;
      }
      entry.addSignal(signal);
      markWork(s, entry);
  }
}

export function signalDelivered(
  s: SchedState,
  entry: Entry | undefined,
  service: Service,
  signal: SignalName,
  action: string,
): void {
  emit(s, {
    event: EVENTS.signalDelivered,
    ...(entry ? { sandbox: entry.id, module: entry.sandbox.module.name } : {}),
    data: { signal, action, service: service.name },
  });
}
