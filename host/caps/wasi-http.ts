/**
 * `wasi:http` (types, outgoing-handler): outgoing requests under an allow-list. Building a
 * request confers nothing (`wasi:http/types` is authority-free, its objects capped in size);
 * sending one needs the `wasi:http/outgoing-handler` grant, whose rules (scheme, host, port,
 * method, path prefix) and caps every request is checked against before anything touches the
 * network (http/policy.ts). The network thread then resolves the name once, holds every address
 * to the address policy and connects to the one it checked (http/net-worker.ts).
 *
 * Inline sandboxes run on the kernel's thread, so a request holds that thread until the answer
 * or the request's time cap (docs/capabilities.md, "Outgoing HTTP"). A worker sandbox whose call
 * the kernel awaits (`SandboxContext.mayAwait`) has its requests run on the kernel's event loop
 * instead, and `block`/`poll` answer with a promise (docs/placement.md). Bodies are buffered
 * within their caps: the request's when the guest finishes it, the response's before the guest
 * reads.
 * Incoming requests (`wasi:http/incoming-handler`) are not served.
 */
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import { type NetOutcome, type PendingExchange, performAsync, performBlocking } from './http/client.js';
import type { NetRequest } from './http/exchange.js';
import {
  defaultPort,
  type HttpPolicy,
  matchRule,
  parseHttpScope,
  type RequestTarget,
  STANDARD_METHODS,
} from './http/policy.js';
import {
  type CapabilityProvider,
  chargeBytes,
  DEFAULT_HOST_COSTS,
  type SandboxContext,
  wasiError,
} from './provider.js';
import { type ByteSink, bytesSource, InputStream, IoError, OutputStream, Pollable } from './wasi-io.js';
import { wasiHttpTypes } from './wit-types.js';

type Method = { tag: string; val?: string };
type Scheme = { tag: 'HTTP' | 'HTTPS' } | { tag: 'other'; val: string };
export type HttpErrorCode = { tag: string; val?: unknown };

/** Headers a guest may not set: the host decides framing, connection and routing. */
const FORBIDDEN_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'te',
  'trailer',
  'http2-settings',
]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_METHOD = 32;
const MAX_PATH = 8192;
const MAX_AUTHORITY = 261;

/** Caps of `fields` when no outgoing grant says otherwise (the grant's defaults). */
/** The policy of a grant with no scope (built on first use: parsing loads zod). */
let defaultPolicy: HttpPolicy | undefined;
const DEFAULT_POLICY = (): HttpPolicy => {
  defaultPolicy ??= parseHttpScope({});
  return defaultPolicy;
};

function headerError(tag: 'invalid-syntax' | 'forbidden' | 'immutable'): never {
  throw wasiError({ tag });
}

/**
 * A copy of a field value. An empty one is a view of one shared empty buffer: V8 gives
 * `new Uint8Array(0)` (and `slice()` of an empty array) a backing store of its own, 650-800 ns
 * of host time for a value a guest passes and gets back at no byte's price. Made again if host
 * code ever detaches it (a transfer), which makes a view throw.
 */
let emptyBuffer = new ArrayBuffer(0);
function copyValue(value: Uint8Array): Uint8Array {
  if (value.length > 0) return value.slice();
  try {
    return new Uint8Array(emptyBuffer);
  } catch {
    emptyBuffer = new ArrayBuffer(0);
    return new Uint8Array(emptyBuffer);
  }
}

/**
 * What one field value a `clone` copies costs beyond its bytes, in bytes' worth of `byte`: the
 * host makes an object per value (a copy, an entry). `get` and `entries` hand theirs back: each
 * is lowered into the guest as a list of its own (a call of the guest's realloc, 150-700 ns
 * whatever its length), which the canonical ABI prices (`LOWERED_ALLOC_BYTES` and
 * `LOWERED_ELEMENT_BYTES`, more than this), so they charge only their copies' bytes. Priced by
 * its bytes only, 64 empty values per call cost the host 180-300x compute per unit of fuel
 * (test/hostile/http/fields-empty-values-flood).
 */
export const FIELD_VALUE_BYTES = 512;

/**
 * What each entry a name is looked for among costs (`has`, `get`, `delete`, `set`), in bytes'
 * worth of `byte`: fields may hold as many entries as a grant's `maxHeaders` (up to 10,000), and
 * a call priced as one walked them all: 150-400 us a call for about 5,000 fuel, 250-1,950x
 * compute per unit of fuel (test/hostile/http/fields-scan-many-headers).
 */
export const FIELD_SCAN_BYTES = 16;

function validValue(value: Uint8Array): boolean {
  return value.indexOf(0) < 0 && value.indexOf(10) < 0 && value.indexOf(13) < 0;
}

/** The per-sandbox state of `wasi:http`: its caps and the requests of the running invocation. */
interface HttpState {
  policy: HttpPolicy | undefined;
  invocation: string | undefined;
  requests: number;
  /** Bytes of fields and bodies the sandbox holds now (see `maxHeldBytes`). */
  held: number;
  /** Exchanges in progress on the event loop: each ended at once when the sandbox ends. */
  inFlight: Set<(reason: string) => void>;
}

