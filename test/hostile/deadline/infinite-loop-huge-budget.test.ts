/**
 * Attack: a compute loop that never ends, given all the fuel there is (2^53 - 1, days of
 * compute). The fuel goes out in slices and the clock is read at the end of each: the deadline
 * stops the loop within a slice, through `invoke` and through the fast path, and the host's
 * event loop runs again right after.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../../host/index.js';
import { type DeadlineWorld, deadlineWorld, expectTimedOut, guest, HUGE, stopped } from './support.js';

let w: DeadlineWorld;
beforeAll(() => {
  w = deadlineWorld();
});
afterAll(() => w.close());

it('invoke: the deadline stops it, timeout, deadline:exceeded, sandbox poisoned', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'spin'));
  const result = await stopped(() => sandbox.invoke('loop'));
  expectTimedOut(result);
  expect(sandbox.state).toBe('poisoned');
  expect(sandbox.failure?.code).toBe('timeout');
  const exceeded = w.events.filter((e) => e.event === 'deadline:exceeded' && e.sandbox === sandbox.id);
  expect(exceeded).toHaveLength(1);
  expect(exceeded[0]!.data).toMatchObject({ export: 'loop', deadlineMs: 300 });
  expect(w.events.find((e) => e.event === 'invoke:error' && e.sandbox === sandbox.id)?.error?.code).toBe(
    'timeout',
  );
  await expect(sandbox.invoke('loop')).rejects.toMatchObject({ code: 'killed' });
});

it('fast path: the deadline stops it too (its clock starts at its first slice)', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'spin'));
  const loop = sandbox.fn<() => void>('loop');
  expectTimedOut(await stopped(() => loop()));
  expect(sandbox.state).toBe('poisoned');
});

it('an untimed invokeSync (timing: false, as deliveries call) with its end observed: the deadline stops it too', async () => {
  // No clock is read at its start: its deadline's clock starts at its first slice, as the fast
  // path's does.
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'spin'));
  expectTimedOut(await stopped(() => sandbox.invokeSync('loop', [], { timing: false })));
  expect(sandbox.state).toBe('poisoned');
  expect(sandbox.failure?.code).toBe('timeout');
});

// Nothing observes these calls (an observed invoke:end times the call): they read no clock at
// their start, and the deadline's clock starts at their first fuel slice.
it('untimed by default and unobserved: the deadline stops invokeSync, invoke and timing: false alike', async () => {
  const kernel = new Kernel({ limits: HUGE });
  try {
    const module = await guest(kernel, 'spin');
    const calls: ((s: Sandbox) => unknown)[] = [
      (s) => s.invokeSync('loop'),
      (s) => s.invoke('loop'),
      (s) => s.invokeSync('loop', [], { timing: false }),
      (s) => s.invoke('loop', [], { timing: false }),
    ];
    for (const call of calls) {
      const sandbox = await kernel.spawn(module);
      expectTimedOut(await stopped(() => call(sandbox)));
      expect(sandbox.state).toBe('poisoned');
      expect(sandbox.failure?.code).toBe('timeout');
    }
  } finally {
    await kernel.close();
  }
});

it('the host goes on: a new sandbox of the same module runs', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'spin'), { limits: { fuel: 1000 } });
  await expect(sandbox.invoke('loop')).rejects.toMatchObject({ code: 'fuel-exhausted' });
});
