/**
 * Attack: the worker never waits for the kernel's reply; it bumps its frame's sequence word in a
 * tight loop, so that each time the kernel looks there is a "new" host call (the same bytes,
 * replayed). The kernel serves one, replies, looks again: there is always another. It must still
 * keep its deadline (`deadlineMs`) and, on the event-loop path, let the loop run (timers, kills,
 * other sandboxes): the kernel's thread is everyone's. The same when a host call is always there
 * when the kernel looks after its reply (made certain here by the host function, which a racing
 * worker only makes likely): a deadline looked at only when the channel is quiet is never looked
 * at, and a loop that awaits only microtasks never lets a timer run.
 */

import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { callFailure, encoded, endWorkers, hostileWorkerSandbox } from '../../helpers/hostile-worker.js';

const FLOOD_MS = 8_000;
const DEADLINE_MS = 300;

const FLOODER = `
  waitCall();
  frame.set(workerData.host);
  Atomics.store(words, 2, workerData.host.length);
  const end = Date.now() + workerData.floodMs;
  while (Date.now() < end) {
    Atomics.add(words, 0, 1);
    Atomics.notify(words, 0);
  }
  Atomics.wait(words, 1, Atomics.load(words, 1), 60000);
`;

/** One host call, then sleep: the host function below makes it look like the next, for ever. */
const ONE_CALL = `
  waitCall();
  write(workerData.host);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
`;

/**
 * A host function that bumps the worker's sequence word (header word 0) before it returns, for
 * `FLOOD_MS`: each time the kernel looks after its reply, a "new" host call is there, however
 * the threads are scheduled (a worker doing this itself races the kernel, and under load the
 * kernel sees quiet moments).
 */
function replaying(words: () => Int32Array<ArrayBufferLike>): () => number {
  const end = performance.now() + FLOOD_MS;
  return () => {
    if (performance.now() < end) Atomics.add(words(), 0, 1);
    return 0;
  };
}

const host = encoded({
  op: 'host',
  request: { op: 'call', iface: 'test:flood/api', name: 'f', args: [] },
  fuel: 0,
});

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

type Hostile = Awaited<ReturnType<typeof hostileWorkerSandbox>>;

/** The worker bumps its own sequence word in a tight loop. */
async function flooder(): Promise<Hostile> {
  return hostileWorkerSandbox(FLOODER, { host, floodMs: FLOOD_MS }, { deadlineMs: DEADLINE_MS });
}

/** One host call; the host function makes a "new" one appear each time the kernel looks. */
async function replayed(): Promise<Hostile> {
  let words: Int32Array<ArrayBufferLike> = new Int32Array(1);
  const f = replaying(() => words);
  const hostile = await hostileWorkerSandbox(
    ONE_CALL,
    { host },
    { deadlineMs: DEADLINE_MS, imports: { 'test:flood/api': { f } } },
  );
  words = hostile.words;
  return hostile;
}

describe.each([
  ['a worker that floods the channel with frames', flooder],
  ['a host call always there when the kernel looks', replayed],
])('%s', (_attack, attack) => {
  it('a synchronous call still ends at its deadline', async () => {
    const hostile = await attack();
    workers = hostile.workers;
    const started = performance.now();
    const failure = await callFailure(hostile.sandbox);
    const elapsed = performance.now() - started;
    expect(failure).toMatchObject({ code: 'timeout' });
    // The kernel's thread was blocked for the deadline and a margin, not for as long as the
    // worker chose to flood.
    expect(elapsed).toBeLessThan(DEADLINE_MS + 2_000);
  }, 60_000);

  it('a call on the event loop ends at its deadline, and the loop keeps running', async () => {
    const hostile = await attack();
    workers = hostile.workers;
    const started = performance.now();
    // A timer of the embedder (or another sandbox's deadline) due soon after the call starts.
    let timerLate = Number.POSITIVE_INFINITY;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        timerLate = performance.now() - started - 50;
        resolve();
      }, 50),
    );
    const failure = await hostile.sandbox.call('f', []).catch((error: unknown) => error);
    const elapsed = performance.now() - started;
    await timer;
    expect(failure).toMatchObject({ code: 'timeout' });
    expect(elapsed).toBeLessThan(DEADLINE_MS + 2_000);
    expect(timerLate).toBeLessThan(1_500);
  }, 60_000);
});
