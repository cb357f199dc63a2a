/**
 * Attack: flood a sandbox with messages. The receiver's mailbox is bounded: the flooder gets
 * `mailbox-full` (and `ipc:drop` events, summarized past a few), the receiver keeps working
 * through its backlog, bystanders keep their share of deliveries, and memory stays bounded.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld, received } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true }, false);
});
afterAll(() => w.close());

it('refuses the flooder, serves the victim and bystanders, and keeps memory bounded', async () => {
  const logs: string[] = [];
  const drops: Record<string, unknown>[] = [];
  let maxQueued = 0;
  const flooder = await w.spawn('/f/flooder', { peers: ['/f/victim'] });
  const victim = await w.spawn('/f/victim');
  const bystander = await w.spawn('/f/bystander');
  w.kernel.on('guest:log', (e) => {
    if (e.sandbox !== victim.id) logs.push(`${e.sandbox} ${e.data?.message}`);
  });
  w.kernel.on('ipc:drop', (e) => void drops.push(e.data!));
  w.kernel.on('ipc:deliver', () => {
    maxQueued = Math.max(maxQueued, w.kernel.sched.service(victim)!.queued);
  });
  w.kernel.sched.send(victim, 'quiet');
  await w.kernel.sched.run();
  const heapBefore = process.memoryUsage().heapUsed;
  // 20 deliveries of 20,000 sends each: 400,000 messages of 1 KiB offered (390 MiB unbounded).
  for (let i = 0; i < 20; i++) w.kernel.sched.send(flooder, 'flood /f/victim 20000 1024');
  for (let i = 0; i < 50; i++) w.kernel.sched.send(bystander, `work-${i}`);
  const result = await w.kernel.sched.run();
  const heapAfter = process.memoryUsage().heapUsed;
  expect(result.reason).toBe('idle');

  const floods = logs.filter((l) => l.startsWith(`${flooder.id} flood `));
  expect(floods).toHaveLength(20);
  const totals = floods.map((l) => /ok=(\d+) failed=(\d+)/.exec(l)!.slice(1).map(Number) as [number, number]);
  const ok = totals.reduce((n, [o]) => n + o, 0);
  const failed = totals.reduce((n, [, f]) => n + f, 0);
  expect(ok + failed).toBe(400_000);
  // The first flood fills the flooder's share of the mailbox (half of 1,024 by default);
  // every later one gets as many slots as the victim freed.
  expect(totals[0]![0]).toBe(512);
  expect(failed).toBeGreaterThan(390_000);
  expect(maxQueued).toBeLessThanOrEqual(1024);

  // The victim works through everything accepted, and is still alive.
  expect(victim.state).toBe('ready');
  expect(w.kernel.sched.service(victim)).toMatchObject({ delivered: ok + 1, queued: 0 });
  expect(w.kernel.sched.service(flooder)?.sent).toBe(ok);
  // The bystander got all its work.
  expect(
    received(logs.filter((l) => l.startsWith(bystander.id)).map((l) => l.slice(bystander.id.length + 1))),
  ).toHaveLength(50);

  // Refusals: 16 logged one by one per flood delivery, the rest summarized.
  const summaries = drops.filter((d) => d.reason === 'suppressed');
  expect(summaries).toHaveLength(20);
  const summarized = summaries.reduce(
    (n, d) => n + ((d.suppressed as Record<string, number>)['mailbox-full'] ?? 0),
    0,
  );
  expect(drops.filter((d) => d.reason === 'mailbox-full').length + summarized).toBe(failed);
  expect(drops.length).toBeLessThan(20 * 17 + 1);

  // 400,000 KiB were offered; what was kept at any time is one mailbox.
  expect(heapAfter - heapBefore).toBeLessThan(64 * 1024 * 1024);
});

it('interleaves the bystander with the flood instead of serving it last', async () => {
  const order: string[] = [];
  const flooder = await w.spawn('/g/flooder', { peers: ['/g/victim'] });
  // The whole mailbox for the flooder (no share): the flood is 1,000 deliveries long.
  const victim = await w.spawn('/g/victim', { limits: { mailboxSenderPercent: 100 } });
  const bystander = await w.spawn('/g/bystander');
  w.kernel.on('ipc:deliver', (e) => {
    if (e.sandbox === bystander.id) order.push('b');
    else if (e.sandbox === victim.id) order.push('v');
  });
  w.kernel.sched.send(victim, 'quiet');
  w.kernel.sched.send(flooder, 'flood /g/victim 1000 16');
  await w.kernel.sched.run({ maxDeliveries: 2 });
  for (let i = 0; i < 10; i++) w.kernel.sched.send(bystander, `work-${i}`);
  await w.kernel.sched.run();
  // With equal weights, the bystander's 10 deliveries come within the first ~20 after it had work.
  const lastBystander = order.lastIndexOf('b');
  expect(lastBystander).toBeLessThan(25);
  expect(order.filter((o) => o === 'v').length).toBe(1001);
});
