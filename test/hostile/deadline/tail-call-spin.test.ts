/**
 * Attack: never-ending compute without a loop: a function that tail-calls itself forever
 * (`return_call`, so the stack never grows). Only function-entry checks see it; they refill
 * by restarting the function through a trampoline, and the deadline stops it there.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DeadlineWorld, deadlineWorld, expectTimedOut, guest, stopped } from './support.js';

let w: DeadlineWorld;
beforeAll(() => {
  w = deadlineWorld();
});
afterAll(() => w.close());

it('a chain of tail calls on 2^53 - 1 fuel is stopped by the deadline', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'spin'));
  expectTimedOut(await stopped(() => sandbox.invoke('tail-calls')));
  expect(sandbox.state).toBe('poisoned');
});
