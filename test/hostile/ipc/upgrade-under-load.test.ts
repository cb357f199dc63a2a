/**
 * Attack (on availability): upgrade a module while producers keep its mailbox full. Every
 * message accepted for the path is delivered exactly once, in order per sender, partly to the
 * old version and then to the new one; nothing is dropped.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld, received } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true });
});
afterAll(() => w.close());

it('loses nothing: every accepted message is delivered once, in order, across the upgrade', async () => {
  const consumer = await w.spawn('/up/consumer', { limits: { mailboxLength: 256 } });
  const producers = await Promise.all(
    ['p1', 'p2', 'p3'].map((name) => w.spawn(`/up/${name}`, { peers: ['/up/consumer'] })),
  );
  let upgraded: string | undefined;
  let queuedAtUpgrade = 0;
  for (let round = 0; round < 12; round++) {
    for (const [i, p] of producers.entries())
      w.kernel.sched.send(p, `sendseq /up/consumer 100 r${round}p${i}-`);
    await w.kernel.sched.run({ maxDeliveries: 150 });
    if (round === 5) {
      queuedAtUpgrade = w.kernel.sched.service('/up/consumer')!.queued;
      const [next] = await w.kernel.sched.upgrade('/up/consumer', w.probeV2);
      upgraded = next!.id;
    }
  }
  await w.kernel.sched.run();
  expect(queuedAtUpgrade).toBeGreaterThan(100);
  const got = [...received(w.logs(consumer)), ...received(w.logs(upgraded!))];
  const accepted = producers.map((p) =>
    w
      .logs(p)
      .filter((l) => l.startsWith('sendseq '))
      .map((l) => Number(/sent=(\d+)/.exec(l)![1])),
  );
  for (const [i, p] of producers.entries()) {
    const bodies = got.filter((m) => m.sender === p.id).map((m) => m.body);
    const expected = accepted[i]!.flatMap((n, round) =>
      Array.from({ length: n }, (_, j) => `r${round}p${i}-${j}`),
    );
    expect(bodies).toEqual(expected);
  }
  expect(got.some((m) => m.version === 'v1')).toBe(true);
  expect(got.some((m) => m.version === 'v2')).toBe(true);
  // v1's deliveries all precede v2's: the old version stopped exactly where the new one began.
  expect(got.findLastIndex((m) => m.version === 'v1')).toBeLessThan(got.findIndex((m) => m.version === 'v2'));
  expect(
    w.named('ipc:drop').filter((e) => e.data?.reason !== 'mailbox-full' && e.data?.reason !== 'suppressed'),
  ).toEqual([]);
  expect(consumer.state).toBe('killed');
  expect(w.kernel.sched.service('/up/consumer')).toMatchObject({
    sandbox: upgraded,
    history: [consumer.id, upgraded],
  });
});
