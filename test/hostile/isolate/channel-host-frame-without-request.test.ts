/**
 * Attack: a `host` frame with no request (or a null one). The kernel reads `request.op` outside
 * of any guard (remote.ts `serve`), so a TypeError escapes to the embedder from `callSync` and
 * `call`, the sandbox is not ended and the worker is left in the middle of a host call the
 * kernel will never answer. A frame out of protocol must end the sandbox with `internal`
 * (reason `channel`), as the channel's documentation says.
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ANSWER_FORGED,
  CALL_PATHS,
  callFailure,
  encoded,
  endWorkers,
  hostileWorkerSandbox,
} from '../../helpers/hostile-worker.js';

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

describe.each(CALL_PATHS)('a host frame without a request, to %s', (path) => {
  it.each(Object.entries(FORGERIES))('%s: ends the sandbox with internal (channel)', async (_, forged) => {
    const hostile = await hostileWorkerSandbox(
      ANSWER_FORGED,
      { forged: encoded(forged) },
      { deadlineMs: 5_000 },
    );
    workers = hostile.workers;
    expect(await callFailure(hostile.sandbox, path)).toMatchObject({
      code: 'internal',
      details: { reason: 'channel' },
    });
    expect(hostile.deaths).toHaveLength(1);
  });
});
