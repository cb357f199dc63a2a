/**
 * Attack: crash on every delivery, forever, under a restart policy with a long window and a huge
 * maximum (`windowMs: 3_600_000`, `maxRestarts: 1e9`, backoff 0). The service kept every
 * restart's time within the window, up to `maxRestarts` of them: one number a restart for the
 * hour, bounded only by the spawn rate. It now counts them in at most `RESTART_BUCKETS + 1`
 * buckets; the count may run up to a 64th of the window long (the kernel gives up slightly
 * early, never late) and is exact for restarts further apart than that.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventBus } from '../../../host/events/bus.js';
import { DEFAULT_LIMITS } from '../../../host/kernel/limits.js';
import { mayRestart, scheduleRestart } from '../../../host/sched/lifecycle.js';
import { Mailbox } from '../../../host/sched/mailbox.js';
import { Service } from '../../../host/sched/service.js';
import { SchedState } from '../../../host/sched/state.js';
import { type Ending, RESTART_BUCKETS, resolveRestart } from '../../../host/sched/supervise.js';
import { type IpcWorld, ipcWorld } from '../../ipc/harness.js';

const HOUR = 3_600_000;
const CRASH: Ending = { reason: 'trap', failure: true, drop: false };

let w: IpcWorld;
beforeAll(async () => {
  // Events not recorded: 200 incarnations' events would be most of the test's memory.
  w = await ipcWorld({ deterministic: true }, false);
});
afterAll(() => w.close());

/** Array elements reachable from `root` through its own properties: what a service holds per restart. */
function heldElements(root: object): number {
  const seen = new Set<object>();
  let held = 0;
  const walk = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      held += (value as unknown as ArrayLike<unknown>).length;
      return;
    }
    if (Array.isArray(value)) held += value.length;
    for (const child of Object.values(value)) walk(child);
  };
  walk(root);
  return held;
}

/** A service under `policy` in a deterministic scheduler that spawns nothing: supervision's bookkeeping alone. */
function supervised(policy: Parameters<typeof resolveRestart>[0]): { s: SchedState; service: Service } {
  const bus = { emit: () => {} } as unknown as EventBus;
  const s = new SchedState({
    bus,
    limits: DEFAULT_LIMITS,
    deterministic: true,
    spawn: () => Promise.reject(new Error('not spawned')),
    mount: () => {},
    sandbox: () => undefined,
  });
  const restart = resolveRestart(policy);
  const service = new Service(
    'crasher',
    0,
    undefined,
    '/c/crasher',
    {},
    new Mailbox(8),
    1,
    restart,
    undefined,
    undefined,
    undefined,
  );
  return { s, service };
}

/** One crash now: whether it is restarted, and the attempt it was given. */
function crash(s: SchedState, service: Service): number | undefined {
  if (!mayRestart(s, service)) return undefined;
  scheduleRestart(s, service, CRASH);
  s.timers.cancel(service.restartTimer);
  s.timers.next(); // drops the cancelled timer
  return service.attempt;
}

it('restarts a service crashing on every delivery, each restart counted within the window', async () => {
  const attempts: number[] = [];
  w.kernel.on('sandbox:restart', (e) => void attempts.push(e.data?.attempt as number));
  const crasher = await w.spawn('/c/crasher', {
    sched: { restart: { policy: 'on-failure', maxRestarts: 1e9, windowMs: HOUR, backoff: { initialMs: 0 } } },
  });
  for (let i = 0; i < 200; i++) w.kernel.sched.send(crasher, 'trap');
  expect((await w.kernel.sched.run()).reason).toBe('idle');
  expect(w.kernel.sched.service('/c/crasher')).toMatchObject({ state: 'running', restarts: 200 });
  expect(attempts).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
});

it('holds a bounded number of restart times after 15,000 crashes in the window', () => {
  const { s, service } = supervised({
    policy: 'on-failure',
    maxRestarts: 1e9,
    windowMs: HOUR,
    backoff: { initialMs: 0 },
  });
  const heldBefore = heldElements(service);
  // One crash every 360 ms: 10,000 in the hour, then 5,000 more as the oldest leave it.
  const every = 360;
  const width = HOUR / RESTART_BUCKETS;
  let under = 0;
  let over = 0;
  for (let i = 0; i < 15_000; i++) {
    const attempt = crash(s, service)!;
    // The restarts within the window (now - t <= windowMs), this one included.
    const exact = Math.min(i, Math.floor(HOUR / every)) + 1;
    if (attempt < exact) under++;
    over = Math.max(over, attempt - exact);
    s.clock.advance(every);
  }
  // Constant memory: 10,000 times were held before (`restartTimes`, one number a restart, each
  // crash filtering them all).
  expect(heldElements(service) - heldBefore).toBeLessThanOrEqual(3 * (RESTART_BUCKETS + 1));
  // Never fewer than there were; at most a bucket's worth more (within a 64th of the window of
  // leaving it), and only once the oldest leave.
  expect(under).toBe(0);
  expect(over).toBeGreaterThan(0);
  expect(over).toBeLessThanOrEqual(Math.ceil(width / every));
  // A quiet hour forgets them all: the next crash is the first again.
  s.clock.advance(HOUR + 1);
  expect(crash(s, service)).toBe(1);
  expect(heldElements(service) - heldBefore).toBe(3);
});

it('still gives up at maxRestarts within the window, and counts sparse restarts exactly', () => {
  const { s, service } = supervised({
    policy: 'on-failure',
    maxRestarts: 1000,
    windowMs: HOUR,
    backoff: { initialMs: 0 },
  });
  const attempts: (number | undefined)[] = [];
  for (let i = 0; i < 1001; i++) {
    attempts.push(crash(s, service));
    s.clock.advance(36);
  }
  expect(attempts.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  expect(attempts[1000]).toBeUndefined();
  // Restarts further apart than a bucket (a 64th of the window) are counted as their times say:
  // 3 in the window, the 4th earlier one just out of it.
  const sparse = supervised({
    policy: 'on-failure',
    maxRestarts: 3,
    windowMs: 6400,
    backoff: { initialMs: 0 },
  });
  const seen: (number | undefined)[] = [];
  for (let i = 0; i < 8; i++) {
    seen.push(crash(sparse.s, sparse.service));
    sparse.s.clock.advance(3200);
  }
  expect(seen).toEqual([1, 2, 3, 3, 3, 3, 3, 3]);
});
