/**
 * Attack: sleep forever in small steps. A WASI command sleeps 1 s in a loop (`poll_oneoff` on a
 * relative clock: `subscribe-duration` + `block`), paying only each call's fuel. Each sleep
 * blocks the kernel's thread (inline placement): on main the loop froze the kernel for good.
 * Every wait is now capped by the call's deadline, and the wait that reaches it fails the call
 * with `timeout`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DeadlineWorld, deadlineWorld, expectTimedOut, guest, stopped } from './support.js';

let w: DeadlineWorld;
beforeAll(() => {
  w = deadlineWorld();
});
afterAll(() => w.close());

it('a loop of 1 s sleeps is stopped at the deadline; the kernel runs again right after', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'sleep-loop'), {
    grants: ['wasi:clocks/*'],
    denial: 'call',
  });
  expectTimedOut(await stopped(() => sandbox.invoke('wasi:cli/run#run')), { sleeps: true });
  expect(sandbox.state).toBe('poisoned');
  expect(w.events.filter((e) => e.event === 'deadline:exceeded')).toHaveLength(1);
});
