/**
 * One HTTP exchange under the address policy: resolve the name once, hold every address to the
 * rule's ranges, connect to the very address that was checked (no second lookup), with the
 * authority as `Host` and TLS server name; the whole response buffered within its caps, or a
 * `wasi:http` error code. Runs on whichever thread calls it: the network thread (for sandboxes
 * that block, http/net-worker.ts) or the kernel's event loop (for a worker sandbox's call
 * awaited there, http/client.ts `performAsync`). No pooling: a request shares nothing with
 * another. Node's modules load on the first exchange.
 */
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { MAX_TIMER_MS } from '../wait.js';
import { type AddressRange, addressAllowed } from './addresses.js';

/** One request, as the kernel sends it (already checked against the rules). */
export interface NetRequest {
  id: number;
  scheme: 'http' | 'https';
  host: string;
  port: number;
  method: string;
  pathWithQuery: string;
  /** `host:port` as the guest gave it (the `Host` header). */
  authority: string;
  headers: [string, Uint8Array][];
  body: Uint8Array | undefined;
  /** The matching rule's named address ranges (see addresses.ts). */
  addresses: readonly AddressRange[];
  timeoutMs: number;
  maxResponseBytes: number;
  maxHeaders: number;
  maxHeaderBytes: number;
}

/** A `wasi:http` error code (`tag` as the WIT spells it) and its payload. */
export interface NetError {
  tag: string;
  val?: unknown;
}

export interface NetResponse {
  status: number;
  headers: [string, Uint8Array][];
  body: Uint8Array;
  address: string;
}

/** What an exchange ends with. */
export type NetOutcome = NetResponse | { error: NetError; address?: string };

async function resolve(request: Omit<NetRequest, 'id'>): Promise<{ address: string } | { error: NetError }> {
  const { isIP } = process.getBuiltinModule('node:net');
  let candidates: string[];
  if (isIP(request.host) !== 0) {
    candidates = [request.host];
  } else {
    try {
      const { lookup } = process.getBuiltinModule('node:dns').promises;
      candidates = (await lookup(request.host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return {
        error:
          code === 'ENOTFOUND'
            ? { tag: 'destination-not-found' }
            : { tag: 'DNS-error', val: { rcode: code } },
      };
    }
  }
  const address = candidates.find((candidate) => addressAllowed(request.addresses, candidate));
  return address ? { address } : { error: { tag: 'destination-IP-prohibited' } };
}

/**
 * Start the exchange; `settle` is called once with its outcome, never after `cancel`. `cancel`
 * (returned) ends it at once: the socket is destroyed and its timer cleared.
 */
export function exchange(request: Omit<NetRequest, 'id'>, settle: (outcome: NetOutcome) => void): () => void {
  let done = false;
  let abort: (() => void) | undefined;
  const finish = (outcome: NetOutcome) => {
    if (done) return;
    done = true;
    abort?.();
    settle(outcome);
  };
  const cancel = () => {
    if (done) return;
    done = true;
    abort?.();
  };
  resolve(request).then(
    (resolved) => {
      if (done) return;
      if ('error' in resolved) {
        finish({ error: resolved.error });
        return;
      }
      abort = connect(request, resolved.address, finish);
    },
    (error: unknown) =>
      finish({ error: { tag: 'internal-error', val: String((error as Error)?.message ?? error) } }),
  );
  return cancel;
}

/** Send the request to `address`; returns what ends it (socket and timer). */
function connect(
  request: Omit<NetRequest, 'id'>,
  address: string,
  finish: (outcome: NetOutcome) => void,
): () => void {
  const { isIP } = process.getBuiltinModule('node:net');
  const http: typeof Http = process.getBuiltinModule('node:http');
  const https: typeof Https = process.getBuiltinModule('node:https');
  const headers: [string, string][] = [['host', request.authority]];
  const decoder = new TextDecoder('latin1');
  for (const [name, value] of request.headers) headers.push([name, decoder.decode(value)]);
  if (request.body !== undefined) headers.push(['content-length', String(request.body.length)]);
  const options: Https.RequestOptions = {
    host: address,
    port: request.port,
    method: request.method,
    path: request.pathWithQuery,
    headers: headers.flat(),
    setHost: false,
    agent: false,
    maxHeaderSize: Math.max(1024, request.maxHeaderBytes),
    ...(request.scheme === 'https' && isIP(request.host) === 0 ? { servername: request.host } : {}),
  };
  const fail = (error: NetError) => finish({ error, address });
  let responded = false;
  const outgoing = (request.scheme === 'https' ? https : http).request(options, (response) => {
    responded = true;
    const raw = response.rawHeaders;
    let headerBytes = 0;
    for (const part of raw) headerBytes += part.length;
    if (raw.length / 2 > request.maxHeaders || headerBytes > request.maxHeaderBytes) {
      fail({ tag: 'HTTP-response-header-section-size', val: headerBytes });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > request.maxResponseBytes) {
        fail({ tag: 'HTTP-response-body-size', val: BigInt(size) });
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => {
      const pairs: [string, Uint8Array][] = [];
      for (let i = 0; i < raw.length; i += 2)
        pairs.push([raw[i]!.toLowerCase(), Buffer.from(raw[i + 1]!, 'latin1')]);
      finish({
        status: response.statusCode ?? 0,
        headers: pairs,
        body: new Uint8Array(Buffer.concat(chunks)),
        address,
      });
    });
    response.on('error', () => fail({ tag: 'HTTP-response-incomplete' }));
  });
  // Within setTimeout's range (MAX_TIMER_MS): the call's deadline, which may be longer, still
  // bounds the exchange.
  const timer = setTimeout(
    () => {
      fail({ tag: responded ? 'HTTP-response-timeout' : 'connection-timeout' });
    },
    Math.min(request.timeoutMs, MAX_TIMER_MS),
  );
  outgoing.on('close', () => clearTimeout(timer));
  outgoing.on('error', (error: NodeJS.ErrnoException) => {
    if (responded) return;
    fail(networkError(error));
  });
  if (request.body !== undefined) outgoing.end(request.body);
  else outgoing.end();
  return () => {
    clearTimeout(timer);
    outgoing.destroy();
  };
}

function networkError(error: NodeJS.ErrnoException): NetError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return { tag: 'connection-refused' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { tag: 'connection-terminated' };
    case 'ETIMEDOUT':
      return { tag: 'connection-timeout' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { tag: 'destination-unavailable' };
    case 'HPE_HEADER_OVERFLOW':
      return { tag: 'HTTP-response-header-section-size' };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
      return { tag: 'TLS-certificate-error' };
    default:
      return error.code?.startsWith('HPE_')
        ? { tag: 'HTTP-protocol-error' }
        : { tag: 'internal-error', val: error.code ?? 'network error' };
  }
}
