/**
 * Attack: crash on purpose, forever, under a restart policy that allows it (redteam17). Each
 * restart gave the service one more sandbox id to remember for its life (`service.history`, one
 * string a restart, copied by every summary), so a guest grew host memory without bound. The
 * service keeps the last `SERVICE_HISTORY` ids and counts the others; what the summary and the
 * events say stays true: the live id last, the restarts counted, the total ids had.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVICE_HISTORY } from '../../../host/kernel/limits.js';
import { type IpcWorld, ipcWorld } from '../../ipc/harness.js';

const CRASHES = 200;

let w: IpcWorld;
beforeAll(async () => {
  // Events not recorded: 200 incarnations' events would be most of the test's memory.
  w = await ipcWorld({ deterministic: true }, false);
});
afterAll(() => w.close());

it('keeps the last SERVICE_HISTORY ids of a service that crashes on every message', async () => {
  const attempts: number[] = [];
  let lastRestarted: string | undefined;
  w.kernel.on('sandbox:restart', (e) => {
    attempts.push(e.data?.attempt as number);
    lastRestarted = e.sandbox;
  });
  const crasher = await w.spawn('/c/crasher', {
    sched: { restart: { policy: 'on-failure', maxRestarts: 1_000_000, backoff: { initialMs: 0 } } },
  });
  for (let i = 0; i < CRASHES; i++) w.kernel.sched.send(crasher, 'trap');
  expect((await w.kernel.sched.run()).reason).toBe('idle');
  const info = w.kernel.sched.service('/c/crasher')!;
  expect(info).toMatchObject({ state: 'running', restarts: CRASHES });
  // Bounded: the last SERVICE_HISTORY ids, the live one last; the others counted.
  expect(info.history).toHaveLength(SERVICE_HISTORY);
  expect(info.earlier).toBe(CRASHES + 1 - SERVICE_HISTORY);
  expect(info.history.at(-1)).toBe(info.sandbox);
  expect(new Set(info.history).size).toBe(SERVICE_HISTORY);
  // Every restart counted (no window: a count, not a list of times), the last event naming the
  // id that had just crashed.
  expect(attempts).toEqual(Array.from({ length: CRASHES }, (_, i) => i + 1));
  expect(lastRestarted).toBe(info.history.at(-2));
  // The first sandbox is no longer in the history: asked about, it names no service.
  expect(w.kernel.sched.service(crasher)).toBeUndefined();
  expect(w.kernel.sched.services().find((s) => s.name === 'crasher')).toEqual(info);
});
