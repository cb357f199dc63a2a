/**
 * Attack: a host call too large for a frame goes on the channel's port (the frame's length says
 * -1). The worker posts one with a 64 MiB argument, 64 times the sandbox's `limits.hostArgBytes`
 * (1 MiB here): Keel's code in the worker would have refused it, but the kernel believes the
 * port as it believes the frame. The bytes are copied into the kernel's memory (an ArrayBuffer is
 * off the worker's V8 heap: `workers.heapMb` does not bound it) and the host function is called
 * with them. The kernel must hold the worker to `limits.hostArgBytes` itself, on the port and in
 * the frame alike (a 32 KiB argument fits a frame: with a limit of 1 KiB it must not pass either).
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import {
  ANSWER_FORGED,
  callFailure,
  encoded,
  endWorkers,
  hostileWorkerSandbox,
} from '../../helpers/hostile-worker.js';

const HOST_ARG_BYTES = 1 << 20;
const SENT = 64 << 20;

const BODY = `
  waitCall();
  init.port.postMessage({
    op: 'host',
    request: { op: 'call', iface: 'test:big/api', name: 'take', args: [new Uint8Array(workerData.sent)] },
    fuel: 0,
  });
  Atomics.store(words, 2, -1);
  Atomics.add(words, 0, 1);
  Atomics.notify(words, 0);
  Atomics.wait(words, 1, Atomics.load(words, 1), 60000);
`;

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

it('a host call on the port past limits.hostArgBytes never reaches the host function', async () => {
  let received = 0;
  const hostile = await hostileWorkerSandbox(
    BODY,
    { sent: SENT },
    {
      maxHostArgBytes: HOST_ARG_BYTES,
      // Long enough for the worker to post 64 MiB under load: the refusal, not the deadline, ends it.
      deadlineMs: 20_000,
      imports: {
        'test:big/api': {
          take: (bytes: Uint8Array) => {
            received = Math.max(received, bytes.byteLength);
            return 0;
          },
        },
      },
    },
  );
  workers = hostile.workers;
  try {
    hostile.sandbox.callSync('f', []);
  } catch {
    // A refusal (resource-limit, or the channel broken) is what is expected.
  }
  expect(received).toBeLessThanOrEqual(HOST_ARG_BYTES);
}, 60_000);

it('a host call in the frame past limits.hostArgBytes never reaches the host function', async () => {
  const limit = 1024;
  let received = 0;
  const hostile = await hostileWorkerSandbox(
    ANSWER_FORGED,
    {
      forged: encoded({
        op: 'host',
        request: { op: 'call', iface: 'test:big/api', name: 'take', args: [new Uint8Array(32 * 1024)] },
        fuel: 0,
      }),
    },
    {
      maxHostArgBytes: limit,
      deadlineMs: 20_000,
      imports: {
        'test:big/api': {
          take: (bytes: Uint8Array) => {
            received = Math.max(received, bytes.byteLength);
            return 0;
          },
        },
      },
    },
  );
  workers = hostile.workers;
  const failure = await callFailure(hostile.sandbox);
  expect(received).toBeLessThanOrEqual(limit);
  expect(failure).toMatchObject({ code: 'internal', details: { reason: 'channel' } });
}, 60_000);
