/**
 * `keel:kernel/log`: the guest's structured log, as `guest:log` events. Messages are capped so
 * that a chatty guest cannot flood the log with huge lines.
 */
import { z } from 'zod';
import { EVENTS, type EventLevel } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import { type CapabilityProvider, chargeBytes } from './provider.js';

const LEVELS: readonly EventLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
export const MAX_LOG_MESSAGE = 4096;

export const LogScope = z
  .object({
    /** Messages below this level are discarded. */
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('trace'),
  })
  .strict();

export const keelLog: CapabilityProvider = {
  name: 'keel-log',
  interfaces: ['keel:kernel/log'],
  parseScope(iface, scope) {
    const parsed = LogScope.safeParse(scope ?? {});
    if (!parsed.success) {
      throw new KeelError(
        'invalid-argument',
        `invalid scope for ${iface}: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data;
  },
  link({ scope, context }) {
    const minimum = LEVELS.indexOf((scope as z.infer<typeof LogScope>).level);
    return {
      log(level: EventLevel, message: string) {
        chargeBytes(context, message.length);
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
