/**
 * Ids for the things the log talks about. Sessions use random ids (unique across runs); the
 * others are counters within a session, so that a deterministic run yields the same ids twice.
 */
import { randomBytes } from 'node:crypto';

export type SessionId = string;
export type SandboxId = string;
export type RequestId = string;
export type SpanId = string;

export function newSessionId(deterministic = false): SessionId {
  return deterministic ? 'ses_0' : `ses_${randomBytes(6).toString('hex')}`;
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
