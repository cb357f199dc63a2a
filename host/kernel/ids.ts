/**
 * Ids for the things the log talks about. Sessions use random ids (unique across runs); the
 * others are counters within a session, so that a deterministic run yields the same ids twice.
 */
import { randomFillSync } from 'node:crypto';

export type SessionId = string;
export type SandboxId = string;
export type RequestId = string;
export type SpanId = string;

/** Bytes of a session id. */
const SESSION_BYTES = 6;
/**
 * Random bytes for the next 64 session ids, drawn from the system's generator in one call: a
 * call (`randomBytes`) per kernel cost 15-90 µs at load 8-27, a quarter of `new Kernel()` and
 * its `close()`, however few bytes it asked. Each id takes bytes of its own, never reused.
 */
const sessionPool = Buffer.alloc(SESSION_BYTES * 64);
let sessionAt = sessionPool.length;

export function newSessionId(deterministic = false): SessionId {
  if (deterministic) return 'ses_0';
  if (sessionAt === sessionPool.length) {
    randomFillSync(sessionPool);
    sessionAt = 0;
  }
  const id = `ses_${sessionPool.toString('hex', sessionAt, sessionAt + SESSION_BYTES)}`;
  sessionAt += SESSION_BYTES;
  return id;
}

/** The id of request number `n` (`IdSource.nextRequest`). */
export function requestId(n: number): RequestId {
  return `req_${n}`;
}

/** Monotonic id source for one session. */
export class IdSource {
  #sandbox = 0;
  #request = 0;
  #span = 0;
  #module = 0;

  sandbox(): SandboxId {
    return `sbx_${++this.#sandbox}`;
  }
  /** How many sandbox ids were made: the spawn number of the one made last (`sbx_<n>`). */
  get sandboxes(): number {
    return this.#sandbox;
  }
  request(): RequestId {
    return requestId(this.nextRequest());
  }
  /** The next request's number (`requestId` spells it): an invocation formats its id only when something reads it. */
  nextRequest(): number {
    return ++this.#request;
  }
  span(): SpanId {
    return `spn_${++this.#span}`;
  }
  module(): string {
    return `mod_${++this.#module}`;
  }
}
