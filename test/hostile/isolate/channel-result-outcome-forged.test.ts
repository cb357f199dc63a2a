/**
 * Attack: a `result` frame for the call in progress whose outcome is not one the protocol has:
 * missing, null, a `$keel` that is null, a `$keel` whose code is not in Keel's error catalog,
 * one whose message is an object that cannot become a string. `settle` (remote.ts) believes the
 * shape: a TypeError escapes to the embedder (not a KeelError), or a KeelError with a code the
 * catalog does not have, and the sandbox is not ended. A result out of protocol must end the
 * sandbox with `internal` (reason `channel`).
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../host/kernel/errors.js';
import {
  ANSWER_FORGED,
  CALL_PATHS,
  callFailure,
  encoded,
  endWorkers,
  hostileWorkerSandbox,
} from '../../helpers/hostile-worker.js';

const result = (outcome: unknown) => ({ op: 'result', id: 1, outcome, fuel: 0, exhausted: false });

const FORGERIES: Record<string, unknown> = {
  'no outcome': { op: 'result', id: 1, fuel: 0, exhausted: false },
  'a null outcome': result(null),
  'a null $keel': result({ $keel: null }),
  'a code outside the catalog': result({ $keel: { code: 'granted', message: 'yes' } }),
  'a message that is no string': result({ $keel: { code: 'trap', message: { toString: 1 } } }),
};

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

function check(failure: unknown, deaths: unknown[]): void {
  expect(failure).toMatchObject({ code: 'internal', details: { reason: 'channel' } });
  expect(ERROR_CODES).toContain((failure as { code: string }).code);
  expect(deaths).toHaveLength(1);
}

describe.each(CALL_PATHS)('a result frame whose outcome is out of protocol, to %s', (path) => {
  it.each(Object.entries(FORGERIES))('%s: ends the sandbox with internal (channel)', async (_, forged) => {
    const hostile = await hostileWorkerSandbox(
      ANSWER_FORGED,
      { forged: encoded(forged) },
      { deadlineMs: 5_000 },
    );
    workers = hostile.workers;
    check(await callFailure(hostile.sandbox, path), hostile.deaths);
  });
});
