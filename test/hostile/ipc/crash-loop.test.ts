/**
 * Attack: crash on every message, forever. Under an on-failure restart policy the kernel
 * restarts the sandbox with exponential backoff (measured on the virtual clock), up to the
 * maximum, then gives up; the poison messages are consumed one per incarnation, and bystanders
 * are served throughout.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld, received } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true });
});
afterAll(() => w.close());

it('backs off exponentially, up to the cap and the maximum, then gives up', async () => {
  const restarts: { at: number; delay: number; attempt: number }[] = [];
  const spawns: number[] = [];
  w.kernel.on('sandbox:restart', (e) => {
    if (e.status === 'ok')
      restarts.push({
        at: w.kernel.sched.now(),
        delay: e.data?.delay_ms as number,
        attempt: e.data?.attempt as number,
      });
  });
  w.kernel.on('sandbox:spawn', () => void spawns.push(w.kernel.sched.now()));
  const crasher = await w.spawn('/c/crasher', {
    sched: {
      restart: { policy: 'on-failure', maxRestarts: 6, backoff: { initialMs: 50, factor: 2, maxMs: 800 } },
    },
  });
  const bystander = await w.spawn('/c/bystander');
  for (let i = 0; i < 10; i++) w.kernel.sched.send(crasher, 'trap');
  for (let i = 0; i < 10; i++) w.kernel.sched.send(bystander, `work-${i}`);
  const spawnsBefore = spawns.length;
  const result = await w.kernel.sched.run();
  expect(result.reason).toBe('idle');
  expect(restarts.map((r) => r.delay)).toEqual([50, 100, 200, 400, 800, 800]);
  expect(restarts.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
  // Each successor was spawned no earlier than its backoff after the crash.
  const respawns = spawns.slice(spawnsBefore);
  expect(respawns).toHaveLength(6);
  for (const [i, at] of respawns.entries()) {
    expect(at - restarts[i]!.at).toBeGreaterThanOrEqual(restarts[i]!.delay);
  }
  expect(w.kernel.sched.service('crasher')).toBeUndefined();
  const ended = w.kernel.sched.services().find((s) => s.name === 'crasher')!;
  expect(ended).toMatchObject({ state: 'ended', restarts: 6, history: expect.any(Array) });
  expect(ended.history).toHaveLength(7);
  // 7 incarnations consumed 7 poison messages; the other 3 were dropped when it gave up.
  expect(w.named('sandbox:crash')).toHaveLength(7);
  expect(w.named('ipc:drop').filter((e) => e.data?.to === ended.history[6])).toHaveLength(3);
  expect(w.named('sandbox:restart').at(-1)).toMatchObject({
    status: 'error',
    data: { reason: 'max-restarts' },
  });
  expect(received(w.logs(bystander))).toHaveLength(10);
  expect(bystander.state).toBe('ready');
});

it('counts restarts in a window when asked, so a rare crash is always restarted', async () => {
  const flaky = await w.spawn('/c/flaky', {
    sched: { restart: { policy: 'on-failure', maxRestarts: 1, windowMs: 1000, backoff: { initialMs: 10 } } },
  });
  w.kernel.sched.send(flaky, 'trap');
  await w.kernel.sched.run();
  // Far outside the window, another crash is restarted again.
  w.kernel.sched.send('/c/flaky', 'spin 10');
  await w.kernel.sched.run();
  const before = w.kernel.sched.now();
  await w.kernel.sched.run({ deadlineMs: 5000, untilIdle: false });
  expect(w.kernel.sched.now() - before).toBeGreaterThanOrEqual(5000);
  w.kernel.sched.send('/c/flaky', 'trap');
  await w.kernel.sched.run();
  expect(w.kernel.sched.service('/c/flaky')).toMatchObject({ state: 'running', restarts: 2 });
  // The first restart had left the window: the second one waits the initial delay again.
  const restarts = w.named('sandbox:restart').filter((e) => e.data?.service === 'flaky');
  expect(restarts.map((e) => [e.data?.attempt, e.data?.delay_ms])).toEqual([
    [1, 10],
    [1, 10],
  ]);
  expect(flaky.state).toBe('poisoned');
});
