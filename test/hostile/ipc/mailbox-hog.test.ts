/**
 * Attack: one sender keeps a receiver's mailbox full, so that nobody else can reach it. Each
 * sending sandbox may hold only its share of a mailbox (`limits.mailboxSenderPercent`, 50 %
 * by default): past it the hog gets `mailbox-full` while a second sender still gets in.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true }, false);
});
afterAll(() => w.close());

it('stops the hog at its share of the mailbox and lets another sender in', async () => {
  const logs: string[] = [];
  const drops: Record<string, unknown>[] = [];
  const hog = await w.spawn('/h/hog', { peers: ['/h/victim'] });
  const other = await w.spawn('/h/other', { peers: ['/h/victim'] });
  const victim = await w.spawn('/h/victim', { limits: { mailboxLength: 64 } });
  w.kernel.on('guest:log', (e) => void logs.push(`${e.sandbox} ${e.data?.message}`));
  w.kernel.on('ipc:drop', (e) => void drops.push(e.data!));
  // The victim is stopped, so nothing it receives is consumed while the others send.
  w.kernel.sched.signal(victim, 'stop');
  w.kernel.sched.send(hog, 'flood /h/victim 1000 16');
  w.kernel.sched.send(other, 'sendn /h/victim 10 16');
  await w.kernel.sched.run();

  const hogLine = logs.find((l) => l.startsWith(`${hog.id} flood `))!;
  expect(hogLine).toMatch(/ok=32 failed=968/);
  expect(logs.find((l) => l.startsWith(`${other.id} sendn `))).toMatch(/ ok sent=10$/);
  expect(w.kernel.sched.service(victim)?.queued).toBe(42);
  // The hog's refusals say which share it ran into.
  expect(drops.find((d) => d.from === hog.id && d.reason === 'mailbox-full')).toMatchObject({ share: 32 });
});

it('still fills the mailbox when every sender keeps to its share', async () => {
  const logs: string[] = [];
  const a = await w.spawn('/k/a', { peers: ['/k/victim'] });
  const b = await w.spawn('/k/b', { peers: ['/k/victim'] });
  const c = await w.spawn('/k/c', { peers: ['/k/victim'] });
  const victim = await w.spawn('/k/victim', { limits: { mailboxLength: 10, mailboxSenderPercent: 40 } });
  w.kernel.on('guest:log', (e) => void logs.push(`${e.sandbox} ${e.data?.message}`));
  w.kernel.sched.signal(victim, 'stop');
  for (const s of [a, b, c]) w.kernel.sched.send(s, 'flood /k/victim 10 8');
  await w.kernel.sched.run();
  const ok = (s: { id: string }) =>
    Number(/ok=(\d+)/.exec(logs.find((l) => l.startsWith(`${s.id} flood `))!)![1]);
  // 40 % of 10: four each for the first two, then the mailbox is full for the third.
  expect([ok(a), ok(b), ok(c)]).toEqual([4, 4, 2]);
  expect(w.kernel.sched.service(victim)?.queued).toBe(10);
});
