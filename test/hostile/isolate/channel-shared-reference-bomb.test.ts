/**
 * Attack: a result frame whose value is of the codec's CLONED tag (bytes for V8's deserializer)
 * holding a chain of arrays that each refer twice to the next: `x = [x', x']`, 40 deep, 287
 * bytes. V8's format keeps shared references, so it deserializes as 41 arrays. The kernel then
 * copies the value as a tree (`ObjectTable.decode`'s walk, remote.ts): 2^depth arrays, on its
 * thread. Its depth bound (100) does not help: at 40 levels the copy never ends (or the heap
 * runs out and the process dies). Here 20 levels: a million arrays, tens of MiB. The kernel
 * must refuse the frame (internal, reason channel) at once, with bounded memory.
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import {
  ANSWER_FORGED,
  endWorkers,
  hostileWorkerSandbox,
  withClonedValue,
} from '../../helpers/hostile-worker.js';

const DEPTH = 20;
const marker = 'BOMB-PLACEHOLDER';

function bombFrame(): Uint8Array {
  let bomb: unknown[] = [];
  for (let i = 0; i < DEPTH; i++) bomb = [bomb, bomb];
  return withClonedValue(
    { op: 'result', id: 1, outcome: { ok: marker }, fuel: 0, exhausted: false },
    marker,
    bomb,
  );
}

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

it('a result made of shared references is refused, not copied out as a tree', async () => {
  const hostile = await hostileWorkerSandbox(ANSWER_FORGED, { forged: bombFrame() }, { deadlineMs: 1_000 });
  workers = hostile.workers;
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  // Only whether a value came back: a test failure must not print the tree.
  let returned = false;
  let failure: unknown;
  try {
    returned = hostile.sandbox.callSync('f', []) !== undefined;
  } catch (error) {
    failure = error;
  }
  const elapsed = performance.now() - started;
  const grown = process.memoryUsage().heapUsed - before;
  expect(returned).toBe(false);
  expect(elapsed).toBeLessThan(1_500);
  expect(grown).toBeLessThan(32 * 1024 * 1024);
  expect(failure).toMatchObject({ code: 'internal', details: { reason: 'channel' } });
}, 120_000);