function httpState(context: SandboxContext): HttpState {
  return context.state<HttpState>('wasi-http', () => {
    const state: HttpState = {
      policy: undefined,
      invocation: undefined,
      requests: 0,
      held: 0,
      inFlight: new Set(),
    };
    context.onEnd(() => {
      for (const stop of [...state.inFlight]) stop('the sandbox ended');
    });
    return state;
  });
}

/** One exchange a request waits for: what to send, how long to wait, for which hop. */
interface Step {
  request: Omit<NetRequest, 'id'>;
  waitMs: number;
  target: RequestTarget & { authority: string };
  started: number;
}

/** A request's hops: yields each exchange, is given its outcome, returns the future's answer. */
type Steps = Generator<Step, unknown, NetOutcome>;

/** Drive a request's hops blocking the kernel's thread (client.ts, `performBlocking`). */
function runBlocking(steps: Steps): unknown {
  let step = steps.next();
  while (!step.done) step = steps.next(performBlocking(step.value.request, step.value.waitMs));
  return step.value;
}

/** Take `bytes` from the sandbox's held-bytes budget; false (nothing taken) when over it. */
function hold(context: SandboxContext, bytes: number): boolean {
  const state = httpState(context);
  if (state.held + bytes > caps(context).maxHeldBytes) return false;
  state.held += bytes;
  return true;
}

function release(context: SandboxContext, bytes: number): void {
  const state = httpState(context);
  state.held = Math.max(0, state.held - bytes);
}

function caps(context: SandboxContext): HttpPolicy {
  return httpState(context).policy ?? DEFAULT_POLICY();
}

