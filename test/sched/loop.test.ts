/**
 * The delivery loop: background running, stopping, closing the kernel under it, one loop at a
 * time, real-time deadlines and timed actions.
 */
import { afterEach, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld, received } from '../ipc/harness.js';

let w: IpcWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

it('start() delivers in the background as messages come, until stop()', async () => {
  w = await ipcWorld();
  const b = await w.spawn('/l/b');
  w.kernel.sched.start();
  w.kernel.sched.send(b, 'one');
  await new Promise((resolve) => setTimeout(resolve, 20));
  w.kernel.sched.send(b, 'two');
  const reply = await w.kernel.sched.request(b, 'echo three', { timeoutMs: 2000 });
  expect(new TextDecoder().decode(reply)).toBe('v1 echo three');
  await w.kernel.sched.stop();
  expect(received(w.logs(b)).map((m) => m.body)).toEqual(['one', 'two', 'echo three']);
});

it('runs one loop at a time', async () => {
  w = await ipcWorld();
  const first = w.kernel.sched.run({ untilIdle: false, deadlineMs: 50 });
  await expect(w.kernel.sched.run()).rejects.toMatchObject({ code: 'invalid-argument' });
  expect((await first).reason).toBe('deadline');
});

it('ends a running loop and the embedder requests when the kernel closes', async () => {
  w = await ipcWorld();
  const b = await w.spawn('/l/b');
  w.kernel.sched.signal(b, 'stop');
  const pending = w.kernel.sched.request(b, 'echo', { timeoutMs: 60_000 });
  const loop = w.kernel.sched.run();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await w.kernel.close();
  expect((await loop).reason).toBe('closed');
  await expect(pending).rejects.toMatchObject({ code: 'killed' });
  expect(() => w!.kernel.sched.send('/l/b', 'late')).toThrow();
});

it('stops at a real-time deadline while a timer is pending', async () => {
  w = await ipcWorld();
  const b = await w.spawn('/l/b');
  w.kernel.sched.signal(b, 'stop');
  const pending = w.kernel.sched.request(b, 'echo', { timeoutMs: 10_000 });
  const started = performance.now();
  const result = await w.kernel.sched.run({ deadlineMs: 60 });
  expect(result.reason).toBe('deadline');
  expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  expect(performance.now() - started).toBeLessThan(5000);
  pending.catch(() => {});
});

it('runs timed actions on the virtual clock in deterministic mode', async () => {
  w = await ipcWorld({ deterministic: true });
  const b = await w.spawn('/l/b');
  const seen: number[] = [];
  w.kernel.sched.schedule(3_600_000, () => {
    seen.push(w!.kernel.sched.now());
    w!.kernel.sched.send(b, 'an hour later');
  });
  const cancel = w.kernel.sched.schedule(10, () => seen.push(-1));
  cancel();
  const started = performance.now();
  const result = await w.kernel.sched.run();
  expect(result).toMatchObject({ reason: 'idle', deliveries: 1 });
  expect(seen).toEqual([3_600_000]);
  expect(performance.now() - started).toBeLessThan(1000);
  expect(received(w.logs(b)).map((m) => m.body)).toEqual(['an hour later']);
});
