/**
 * The network thread of outgoing HTTP, for sandboxes that wait by blocking the kernel's thread
 * (inline ones, and a worker sandbox's synchronous call). The kernel's thread posts one request
 * at a time and sleeps on a shared word until this thread has the whole response, an error, or
 * the request's time is up. The exchange itself (one lookup, the address policy, the connection
 * to the checked address) is http/exchange.ts.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { exchange, type NetError, type NetRequest, type NetResponse } from './exchange.js';

export type { NetError, NetRequest } from './exchange.js';

export type NetReply = { id: number; ok: NetResponse } | { id: number; error: NetError; address?: string };

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
  const { id } = message;
  inFlight.set(id, () => {});
  const cancel = exchange(message, (outcome) => {
    if ('error' in outcome)
      reply({ id, error: outcome.error, ...(outcome.address ? { address: outcome.address } : {}) });
    else reply({ id, ok: outcome });
  });
  if (inFlight.has(id)) inFlight.set(id, cancel);
});
