/**
 * The kernel thread's side of outgoing HTTP, two ways:
 *
 * - `performBlocking`: hand one request to the network thread and sleep (`Atomics.wait`) until
 *   it answers or the time is up. An inline guest runs synchronously on this thread, so its
 *   request holds the thread, and every other sandbox of the kernel, for at most the wait it is
 *   given (the request's time cap, never past the invocation's deadline). One network thread
 *   per JavaScript thread, started on first use and unreferenced (never keeps the process alive).
 * - `performAsync`: run the exchange on this thread's event loop and answer with a promise, for
 *   a worker sandbox whose call the kernel awaits there (`SandboxContext.mayAwait`): its guest
 *   sleeps on its channel while the kernel's thread serves everything else.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessagePort, Worker } from 'node:worker_threads';
import { MAX_TIMER_MS } from '../wait.js';
import { exchange, type NetOutcome, type NetRequest } from './exchange.js';
import type { NetReply } from './net-worker.js';

export type { NetOutcome } from './exchange.js';

interface Network {
  worker: Worker;
  signal: Int32Array;
  replies: MessagePort;
  receive: typeof import('node:worker_threads').receiveMessageOnPort;
  nextId: number;
}

let network: Network | undefined;

/**
 * The compiled network thread's script. Built into dist/ next to this file; when Keel runs from
 * its TypeScript sources (tests), the build output is used.
 */
function scriptUrl(): URL {
  // From dist/host/caps/http/; from the CLI's bundle (dist/host/cli/) or the sources, the fallback.
  const here = new URL('./net-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL(`../../../dist/host/caps/http/net-worker.js`, import.meta.url);
}

function start(): Network {
  // node:worker_threads loads with the first request: a run that sends none skips it.
  const { MessageChannel, receiveMessageOnPort, Worker } = process.getBuiltinModule('node:worker_threads');
  const channel = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(scriptUrl(), { resourceLimits: { maxOldGenerationSizeMb: 256 } });
  worker.unref();
  channel.port1.unref();
  worker.postMessage({ signal: signal.buffer, replies: channel.port2 }, [channel.port2]);
  const started: Network = {
    worker,
    signal,
    replies: channel.port1,
    receive: receiveMessageOnPort,
    nextId: 1,
  };
  // A dead network thread is replaced on the next request.
  worker.on('exit', () => {
    if (network === started) network = undefined;
  });
  worker.on('error', () => {});
  return started;
}

/**
 * Perform `request` (its `id` is assigned here) and wait at most `waitMs` for the answer.
 * Past it the request is cancelled and the outcome is `{ error: { tag: 'timeout-exceeded' } }`:
 * the caller decides whether that is the request's time cap or the invocation's deadline.
 */
export function performBlocking(request: Omit<NetRequest, 'id'>, waitMs: number): NetOutcome {
  network ??= start();
  const net = network;
  const id = net.nextId++;
  if (net.nextId > 0x3fffffff) net.nextId = 1;
  net.worker.postMessage({ ...request, id } satisfies NetRequest);
  const until = performance.now() + waitMs;
  for (;;) {
    // The network thread posts an answer, then bumps the word: read the word first, so an answer
    // that lands between the drain below and the wait makes the wait return at once.
    const seen = Atomics.load(net.signal, 0);
    // Answers to requests given up earlier may still arrive: skip them.
    for (let message = net.receive(net.replies); message; message = net.receive(net.replies)) {
      const answer = message.message as NetReply;
      if (answer.id !== id) continue;
      if ('ok' in answer) return answer.ok;
      return { error: answer.error, ...(answer.address ? { address: answer.address } : {}) };
    }
    const left = until - performance.now();
    if (left <= 0) {
      net.worker.postMessage({ cancel: id });
      return { error: { tag: 'timeout-exceeded' } };
    }
    Atomics.wait(net.signal, 0, seen, left);
  }
}

/** An exchange in progress on the event loop: its outcome, and what ends it at once. */
export interface PendingExchange {
  outcome: Promise<NetOutcome>;
  /** End it now (the socket is destroyed); the outcome then never settles. */
  cancel(): void;
}

/**
 * Perform `request` on this thread's event loop; `waitMs` bounds the whole exchange, the name's
 * lookup included (past it: `{ error: { tag: 'timeout-exceeded' } }`, as `performBlocking`).
 */
export function performAsync(request: Omit<NetRequest, 'id'>, waitMs: number): PendingExchange {
  let stop: () => void = () => {};
  const outcome = new Promise<NetOutcome>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const end = exchange(request, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    // Within setTimeout's range (MAX_TIMER_MS).
    timer = setTimeout(
      () => {
        end();
        resolve({ error: { tag: 'timeout-exceeded' } });
      },
      Math.min(waitMs, MAX_TIMER_MS),
    );
    stop = () => {
      clearTimeout(timer);
      end();
    };
  });
  return { outcome, cancel: () => stop() };
}
