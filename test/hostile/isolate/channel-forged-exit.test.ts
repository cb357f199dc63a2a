/**
 * Attack: a `result` frame whose outcome is `$exit`, from a sandbox that was never granted
 * `wasi:cli/exit`, or with a status that is no exit status (a string, a huge number, an
 * object). `settle` (remote.ts) throws `GuestExit(status)` whatever it is: the kernel ends the
 * sandbox as `exited` with that status (the `sandbox:exit` event and `invoke`'s `exit` carry a
 * value the guest chose, of any type) although the guest had no exit to call. The kernel must
 * believe an exit only when it granted one, with a status that is an exit status; otherwise the
 * frame is out of protocol (internal, reason channel).
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ANSWER_FORGED,
  callFailure,
  encoded,
  endWorkers,
  hostileWorkerSandbox,
} from '../../helpers/hostile-worker.js';

const exit = (status: unknown) => ({
  op: 'result',
  id: 1,
  outcome: { $exit: status },
  fuel: 0,
  exhausted: false,
});

const CASES: Record<string, { status: unknown; exitGranted: boolean }> = {
  'an exit without the grant': { status: 0, exitGranted: false },
  'a string status': { status: 'rm -rf', exitGranted: true },
  'an object status': { status: { code: 1 }, exitGranted: true },
  'a status past 32 bits': { status: 2 ** 40, exitGranted: true },
};

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

describe('a forged guest exit', () => {
  for (const [name, { status, exitGranted }] of Object.entries(CASES)) {
    it(`${name}: refused as out of protocol`, async () => {
      const hostile = await hostileWorkerSandbox(
        ANSWER_FORGED,
        { forged: encoded(exit(status)) },
        { deadlineMs: 5_000, exitGranted },
      );
      workers = hostile.workers;
      const failure = await callFailure(hostile.sandbox);
      expect((failure as Error).name).not.toBe('GuestExit');
      expect(failure).toMatchObject({ code: 'internal', details: { reason: 'channel' } });
    });
  }
});
