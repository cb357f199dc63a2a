/**
 * Attack: a host call on the channel's port (frame length -1) whose argument is a Uint8Array on
 * a SharedArrayBuffer. Structured clone shares such memory instead of copying it, so the host
 * function in the kernel's thread gets a live view that the worker keeps writing while the host
 * function reads it: whatever the provider checked (a path, a header, a length prefix) can
 * change between its check and its use. The codec's own BYTES never carries shared memory
 * (codec.ts copies); the port must not either: the kernel must copy, or refuse the call.
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { endWorkers, hostileWorkerSandbox } from '../../helpers/hostile-worker.js';

const BODY = `
  waitCall();
  const shared = new Uint8Array(new SharedArrayBuffer(16));
  shared.set([0x2f, 0x6f, 0x6b]);
  init.port.postMessage({
    op: 'host',
    request: { op: 'call', iface: 'test:shared/api', name: 'take', args: [shared] },
    fuel: 0,
  });
  Atomics.store(words, 2, -1);
  Atomics.add(words, 0, 1);
  Atomics.notify(words, 0);
  // Flip the bytes while the kernel holds them.
  const end = Date.now() + 3000;
  while (Date.now() < end) shared[0] ^= 0x01;
  Atomics.wait(words, 1, Atomics.load(words, 1), 60000);
`;

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

it('a host function never gets a view of memory the worker can still write', async () => {
  let shared: boolean | undefined;
  const hostile = await hostileWorkerSandbox(
    BODY,
    {},
    {
      deadlineMs: 2_000,
      imports: {
        'test:shared/api': {
          take: (bytes: Uint8Array) => {
            shared = bytes.buffer instanceof SharedArrayBuffer;
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
    // A refusal (the channel broken) is one right answer; a copy is the other.
  }
  expect(shared).not.toBe(true);
}, 60_000);
