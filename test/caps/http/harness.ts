/**
 * Drives the `wasi:http` provider exactly as a guest's imports would (the same objects the
 * glue or Keel's ABI hands calls to), with a recording context: any call sequence and any
 * values a hostile guest could send, without building a guest for each attack.
 */
import type { SandboxContext } from '../../../host/caps/provider.js';
import { wasiHttp } from '../../../host/caps/wasi-http.js';
import type { KeelEvent } from '../../../host/index.js';
import { DEFAULT_LIMITS } from '../../../host/kernel/limits.js';

export interface HttpWorld {
  context: SandboxContext;
  events: Omit<KeelEvent, 'sandbox' | 'ts' | 'schema' | 'session' | 'level'>[];
  /** Fuel charged so far. */
  fuel: { charged: number };
  /** Starts a new invocation (per-invocation caps reset). */
  nextInvocation(): void;
  types: any;
  handler: any;
}

export function httpWorld(scope: unknown): HttpWorld {
  const events: HttpWorld['events'] = [];
  const state = new Map<string, unknown>();
  const fuel = { charged: 0 };
  let invocation = 1;
  const context: SandboxContext = {
    sandbox: 'sbx_test',
    module: 'http-test',
    limits: DEFAULT_LIMITS,
    io: {},
    deterministic: false,
    seed: 0n,
    protectedPaths: [],
    emit: (event) => events.push(event),
    emitText: (_name, text, build) => events.push(build(text)),
    state: <T>(key: string, init: () => T): T => {
      if (!state.has(key)) state.set(key, init());
      return state.get(key) as T;
    },
    exit: () => {
      throw new Error('exit');
    },
    charge: (n) => {
      fuel.charged += n;
    },
    invocationInput: () => undefined,
    invocationId: () => `req_${invocation}`,
    virtualNanos: () => 0n,
    timeLeftMs: () => Number.POSITIVE_INFINITY,
    mayAwait: () => false,
    timedOut: () => {
      throw new Error('no deadline here');
    },
    onEnd: () => {},
  };
  const parsed = wasiHttp.parseScope!('wasi:http/outgoing-handler', scope);
  const types = wasiHttp.link({ interface: 'wasi:http/types', scope: undefined, context });
  const handler = wasiHttp.link({ interface: 'wasi:http/outgoing-handler', scope: parsed, context });
  return { context, events, fuel, nextInvocation: () => invocation++, types, handler };
}

/** What a guest's `wasi:http` call returned: the value, or the error payload it was thrown. */
export function attempt<T>(call: () => T): { ok: T } | { err: unknown } {
  try {
    return { ok: call() };
  } catch (error) {
    // As the glue reads a thrown value: an Error unwinds the guest, anything else is `err`.
    if (error instanceof Error) throw error;
    if (error && typeof error === 'object' && 'payload' in error)
      return { err: (error as { payload: unknown }).payload };
    return { err: error };
  }
}

export interface GuestRequest {
  method?: { tag: string; val?: string };
  scheme?: { tag: string; val?: string };
  authority: string;
  path?: string;
  headers?: [string, Uint8Array][];
  body?: Uint8Array;
}

/**
 * A whole request as a guest makes it: fields, request, body written and finished, `handle`,
 * then block on the future and take the response. Returns the status and body, or the error.
 */
export function request(
  world: HttpWorld,
  req: GuestRequest,
): { status: number; body: string } | { error: unknown } {
  const { types, handler } = world;
  const fields = types.Fields.fromList(req.headers ?? []);
  const outgoing = new types.OutgoingRequest(fields);
  if (req.method) outgoing.setMethod(req.method);
  if (req.scheme) outgoing.setScheme(req.scheme);
  outgoing.setAuthority(req.authority);
  if (req.path) outgoing.setPathWithQuery(req.path);
  if (req.body) {
    const body = outgoing.body();
    const stream = body.write();
    for (let offset = 0; offset < req.body.length; offset += 4096) {
      stream.blockingWriteAndFlush(req.body.subarray(offset, offset + 4096));
    }
    stream[Symbol.dispose]();
    types.OutgoingBody.finish(body, undefined);
  }
  const sent = attempt(() => handler.handle(outgoing, undefined));
  if ('err' in sent) return { error: sent.err };
  const future = sent.ok;
  future.subscribe().block();
  const outer = future.get();
  if (outer.val.tag === 'err') return { error: outer.val.val };
  const response = outer.val.val;
  const incoming = response.consume();
  const stream = incoming.stream();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const read = attempt(() => stream.blockingRead(65536n));
    if ('err' in read) break;
    chunks.push(read.ok as Uint8Array);
  }
  return { status: response.status(), body: Buffer.concat(chunks).toString('utf8') };
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
