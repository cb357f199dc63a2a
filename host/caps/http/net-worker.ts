/**
 * The network thread of outgoing HTTP. The kernel's thread (where guests run, synchronously)
 * posts one request at a time and sleeps on a shared word until this thread has the whole
 * response, an error, or the request's time is up. Here each name is resolved once, every
 * address is held to the rule's address policy, and the connection goes to the very address
 * that was checked (no second lookup), with the authority as `Host` and TLS server name.
 * No pooling: a request shares nothing with another.
 */
import { lookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { type MessagePort, parentPort } from 'node:worker_threads';
import { type AddressRange, addressAllowed } from './addresses.js';

/** One request, as the kernel's thread sends it (already checked against the rules). */
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

export type NetReply =
  | {
      id: number;
      ok: { status: number; headers: [string, Uint8Array][]; body: Uint8Array; address: string };
    }
  | { id: number; error: NetError; address?: string };

export interface NetSetup {
  /** Int32 word the kernel's thread sleeps on: bumped after each answer is posted. */
  signal: SharedArrayBuffer;
  replies: MessagePort;
}

type Inbound = NetRequest | { cancel: number } | NetSetup;

const inFlight = new Map<number, () => void>();
let signal: Int32Array | undefined;
let replies: MessagePort | undefined;

function reply(message: NetReply): void {
  if (!inFlight.delete(message.id)) return;
  replies!.postMessage(message);
  Atomics.add(signal!, 0, 1);
  Atomics.notify(signal!, 0);
}

async function resolve(request: NetRequest): Promise<{ address: string } | { error: NetError }> {
  let candidates: string[];
  if (isIP(request.host) !== 0) {
    candidates = [request.host];
  } else {
    try {
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

async function perform(request: NetRequest): Promise<void> {
  const resolved = await resolve(request);
  if (!inFlight.has(request.id)) return;
  if ('error' in resolved) {
    reply({ id: request.id, error: resolved.error });
    return;
  }
  const { address } = resolved;
  const headers: [string, string][] = [['host', request.authority]];
  const decoder = new TextDecoder('latin1');
  for (const [name, value] of request.headers) headers.push([name, decoder.decode(value)]);
  if (request.body !== undefined) headers.push(['content-length', String(request.body.length)]);
  const options: https.RequestOptions = {
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
  const fail = (error: NetError) => reply({ id: request.id, error, address });
  let responded = false;
  const outgoing = (request.scheme === 'https' ? https : http).request(options, (response) => {
    responded = true;
    const raw = response.rawHeaders;
    let headerBytes = 0;
    for (const part of raw) headerBytes += part.length;
    if (raw.length / 2 > request.maxHeaders || headerBytes > request.maxHeaderBytes) {
      outgoing.destroy();
      fail({ tag: 'HTTP-response-header-section-size', val: headerBytes });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > request.maxResponseBytes) {
        outgoing.destroy();
        fail({ tag: 'HTTP-response-body-size', val: BigInt(size) });
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => {
      const pairs: [string, Uint8Array][] = [];
      for (let i = 0; i < raw.length; i += 2)
        pairs.push([raw[i]!.toLowerCase(), Buffer.from(raw[i + 1]!, 'latin1')]);
      reply({
        id: request.id,
        ok: {
          status: response.statusCode ?? 0,
          headers: pairs,
          body: new Uint8Array(Buffer.concat(chunks)),
          address,
        },
      });
    });
    response.on('error', () => fail({ tag: 'HTTP-response-incomplete' }));
  });
  const timer = setTimeout(() => {
    outgoing.destroy();
    fail({ tag: responded ? 'HTTP-response-timeout' : 'connection-timeout' });
  }, request.timeoutMs);
  inFlight.set(request.id, () => {
    clearTimeout(timer);
    outgoing.destroy();
  });
  outgoing.on('close', () => clearTimeout(timer));
  outgoing.on('error', (error: NodeJS.ErrnoException) => {
    if (responded) return;
    fail(networkError(error));
  });
  if (request.body !== undefined) outgoing.end(request.body);
  else outgoing.end();
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

parentPort?.on('message', (message: Inbound) => {
  if ('signal' in message) {
    signal = new Int32Array(message.signal);
    replies = message.replies;
    return;
  }
  if ('cancel' in message) {
    const cancel = inFlight.get(message.cancel);
    inFlight.delete(message.cancel);
    cancel?.();
    return;
  }
  inFlight.set(message.id, () => {});
  perform(message).catch((error: unknown) => {
    reply({
      id: message.id,
      error: { tag: 'internal-error', val: String((error as Error)?.message ?? error) },
    });
  });
});
