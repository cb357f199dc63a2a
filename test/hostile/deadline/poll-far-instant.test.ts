/**
 * Attack: wait for an instant decades away in one call (`poll_oneoff` on an absolute clock:
 * `subscribe-instant` + `poll`). On main each such call held the kernel's thread for a second
 * and returned with nothing ready; a wait now sleeps until the instant or the deadline,
 * whichever comes first, and at the deadline the call fails with `timeout`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DeadlineWorld, deadlineWorld, expectTimedOut, guest, stopped } from './support.js';

let w: DeadlineWorld;
beforeAll(() => {
  w = deadlineWorld();
});
afterAll(() => w.close());

it('a poll on an instant 10^18 ns ahead ends at the deadline with timeout', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'poll-far-instant'), {
    grants: ['wasi:clocks/*'],
    denial: 'call',
  });
  expectTimedOut(await stopped(() => sandbox.invoke('wasi:cli/run#run')), { sleeps: true });
  expect(sandbox.state).toBe('poisoned');
});

it('a longer deadline is waited out in full, not in one-second steps', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'poll-far-instant'), {
    grants: ['wasi:clocks/*'],
    denial: 'call',
    limits: { deadlineMs: 1500 },
  });
  expectTimedOut(await stopped(() => sandbox.invoke('wasi:cli/run#run')), { deadlineMs: 1500, sleeps: true });
});
