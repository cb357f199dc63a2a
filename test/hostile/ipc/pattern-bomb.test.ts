/**
 * Attack: make pattern matching explode, or pile up subscriptions. A guest-written pattern of
 * nothing but `**` segments against long topics, and long guest-chosen targets against a grant
 * full of wildcards, are matched segment by segment (no backtracking regular expression); a
 * sandbox may hold at most 256 subscriptions.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true }, false);
});
afterAll(() => w.close());

it('matches a pattern of 85 ** segments against 120-segment topics in linear time', async () => {
  const logs: string[] = [];
  w.kernel.on('guest:log', (e) => void logs.push(String(e.data?.message)));
  const bomb = Array(85).fill('**').join('.');
  expect(bomb.length).toBeLessThanOrEqual(255);
  const sub = await w.spawn('/b/sub', { subscribe: ['**'] });
  const pub = await w.spawn('/b/pub', { publish: ['**'] });
  w.kernel.sched.send(sub, 'quiet');
  w.kernel.sched.send(sub, `subscribe ${bomb}`);
  await w.kernel.sched.run();
  const topic = Array(120).fill('a').join('.');
  const started = performance.now();
  for (let i = 0; i < 100; i++) w.kernel.sched.send(pub, `publish ${topic} x`);
  await w.kernel.sched.run();
  expect(performance.now() - started).toBeLessThan(5000);
  expect(w.kernel.sched.service(sub)?.delivered).toBe(102);
  expect(logs.filter((l) => l.startsWith('publish ok'))).toHaveLength(100);
});

it('caps the subscriptions of one sandbox at 256', async () => {
  const logs: string[] = [];
  const greedy = await w.spawn('/b/greedy', { subscribe: ['t.*'] });
  w.kernel.on('guest:log', (e) => {
    if (e.sandbox === greedy.id) logs.push(String(e.data?.message));
  });
  for (let i = 0; i < 300; i++) w.kernel.sched.send(greedy, `subscribe t.s${i}`);
  await w.kernel.sched.run();
  const statuses = logs.filter((l) => l.startsWith('subscribe '));
  expect(statuses.filter((l) => l === 'subscribe ok')).toHaveLength(256);
  expect(statuses.filter((l) => l === 'subscribe invalid-argument')).toHaveLength(44);
  // Subscribing again to a pattern it holds is not a new subscription.
  w.kernel.sched.send(greedy, 'subscribe t.s0');
  await w.kernel.sched.run();
  expect(logs.at(-1)).toBe('subscribe ok');
});

it('checks a long target against a wildcard-heavy grant in linear time', async () => {
  // As a regular expression (/^\/x\/[^/]+a[^/]+a…b$/), this takes exponential time on a run of a's.
  const grant = `/x/${Array(20).fill('*a').join('')}*b`;
  const mallory = await w.spawn('/b/mallory', { peers: [grant] });
  const logs: string[] = [];
  w.kernel.on('guest:log', (e) => {
    if (e.sandbox === mallory.id) logs.push(String(e.data?.message));
  });
  const target = `/x/${'a'.repeat(240)}`;
  const started = performance.now();
  for (let i = 0; i < 20; i++) w.kernel.sched.send(mallory, `send ${target} hi`);
  await w.kernel.sched.run();
  expect(performance.now() - started).toBeLessThan(5000);
  expect(logs.filter((l) => l === 'send capability-denied')).toHaveLength(20);
});
