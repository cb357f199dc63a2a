/**
 * Attack: the worker posts `resource-limit` notices on the channel's port that Keel's worker
 * code never would: a limit that does not exist, a `max` of its choosing (the kernel spreads the
 * notice after its own `max`, sandbox.ts `resourceLimitReached`), an 8 MiB field, and a
 * thousand of them in one call (Keel's worker sends at most one a call). The kernel forwards
 * each as it came (`#notice` checks only that `reached` is an object): the sandbox's
 * `resource:limit` events say what the guest wants, as large as it wants. The kernel must take
 * only notices of the protocol's shape, and at most one a call.
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { encoded, endWorkers, hostileWorkerSandbox } from '../../helpers/hostile-worker.js';

const BODY = `
  waitCall();
  const big = 'x'.repeat(8 << 20);
  init.port.postMessage({ op: 'resource-limit', reached: { limit: 'handles', kind: big, max: 1e9 } });
  init.port.postMessage({ op: 'resource-limit', reached: { limit: 'constructor', kind: 'a' } });
  for (let i = 0; i < 1000; i++) {
    init.port.postMessage({ op: 'resource-limit', reached: { limit: 'hostArgBytes', bytes: i, import: 'x' } });
  }
  Atomics.add(words, 4, 1002);
  write(workerData.result);
  Atomics.wait(words, 1, Atomics.load(words, 1), 60000);
`;

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

it('forged resource-limit notices never reach the sandbox as they were written', async () => {
  const reached: Record<string, unknown>[] = [];
  const hostile = await hostileWorkerSandbox(
    BODY,
    { result: encoded({ op: 'result', id: 1, outcome: { ok: 0 }, fuel: 0, exhausted: false }) },
    { deadlineMs: 5_000, onResourceLimit: (r) => reached.push(r as unknown as Record<string, unknown>) },
  );
  workers = hostile.workers;
  await hostile.sandbox.call('f', []).catch(() => {});
  // Let the port's listener take whatever is left.
  await new Promise((resolve) => setTimeout(resolve, 200));
  // At most one a call, each of the protocol's shape.
  expect(reached.length).toBeLessThanOrEqual(1);
  for (const r of reached) {
    expect(['handles', 'hostArgBytes']).toContain(r.limit);
    expect(r).not.toHaveProperty('max');
    expect(JSON.stringify(r).length).toBeLessThan(1024);
  }
}, 60_000);
