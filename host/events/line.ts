/**
 * One event as one JSONL line (schema v1): the fields in schema order, optional ones left out
 * when absent. Keel's own serializer for its one fixed shape: identifiers (times, ids, names)
 * that need no escaping are written as they are, and only `data` and `error` (and any text
 * that does need escaping) go through `JSON.stringify`. A generic logger spends most of an
 * event's time rediscovering that shape.
 *
 * ```ts
 * eventLine({ ts, level: 'info', schema: 1, event: 'kernel:stop', session: 'ses_0' })
 * // '{"ts":"…","level":"info","schema":1,"event":"kernel:stop","session":"ses_0"}\n'
 * ```
 */
import type { KeelEvent } from './record.js';

/** Characters that never need escaping in a JSON string: what times, ids and event names use. */
const PLAIN = /^[\w:.+-]*$/;

/**
 * Quoted forms of the short strings that repeat from event to event (times within a
 * millisecond, levels, names, the session, sandbox and module ids): looking one up costs less
 * than testing and quoting it again. Bounded: emptied when it reaches `QUOTED_MAX` entries.
 */
const quoted = new Map<string, string>();
const QUOTED_MAX = 1024;
const QUOTED_LENGTH = 64;

function text(input: string): string {
  let out = quoted.get(input);
  if (out !== undefined) return out;
  out = typeof input === 'string' && PLAIN.test(input) ? `"${input}"` : value(input);
  if (typeof input === 'string' && input.length <= QUOTED_LENGTH) {
    if (quoted.size >= QUOTED_MAX) quoted.clear();
    quoted.set(input, out);
  }
  return out;
}

/** Ids unique to one call (requests, spans): quoted without the cache, which they would only churn. */
function once(input: string): string {
  return typeof input === 'string' && PLAIN.test(input) ? `"${input}"` : value(input);
}

/** The line for `event`, newline included. Never throws: unserializable values are described instead. */
export function eventLine(event: KeelEvent): string {
  let line = `{"ts":${text(event.ts)},"level":${text(event.level)},"schema":${event.schema === 1 ? 1 : value(event.schema)},"event":${text(event.event)},"session":${text(event.session)}`;
  if (event.sandbox !== undefined) line += `,"sandbox":${text(event.sandbox)}`;
  if (event.request !== undefined) line += `,"request":${once(event.request)}`;
  if (event.span !== undefined) line += `,"span":${once(event.span)}`;
  if (event.module !== undefined) line += `,"module":${text(event.module)}`;
  if (event.status !== undefined) line += `,"status":${text(event.status)}`;
  if (event.duration_ms !== undefined) line += `,"duration_ms":${value(event.duration_ms)}`;
  if (event.data !== undefined) line += `,"data":${value(event.data)}`;
  if (event.error !== undefined) line += `,"error":${value(event.error)}`;
  return `${line}}\n`;
}

function value(input: unknown): string {
  try {
    return JSON.stringify(input) ?? 'null';
  } catch {
    return safeValue(input);
  }
}

/** BigInts as strings, cycles and throwing `toJSON`s described: a line is always written. */
function safeValue(input: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(input, (_key, item: unknown) => {
        if (typeof item === 'bigint') return item.toString();
        if (item !== null && typeof item === 'object') {
          if (seen.has(item)) return '[circular]';
          seen.add(item);
        }
        return item;
      }) ?? 'null'
    );
  } catch (error) {
    return JSON.stringify({ unserializable: error instanceof Error ? error.message : String(error) });
  }
}
