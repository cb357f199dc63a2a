/**
 * Attack: a `host` frame with no request (or a null one). The kernel reads `request.op` outside
 * of any guard (remote.ts `serve`), so a TypeError escapes to the embedder from `callSync` and
 * `call`, the sandbox is not ended and the worker is left in the middle of a host call the
 * kernel will never answer. A frame out of protocol must end the sandbox with `internal`
 * (reason `channel`), as the channel's documentation says.
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { encoded, endWorkers, hostileWorkerSandbox } from '../../helpers/hostile-worker.js';

const BODY = `waitCall(); write(workerData.forged); Atomics.wait(words, 1, Atomics.load(words, 1), 60000);`;

const FORGERIES: Record<string, unknown> = {
  'no request': { op: 'host', fuel: 0 },
  'a null request': { op: 'host', request: null, fuel: 0 },
  'a request that is a number': { op: 'host', request: 7, fuel: 0 },
};

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

describe('a host frame without a request', () => {
  for (const [name, forged] of Object.entries(FORGERIES)) {
    it(`${name}: the synchronous call ends the sandbox with internal (channel)`, async () => {
      const hostile = await hostileWorkerSandbox(BODY, { forged: encoded(forged) }, { deadlineMs: 5_000 });
      workers = hostile.workers;
      let failure: unknown;
      try {
        hostile.sandbox.callSync('f', []);
      } catch (error) {
        failure = error;
      }
      expect(failure).toMatchObject({ code: 'internal', details: { reason: 'channel' } });
      expect(hostile.deaths).toHaveLength(1);
    });

    it(`${name}: the call on the event loop ends the sandbox with internal (channel)`, async () => {
      const hostile = await hostileWorkerSandbox(BODY, { forged: encoded(forged) }, { deadlineMs: 5_000 });
      workers = hostile.workers;
      const failure = await hostile.sandbox.call('f', []).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'internal', details: { reason: 'channel' } });
      expect(hostile.deaths).toHaveLength(1);
    });
  }
});
