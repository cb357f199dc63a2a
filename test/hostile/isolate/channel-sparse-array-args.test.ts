/**
 * Attack: a host call frame whose `args` (or a result frame whose value) is a value of the
 * codec's CLONED tag (bytes for V8's deserializer): a sparse array of length 2^25 in 19 bytes.
 * The codec checks every count of its own tags against the bytes there are, but V8's format
 * keeps a sparse array's length as it is, and the kernel then walks the array index by index on
 * its thread (`args.map` in `serve`, the walk of `ObjectTable.decode`, remote.ts), past the
 * call's deadline. At 2^32-1 (the same 19 bytes) that walk takes tens of minutes: every sandbox
 * and the embedder stop. The kernel must refuse the frame (internal, reason channel) at once.
 */

import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import {
  ANSWER_FORGED,
  callFailure,
  endWorkers,
  hostileWorkerSandbox,
  withClonedValue,
} from '../../helpers/hostile-worker.js';

const LENGTH = 2 ** 25;

const marker = 'SPARSE-PLACEHOLDER';

/** The frame of `message` with its `marker` string replaced by a CLONED sparse array. */
function sparseArrayFrame(message: unknown): Uint8Array {
  const sparse: unknown[] = [];
  sparse.length = LENGTH;
  return withClonedValue(message, marker, sparse);
}

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

const FORGERIES: Record<string, unknown> = {
  "a host call's args": {
    op: 'host',
    request: { op: 'call', iface: 'test:sparse/api', name: 'f', args: marker },
    fuel: 0,
  },
  "a call's result": { op: 'result', id: 1, outcome: { ok: marker }, fuel: 0, exhausted: false },
};

it.each(Object.entries(FORGERIES))(
  '%s as a huge sparse array is refused at once',
  async (_, message) => {
    let called = 0;
    const hostile = await hostileWorkerSandbox(
      ANSWER_FORGED,
      { forged: sparseArrayFrame(message) },
      { imports: { 'test:sparse/api': { f: () => ++called } }, deadlineMs: 1_000 },
    );
    workers = hostile.workers;
    const started = performance.now();
    const failure = await callFailure(hostile.sandbox);
    const elapsed = performance.now() - started;
    // The kernel's thread was not held for the walk (2^25 holes take seconds; 2^32-1, minutes).
    expect(elapsed).toBeLessThan(1_500);
    expect(failure).toMatchObject({ code: 'internal', details: { reason: 'channel' } });
    expect(called).toBe(0);
  },
  120_000,
);
