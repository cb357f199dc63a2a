/**
 * `keel:kernel/log`: the guest's structured log, as `guest:log` events. Messages are capped so
 * that a chatty guest cannot flood the log with huge lines.
 */
import { EVENTS, type EventLevel } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import type { CapabilityProvider } from './provider.js';
import { keelKernelTypes } from './wit-types.js';

const LEVELS: readonly EventLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
export const MAX_LOG_MESSAGE = 4096;

export interface LogScope {
  /** Messages below this level are discarded (default `trace`: none). */
  level: EventLevel;
}

/** `{ level? }`, checked by hand: a log grant is common, and loading zod for it would cost more than the run. */
export function parseLogScope(iface: string, scope: unknown): LogScope {
  const fail = (why: string): never => {
    throw new KeelError('invalid-argument', `invalid scope for ${iface}: ${why}`);
  };
  const input = scope ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) return fail('expected an object');
  for (const key of Object.keys(input)) if (key !== 'level') fail(`unrecognized key "${key}"`);
  const level = (input as { level?: unknown }).level ?? 'trace';
  if (typeof level !== 'string' || !LEVELS.includes(level as EventLevel)) {
    fail(`level must be one of ${LEVELS.join(', ')}`);
  }
  return { level: level as EventLevel };
}

export const keelLog: CapabilityProvider = {
  name: 'keel-log',
  interfaces: ['keel:kernel/log'],
  wit: keelKernelTypes,
  parseScope: parseLogScope,
  link({ scope, context }) {
    const minimum = LEVELS.indexOf((scope as LogScope).level);
    return {
      log(level: EventLevel, message: string) {
        // The message's bytes were charged as the canonical ABI lifted them (docs/fuel.md).
        const rank = LEVELS.indexOf(level);
        if (rank < minimum) return;
        // The whole message goes through the stream's redaction (a secret across the cut is
        // still found); the event shows its first MAX_LOG_MESSAGE characters.
        context.emitText(EVENTS.guestLog, message, (text) => {
          const truncated = text.length > MAX_LOG_MESSAGE;
          return {
            event: EVENTS.guestLog,
            level: rank < 0 ? 'info' : level,
            data: {
              message: truncated ? text.slice(0, MAX_LOG_MESSAGE) : text,
              ...(truncated ? { truncated } : {}),
            },
          };
        });
      },
    };
  },
};