function makeTypes(context: SandboxContext) {
  // The provider's own access to its objects. Never statics or methods of the classes: a guest
  // names the functions it imports, and could name any public member of a class it is given.
  let sealedFields!: (entries: [string, Uint8Array][], bytes: number) => Fields;
  let lockFields!: (fields: Fields) => void;
  let fieldList!: (fields: Fields) => readonly [string, Uint8Array][];
  let bodyState!: (body: OutgoingBody) => 'open' | 'finished' | 'dropped' | 'oversize';
  let takeBody!: (body: OutgoingBody) => Uint8Array;
  let requestParts!: (request: OutgoingRequest) => RequestParts;
  let optionsLimitMs!: (options: RequestOptions | undefined) => number;

  interface RequestParts {
    headers: Fields;
    method: Method;
    scheme: Scheme | undefined;
    authority: string | undefined;
    pathWithQuery: string | undefined;
    body: OutgoingBody | undefined;
    bodyTaken: boolean;
  }

  class Fields {
    #entries: [string, Uint8Array][] = [];
    #bytes = 0;
    #immutable = false;

    static fromList(entries: [string, Uint8Array][]): Fields {
      const fields = new Fields();
      try {
        for (const [name, value] of entries) fields.#add(name, value);
      } catch (error) {
        // Never handed out, never dropped by the guest: what it held goes back now.
        fields[Symbol.dispose]();
        throw error;
      }
      return fields;
    }

    /** Host-made fields (a response's headers): never changed by the guest. */
    static {
      // Host-made fields (a response's headers, already held by the caller): never changed by the guest.
      sealedFields = (entries, bytes) => {
        const fields = new Fields();
        fields.#entries = entries;
        fields.#bytes = bytes;
        fields.#immutable = true;
        return fields;
      };
      lockFields = (fields) => {
        fields.#immutable = true;
      };
      fieldList = (fields) => fields.#entries;
    }

    #check(name: string): string {
      if (this.#immutable) headerError('immutable');
      if (typeof name !== 'string' || !TOKEN.test(name)) headerError('invalid-syntax');
      const lower = name.toLowerCase();
      if (FORBIDDEN_HEADERS.has(lower)) headerError('forbidden');
      return lower;
    }

    #add(name: string, value: Uint8Array): void {
      const lower = this.#check(name);
      if (!(value instanceof Uint8Array) || !validValue(value)) headerError('invalid-syntax');
      const limits = caps(context);
      const bytes = lower.length + value.length;
      // A guest must not grow host memory with fields it never sends.
      if (
        this.#entries.length + 1 > limits.maxHeaders ||
        this.#bytes + bytes > limits.maxHeaderBytes ||
        !hold(context, bytes)
      ) {
        headerError('invalid-syntax');
      }
      // The guest's bytes were charged as they were lifted (the canonical ABI): not again.
      this.#entries.push([lower, copyValue(value)]);
      this.#bytes += bytes;
    }

    /**
     * The name a field `name` asks for is held under (lower case), or undefined where none can
     * be: not a token, or longer than all the fields' bytes. Such a name is never case-mapped:
     * `toLowerCase` of a guest's non-ASCII text (a megabyte of U+0130) cost the host 5-30 ns a
     * byte, priced as the byte it crossed at.
     */
    #held(name: string): string | undefined {
      if (typeof name !== 'string' || name.length > this.#bytes || !TOKEN.test(name)) return undefined;
      return name.toLowerCase();
    }

    /** Charged before a walk of every entry (`FIELD_SCAN_BYTES` each). */
    #walk(): [string, Uint8Array][] {
      chargeBytes(context, this.#entries.length * FIELD_SCAN_BYTES);
      return this.#entries;
    }

    get(name: string): Uint8Array[] {
      const lower = this.#held(name);
      if (lower === undefined) return [];
      const entries = this.#walk();
      const values: Uint8Array[] = [];
      // Handed back (copied, lowered into the guest) as `entries` hands them: charged first.
      let bytes = 0;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        if (entry[0] !== lower) continue;
        values.push(entry[1]);
        // Its copy; its lowering into the guest is the canonical ABI's (LOWERED_ALLOC_BYTES).
        bytes += entry[1].length;
      }
      chargeBytes(context, bytes);
      return values.map(copyValue);
    }

    has(name: string): boolean {
      const lower = this.#held(name);
      if (lower === undefined) return false;
      const entries = this.#walk();
      for (let i = 0; i < entries.length; i++) if (entries[i]![0] === lower) return true;
      return false;
    }

    set(name: string, values: Uint8Array[]): void {
      const lower = this.#check(name);
      this.#remove(lower);
      for (const value of values) this.#add(lower, value);
    }

    delete(name: string): void {
      this.#remove(this.#check(name));
    }

    #remove(lower: string): void {
      const entries = this.#walk();
      let found = false;
      for (let i = 0; i < entries.length && !found; i++) found = entries[i]![0] === lower;
      if (!found) return;
      this.#entries = entries.filter(([n, v]) => {
        if (n !== lower) return true;
        this.#bytes -= n.length + v.length;
        release(context, n.length + v.length);
        return false;
      });
    }

    append(name: string, value: Uint8Array): void {
      this.#add(name, value);
    }

    entries(): [string, Uint8Array][] {
      // The copies; lowering them into the guest is the canonical ABI's (LOWERED_ALLOC_BYTES and
      // LOWERED_ELEMENT_BYTES a value, more than FIELD_VALUE_BYTES: host/abi/context.ts).
      chargeBytes(context, this.#bytes);
      return this.#entries.map(([n, v]) => [n, copyValue(v)]);
    }

    clone(): Fields {
      chargeBytes(context, this.#bytes + this.#entries.length * FIELD_VALUE_BYTES);
      // `clone` has no error case: a refusal unwinds the guest, as the limit it is (a stream's
      // error object here ended the call as `internal`).
      if (!hold(context, this.#bytes)) {
        const max = caps(context).maxHeldBytes;
        throw new KeelError(
          'resource-limit',
          `wasi:http fields.clone: the sandbox holds more than ${max} bytes of fields and bodies (maxHeldBytes)`,
          { limit: 'maxHeldBytes', max, import: 'wasi:http/types#[method]fields.clone' },
        );
      }
      const copy = new Fields();
      copy.#entries = this.#entries.map(([n, v]) => [n, copyValue(v)]);
      copy.#bytes = this.#bytes;
      return copy;
    }

    [Symbol.dispose](): void {
      release(context, this.#bytes);
      this.#bytes = 0;
      this.#entries = [];
    }
  }

  /** The body of an outgoing request: bytes kept up to the grant's cap, sent when finished. */
  class OutgoingBody {
    #chunks: Uint8Array[] = [];
    #size = 0;
    #stream: OutputStream | undefined;
    #state: 'open' | 'finished' | 'dropped' | 'oversize' = 'open';

    constructor() {
      const sink: ByteSink = {
        capacity: () => 1n << 20n,
        write: (bytes) => {
          if (this.#state !== 'open') throw new IoError('the body is finished');
          const limit = caps(context).maxRequestBytes;
          if (this.#size + bytes.length > limit) {
            this.#state = 'oversize';
            throw new IoError(`request body over its ${limit}-byte cap`);
          }
          // The guest paid `byte` as it passed them; the body's copy, held until sent or
          // dropped, is priced here (a body never sent cost the host its copies for nothing),
          // before it is held: a charge that fails holds nothing.
          context.charge(bytes.length * DEFAULT_HOST_COSTS.httpByte);
          if (!hold(context, bytes.length)) {
            this.#state = 'oversize';
            throw new IoError("request body over the sandbox's held-bytes cap");
          }
          this.#chunks.push(bytes.slice());
          this.#size += bytes.length;
        },
      };
      this.#stream = new OutputStream(sink, context);
    }

    write(): OutputStream {
      const stream = this.#stream;
      if (!stream) throw wasiError(undefined);
      this.#stream = undefined;
      return stream;
    }

    static finish(body: OutgoingBody, trailers: Fields | undefined): void {
      if (body.#state === 'oversize') {
        throw wasiError({ tag: 'HTTP-request-body-size', val: BigInt(body.#size) });
      }
      if (trailers !== undefined) {
        throw wasiError({ tag: 'internal-error', val: 'request trailers are not supported' });
      }
      body.#state = 'finished';
    }

    static {
      bodyState = (body) => body.#state;
      // The whole body, handed over to be sent: the body holds nothing after.
      takeBody = (body) => {
        const all = new Uint8Array(body.#size);
        let offset = 0;
        for (const chunk of body.#chunks) {
          all.set(chunk, offset);
          offset += chunk.length;
        }
        body.#drop();
        return all;
      };
    }

    #drop(): void {
      release(context, this.#size);
      this.#chunks = [];
      this.#size = 0;
    }

    [Symbol.dispose](): void {
      if (this.#state === 'open') this.#state = 'dropped';
      this.#drop();
    }
  }

  class OutgoingRequest {
    #headers: Fields;
    #method: Method = { tag: 'get' };
    #scheme: Scheme | undefined;
    #authority: string | undefined;
    #pathWithQuery: string | undefined;
    #body: OutgoingBody | undefined;
    #bodyTaken = false;

    constructor(headers: Fields) {
      lockFields(headers);
      this.#headers = headers;
    }

    body(): OutgoingBody {
      if (this.#bodyTaken) throw wasiError(undefined);
      this.#bodyTaken = true;
      this.#body = new OutgoingBody();
      return this.#body;
    }

    method(): Method {
      return { ...this.#method };
    }

    setMethod(method: Method): void {
      if (
        method?.tag === 'other' &&
        !(typeof method.val === 'string' && TOKEN.test(method.val) && method.val.length <= MAX_METHOD)
      ) {
        throw wasiError(undefined);
      }
      this.#method = { ...method };
    }

    pathWithQuery(): string | undefined {
      return this.#pathWithQuery;
    }

    setPathWithQuery(path: string | undefined): void {
      // Origin form only: an absolute URI here could point the request elsewhere.
      if (path !== undefined && !(path.length <= MAX_PATH && /^\/[\x21-\x7e]*$/.test(path)))
        throw wasiError(undefined);
      this.#pathWithQuery = path;
    }

    scheme(): Scheme | undefined {
      return this.#scheme;
    }

    setScheme(scheme: Scheme | undefined): void {
      if (
        scheme?.tag === 'other' &&
        !(typeof scheme.val === 'string' && /^[a-zA-Z][a-zA-Z0-9+.-]{0,31}$/.test(scheme.val))
      ) {
        throw wasiError(undefined);
      }
      this.#scheme = scheme;
    }

    authority(): string | undefined {
      return this.#authority;
    }

    setAuthority(authority: string | undefined): void {
      if (authority !== undefined && parseAuthority(authority, 'http') === undefined)
        throw wasiError(undefined);
      this.#authority = authority;
    }

    headers(): Fields {
      return this.#headers;
    }

    /** Dropped unsent: its headers' bytes go back (sent, the response's future holds them). */
    [Symbol.dispose](): void {
      this.#headers[Symbol.dispose]();
    }

    static {
      requestParts = (request) => ({
        headers: request.#headers,
        method: request.#method,
        scheme: request.#scheme,
        authority: request.#authority,
        pathWithQuery: request.#pathWithQuery,
        body: request.#body,
        bodyTaken: request.#bodyTaken,
      });
    }
  }

  class RequestOptions {
    #connect: bigint | undefined;
    #firstByte: bigint | undefined;
    #betweenBytes: bigint | undefined;
    connectTimeout(): bigint | undefined {
      return this.#connect;
    }
    setConnectTimeout(duration: bigint | undefined): void {
      this.#connect = duration;
    }
    firstByteTimeout(): bigint | undefined {
      return this.#firstByte;
    }
    setFirstByteTimeout(duration: bigint | undefined): void {
      this.#firstByte = duration;
    }
    betweenBytesTimeout(): bigint | undefined {
      return this.#betweenBytes;
    }
    setBetweenBytesTimeout(duration: bigint | undefined): void {
      this.#betweenBytes = duration;
    }
    static {
      // The smallest timeout the guest set, in milliseconds.
      optionsLimitMs = (options) => {
        if (!options) return Number.POSITIVE_INFINITY;
        const set = [options.#connect, options.#firstByte, options.#betweenBytes].filter(
          (d): d is bigint => typeof d === 'bigint',
        );
        if (set.length === 0) return Number.POSITIVE_INFINITY;
        const least = set.reduce((a, b) => (a < b ? a : b));
        return Math.max(1, Number(least / 1_000_000n));
      };
    }
  }

  class FutureTrailers {
    #taken = false;
    subscribe(): Pollable {
      return new Pollable();
    }
    get(): unknown {
      if (this.#taken) return { tag: 'err', val: undefined };
      this.#taken = true;
      return { tag: 'ok', val: { tag: 'ok', val: undefined } };
    }
  }

  /** A response body, held (counted against `maxHeldBytes`) until it is read or dropped. */
  class IncomingBody {
    #stream: InputStream | undefined;
    constructor(body: Uint8Array) {
      const source = bytesSource(body);
      let unread = body.length;
      this.#stream = new InputStream({
        read(max) {
          const chunk = source.read(max);
          if (chunk) {
            chargeBytes(context, chunk.length);
            unread -= chunk.length;
            release(context, chunk.length);
          }
          return chunk;
        },
        close() {
          release(context, unread);
          unread = 0;
        },
      });
    }
    stream(): InputStream {
      const stream = this.#stream;
      if (!stream) throw wasiError(undefined);
      this.#stream = undefined;
      return stream;
    }
    static finish(body: IncomingBody): FutureTrailers {
      // The body is the host's now (moved): what it still holds goes back.
      body[Symbol.dispose]();
      return new FutureTrailers();
    }

    /** Dropped with its stream never taken: the bytes it held go back (taken, the stream gives them back). */
    [Symbol.dispose](): void {
      const stream = this.#stream;
      this.#stream = undefined;
      stream?.[Symbol.dispose]();
    }
  }

  class IncomingResponse {
    #status: number;
    #headers: Fields;
    #body: Uint8Array | undefined;
    /** `headers` and `body` must already be held (see `hold`). */
    constructor(status: number, headers: [string, Uint8Array][], headerBytes: number, body: Uint8Array) {
      this.#status = status;
      this.#headers = sealedFields(headers, headerBytes);
      this.#body = body;
    }
    status(): number {
      return this.#status;
    }
    headers(): Fields {
      return this.#headers;
    }
    consume(): IncomingBody {
      const body = this.#body;
      if (body === undefined) throw wasiError(undefined);
      this.#body = undefined;
      return new IncomingBody(body);
    }

    [Symbol.dispose](): void {
      if (this.#body) release(context, this.#body.length);
      this.#body = undefined;
      this.#headers[Symbol.dispose]();
    }
  }

  /**
   * The answer to a request. Where the kernel can await it (a worker sandbox's call awaited on
   * the event loop, `SandboxContext.mayAwait`) the exchange starts as soon as the request's body
   * is finished, runs on the event loop, and `block`/`poll` answer with a promise: the guest
   * sleeps on its channel, the kernel's thread stays free. Elsewhere it is made when the guest
   * first waits for it, blocking the kernel's thread within the request's time cap (client.ts).
   * Dropping the future (or the sandbox ending) ends an exchange in progress at once.
   */
  class FutureIncomingResponse {
    #steps: (() => Steps) | undefined;
    #ready: () => boolean;
    /** The exchange in progress on the event loop: settles when it ends (or is stopped). */
    #running: Promise<void> | undefined;
    #stop: ((reason: string) => void) | undefined;
    #settled = false;
    #outcome: unknown;
    #failure: { error: unknown } | undefined;
    #taken = false;
    /** The sent request's headers, held (`maxHeldBytes`) until the future is dropped. */
    #headers: Fields;

    constructor(steps: () => Steps, ready: () => boolean, headers: Fields) {
      this.#steps = steps;
      this.#ready = ready;
      this.#headers = headers;
      this.#start();
    }

    /** Awaitable now and the body finished: start the exchange on the event loop. */
    #start(): void {
      const make = this.#steps;
      if (!make || !context.mayAwait() || !this.#ready()) return;
      this.#steps = undefined;
      const steps = make();
      const owner = context.invocationId();
      const { inFlight } = httpState(context);
      let first: IteratorResult<Step, unknown>;
      try {
        // The first hop's checks and charges, in the host call that started it.
        first = steps.next();
      } catch (error) {
        this.#settle({ error });
        throw error;
      }
      let pending: PendingExchange | undefined;
      let stopped = false;
      this.#running = new Promise<void>((wake) => {
        const end = (result: { value: unknown } | { error: unknown }) => {
          if (stopped) return;
          stopped = true;
          inFlight.delete(stop);
          this.#running = undefined;
          this.#settle(result);
          wake();
        };
        const stop = (reason: string) => {
          if (stopped) return;
          pending?.cancel();
          end({ value: { tag: 'err', val: { tag: 'internal-error', val: reason } } });
        };
        this.#stop = stop;
        inFlight.add(stop);
        const advance = (step: IteratorResult<Step, unknown>) => {
          if (step.done) {
            end({ value: step.value });
            return;
          }
          pending = performAsync(step.value.request, step.value.waitMs);
          pending.outcome.then((outcome) => {
            if (stopped) return;
            // Nothing of a request runs between invocations: not its charges, events or hops.
            if (context.invocationId() !== owner) {
              stop('the invocation that sent the request ended');
              return;
            }
            let next: IteratorResult<Step, unknown>;
            try {
              next = steps.next(outcome);
            } catch (error) {
              end({ error });
              return;
            }
            advance(next);
          });
        };
        advance(first);
      });
    }

    #settle(result: { value: unknown } | { error: unknown }): void {
      this.#settled = true;
      if ('error' in result) this.#failure = { error: result.error };
      else this.#outcome = result.value;
    }

    /** Make the answer here, blocking the kernel's thread (where nothing can be awaited). */
    #settleBlocking(): void {
      if (this.#settled) return;
      if (this.#running) {
        throw new KeelError(
          'invalid-argument',
          'an HTTP request sent during sandbox.invoke cannot be waited for in a synchronous call (invokeSync or sandbox.fn); use sandbox.invoke',
        );
      }
      const make = this.#steps;
      if (!make) return;
      this.#steps = undefined;
      try {
        this.#settle({ value: runBlocking(make()) });
      } catch (error) {
        this.#settle({ error });
        throw error;
      }
    }

    subscribe(): Pollable {
      return new Pollable(
        () => {
          this.#start();
          return this.#settled || (this.#running === undefined && this.#ready());
        },
        () => this.#settleBlocking(),
        undefined,
        () => {
          this.#start();
          return this.#running;
        },
      );
    }

    get(): unknown {
      if (this.#taken) return { tag: 'err', val: undefined };
      this.#start();
      if (!this.#settled) {
        if (this.#running || !this.#ready()) return undefined;
        this.#settleBlocking();
      }
      this.#taken = true;
      if (this.#failure) throw this.#failure.error;
      return { tag: 'ok', val: this.#outcome };
    }

    [Symbol.dispose](): void {
      this.#steps = undefined;
      this.#stop?.('the future was dropped');
      this.#headers[Symbol.dispose]();
      // A response that arrived and was never taken: its headers and body go back.
      const outcome = this.#outcome as { tag?: string; val?: unknown } | undefined;
      if (!this.#taken && outcome?.tag === 'ok' && outcome.val instanceof IncomingResponse) {
        outcome.val[Symbol.dispose]();
      }
      this.#outcome = undefined;
    }
  }

  class IncomingRequest {}
  class ResponseOutparam {}
  class OutgoingResponse {
    #status = 200;
    #headers: Fields;
    constructor(headers: Fields) {
      lockFields(headers);
      this.#headers = headers;
    }
    statusCode(): number {
      return this.#status;
    }
    setStatusCode(status: number): void {
      if (!(Number.isInteger(status) && status >= 100 && status <= 999)) throw wasiError(undefined);
      this.#status = status;
    }
    headers(): Fields {
      return this.#headers;
    }
    body(): OutgoingBody {
      return new OutgoingBody();
    }
    [Symbol.dispose](): void {
      this.#headers[Symbol.dispose]();
    }
  }

  return {
    classes: {
      Fields,
      OutgoingBody,
      OutgoingRequest,
      RequestOptions,
      FutureTrailers,
      IncomingBody,
      IncomingResponse,
      FutureIncomingResponse,
      IncomingRequest,
      ResponseOutparam,
      OutgoingResponse,
    },
    internals: { fieldList, bodyState, takeBody, requestParts, optionsLimitMs },
  };
}

type HttpTypes = ReturnType<typeof makeTypes>['classes'];
type HttpInternals = ReturnType<typeof makeTypes>['internals'];

/** `host[:port]` (IPv6 in brackets) → host and port, or undefined when malformed. */
export function parseAuthority(
  authority: string,
  scheme: 'http' | 'https',
): { host: string; port: number } | undefined {
  if (typeof authority !== 'string' || authority.length === 0 || authority.length > MAX_AUTHORITY)
    return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(authority);
  if (!match) return undefined;
  const host = (match[1] ?? match[2]!).toLowerCase();
  const port = match[3] === undefined ? defaultPort(scheme) : Number(match[3]);
  if (port < 1 || port > 65535 || (match[3] !== undefined && /^0/.test(match[3]))) return undefined;
  return { host, port };
}

function methodName(method: Method): string | undefined {
  if (method.tag === 'other') return method.val;
  const name = method.tag.toUpperCase();
  return STANDARD_METHODS.includes(name) ? name : undefined;
}

function outgoingHandler(context: SandboxContext, types: HttpTypes, internals: HttpInternals) {
  const state = httpState(context);
  const policy = state.policy!;

  const deny = (authority: string, reason: string): never => {
    context.emit({
      event: EVENTS.capabilityDenied,
      level: 'warn',
      status: 'denied',
      data: { interface: 'wasi:http/outgoing-handler', at: 'call', authority, reason },
    });
    throw wasiError({ tag: 'HTTP-request-denied' });
  };

  const shownHeaders = (headers: readonly [string, Uint8Array][]) =>
    headers.map(([name, value]) => [
      name,
      policy.redactHeaders.has(name) ? '[redacted]' : new TextDecoder('latin1').decode(value),
    ]);

  /** One hop's start: checked, counted, charged, announced; what to send and how long to wait. */
  const begin = (
    target: RequestTarget & { authority: string },
    headers: readonly [string, Uint8Array][],
    body: Uint8Array | undefined,
    waitMs: number,
  ): Step => {
    const rule = matchRule(policy, target);
    if (!rule) deny(target.authority, 'no rule allows it');
    const current = context.invocationId();
    if (state.invocation !== current) {
      state.invocation = current;
      state.requests = 0;
    }
    if (state.requests >= policy.maxRequests) {
      deny(target.authority, `more than ${policy.maxRequests} requests in one invocation`);
    }
    state.requests++;
    context.charge(DEFAULT_HOST_COSTS.httpRequest + (body?.length ?? 0) * DEFAULT_HOST_COSTS.httpByte);
    context.emit({
      event: EVENTS.httpRequest,
      data: {
        method: target.method,
        scheme: target.scheme,
        authority: target.authority,
        headers: shownHeaders(headers),
        bytes: body?.length ?? 0,
      },
    });
    // A blocking wait holds the kernel's thread: never past the call's deadline (wait.ts).
    const left = context.timeLeftMs();
    if (left <= 0) context.timedOut();
    const capped = Math.min(waitMs, left);
    return {
      target,
      started: performance.now(),
      request: {
        scheme: target.scheme,
        host: target.host,
        port: target.port,
        method: target.method,
        pathWithQuery: target.pathWithQuery,
        authority: target.authority,
        headers: [...headers],
        body,
        addresses: rule!.addresses,
        timeoutMs: capped,
        maxResponseBytes: policy.maxResponseBytes,
        maxHeaders: policy.maxHeaders,
        maxHeaderBytes: policy.maxHeaderBytes,
      },
      // The exchange keeps its own timer; this one also covers one that never answers.
      waitMs: Math.min(capped + 50, left),
    };
  };

  /** One hop's end: its outcome counted against the caps, announced, held. */
  const end = (step: Step, outcome: NetOutcome) => {
    const { target, started } = step;
    const duration_ms = performance.now() - started;
    if ('error' in outcome && outcome.error.tag === 'timeout-exceeded' && context.timeLeftMs() <= 0) {
      context.timedOut();
    }
    if ('error' in outcome) {
      const error: HttpErrorCode =
        outcome.error.tag === 'timeout-exceeded' ? { tag: 'HTTP-response-timeout' } : outcome.error;
      if (error.tag === 'destination-IP-prohibited') {
        context.emit({
          event: EVENTS.capabilityDenied,
          level: 'warn',
          status: 'denied',
          data: {
            interface: 'wasi:http/outgoing-handler',
            at: 'connect',
            authority: target.authority,
            reason: 'the name resolves only to addresses the grant does not name',
          },
        });
      }
      context.emit({
        event: EVENTS.httpResponse,
        level: 'warn',
        status: 'error',
        duration_ms,
        data: { method: target.method, authority: target.authority, error: error.tag },
      });
      return { error };
    }
    chargeBytes(context, outcome.body.length);
    context.charge(outcome.body.length * DEFAULT_HOST_COSTS.httpByte);
    const headerBytes = outcome.headers.reduce((n, [name, value]) => n + name.length + value.length, 0);
    if (!hold(context, outcome.body.length + headerBytes)) {
      const error: HttpErrorCode = { tag: 'HTTP-response-body-size', val: BigInt(outcome.body.length) };
      context.emit({
        event: EVENTS.httpResponse,
        level: 'warn',
        status: 'error',
        duration_ms,
        data: {
          method: target.method,
          authority: target.authority,
          error: error.tag,
          reason: 'held-bytes cap',
        },
      });
      return { error };
    }
    context.emit({
      event: EVENTS.httpResponse,
      status: 'ok',
      duration_ms,
      data: {
        method: target.method,
        authority: target.authority,
        status: outcome.status,
        bytes: outcome.body.length,
        headers: shownHeaders(outcome.headers),
      },
    });
    return { response: { ...outcome, headerBytes } };
  };

  /**
   * The request is the host's now (moved): its headers stay held by the future it answers
   * with, or go back at once when it is refused.
   */
  const handle = (
    request: InstanceType<HttpTypes['OutgoingRequest']>,
    options?: InstanceType<HttpTypes['RequestOptions']>,
  ) => {
    try {
      return send(request, options);
    } catch (error) {
      internals.requestParts(request).headers[Symbol.dispose]();
      throw error;
    }
  };

  const send = (
    request: InstanceType<HttpTypes['OutgoingRequest']>,
    options?: InstanceType<HttpTypes['RequestOptions']>,
  ) => {
    const parts = internals.requestParts(request);
    const scheme: 'http' | 'https' | undefined =
      parts.scheme?.tag === 'HTTP'
        ? 'http'
        : parts.scheme === undefined || parts.scheme.tag === 'HTTPS'
          ? 'https'
          : undefined;
    const shownAuthority =
      typeof parts.authority === 'string' ? parts.authority.slice(0, MAX_AUTHORITY) : '(none)';
    if (scheme === undefined)
      deny(shownAuthority, `scheme "${(parts.scheme as { val?: string }).val}" is not http or https`);
    if (parts.authority === undefined) throw wasiError({ tag: 'HTTP-request-URI-invalid' });
    const address = parseAuthority(parts.authority, scheme!);
    if (!address) throw wasiError({ tag: 'HTTP-request-URI-invalid' });
    const method = methodName(parts.method);
    if (!method) throw wasiError({ tag: 'HTTP-request-method-invalid' });
    const target: RequestTarget & { authority: string } = {
      scheme: scheme!,
      host: address.host,
      port: address.port,
      method,
      pathWithQuery: parts.pathWithQuery ?? '/',
      authority: parts.authority,
    };
    // Refused before anything else happens: the guest learns nothing from a denied request.
    if (!matchRule(policy, target)) deny(target.authority, 'no rule allows it');
    const headers = internals.fieldList(parts.headers).filter(([name]) => name !== 'content-length');
    const waitMs = Math.min(policy.timeoutMs, internals.optionsLimitMs(options));
    const body = parts.body;
    const ready = () => !parts.bodyTaken || internals.bodyState(body!) !== 'open';

    /** The request's hops, each yielding the exchange it waits for (sync or async driver). */
    const steps = function* (): Steps {
      if (parts.bodyTaken) {
        const bodyState = internals.bodyState(body!);
        if (bodyState === 'open' || bodyState === 'dropped') {
          return { tag: 'err', val: { tag: 'internal-error', val: 'the request body was not finished' } };
        }
        if (bodyState === 'oversize') return { tag: 'err', val: { tag: 'HTTP-request-body-size' } };
      }
      let current = target;
      let bytes = parts.bodyTaken ? internals.takeBody(body!) : undefined;
      for (let redirects = 0; ; redirects++) {
        let result: ReturnType<typeof end>;
        try {
          const step = begin(current, headers, bytes, waitMs);
          result = end(step, yield step);
        } catch (error) {
          const payload = (error as { payload?: unknown })?.payload;
          if (payload !== undefined) return { tag: 'err', val: payload };
          throw error;
        }
        if ('error' in result) return { tag: 'err', val: result.error };
        const { status } = result.response;
        const location = result.response.headers.find(([name]) => name === 'location')?.[1];
        const next =
          policy.maxRedirects > redirects && [301, 302, 303, 307, 308].includes(status) && location
            ? redirectTarget(current, new TextDecoder('latin1').decode(location))
            : undefined;
        if (!next) {
          const { headers: responseHeaders, headerBytes, body: responseBody } = result.response;
          return {
            tag: 'ok',
            val: new types.IncomingResponse(status, responseHeaders, headerBytes, responseBody),
          };
        }
        release(context, result.response.headerBytes + result.response.body.length);
        if (status === 303 || ((status === 301 || status === 302) && current.method === 'POST')) {
          next.method = 'GET';
          bytes = undefined;
        }
        current = next;
      }
    };
    return new types.FutureIncomingResponse(steps, ready, parts.headers);
  };
  return { handle };
}

/** The next hop of a redirect, or undefined when `location` is not an http(s) URL. */
function redirectTarget(
  from: RequestTarget & { authority: string },
  location: string,
): (RequestTarget & { authority: string }) | undefined {
  let url: URL;
  try {
    url = new URL(location, `${from.scheme}://${from.authority}${from.pathWithQuery}`);
  } catch {
    return undefined;
  }
  const scheme = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : undefined;
  if (!scheme || url.username || url.password) return undefined;
  const authority = url.host;
  const address = parseAuthority(authority, scheme);
  if (!address) return undefined;
  return {
    scheme,
    host: address.host,
    port: address.port,
    method: from.method,
    pathWithQuery: `${url.pathname}${url.search}`,
    authority,
  };
}

export const wasiHttp: CapabilityProvider = {
  name: 'wasi-http',
  interfaces: ['wasi:http/types', 'wasi:http/outgoing-handler'],
  wit: wasiHttpTypes,
  // Building requests confers nothing; sending one is the capability.
  authorityFree: ['wasi:http/types'],
  parseScope(iface, scope) {
    return iface === 'wasi:http/outgoing-handler' ? parseHttpScope(scope) : undefined;
  },
  link({ interface: iface, scope, context }) {
    const { classes, internals } = context.state('wasi-http:types', () => makeTypes(context));
    if (iface === 'wasi:http/types') {
      return { ...classes, httpErrorCode: (_error: IoError) => undefined };
    }
    httpState(context).policy = scope as HttpPolicy;
    return outgoingHandler(context, classes, internals);
  },
  linkDenied({ interface: iface, context }) {
    if (iface !== 'wasi:http/outgoing-handler') return {};
    return {
      handle: () => {
        context.emit({
          event: EVENTS.capabilityDenied,
          level: 'warn',
          status: 'denied',
          data: { interface: iface, at: 'call', reason: 'not-granted' },
        });
        throw wasiError({ tag: 'HTTP-request-denied' });
      },
    };
  },
};
