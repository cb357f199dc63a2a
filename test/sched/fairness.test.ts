/**
 * Fairness: with a busy sandbox flooding another, every busy sandbox still gets its weighted
 * share of deliveries (within 10 %), and a sandbox that gets a message in the middle of the
 * flood is served within a few deliveries.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sandbox } from '../../host/index.js';
import { type IpcWorld, ipcWorld } from '../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true }, false);
});
afterAll(() => w.close());

it('gives each busy sandbox its weighted share of deliveries, within 10 %', async () => {
  const roomy = { limits: { mailboxLength: 20_000 } };
  const flooder = await w.spawn('/w/flooder', { ...roomy, peers: ['/w/victim'] });
  // The flooder may fill the victim's whole mailbox (no per-sender share): the flood never pauses.
  const victim = await w.spawn('/w/victim', { limits: { mailboxSenderPercent: 100 } });
  const a = await w.spawn('/w/a', { ...roomy, sched: { weight: 1 } });
  const b = await w.spawn('/w/b', { ...roomy, sched: { weight: 2 } });
  const c = await w.spawn('/w/c', { ...roomy, sched: { weight: 3 } });
  const light = await w.spawn('/w/light');
  const all: Sandbox[] = [flooder, victim, a, b, c, light];
  for (const s of all) w.kernel.sched.send(s, 'quiet');
  await w.kernel.sched.run();

  const counts = new Map<string, number>(all.map((s) => [s.id, 0]));
  let total = 0;
  let lightQueuedAt = -1;
  let lightWaited = -1;
  w.kernel.on('ipc:deliver', (e) => {
    total++;
    counts.set(e.sandbox!, (counts.get(e.sandbox!) ?? 0) + 1);
    if (e.sandbox === light.id && lightQueuedAt >= 0 && lightWaited < 0) lightWaited = total - lightQueuedAt;
  });
  for (let i = 0; i < 15_000; i++) {
    w.kernel.sched.send(flooder, 'flood /w/victim 50 16');
    for (const s of [a, b, c]) w.kernel.sched.send(s, 'spin 10');
  }
  const measured = 16_000;
  await w.kernel.sched.run({ maxDeliveries: measured / 2 });
  // In the middle of the flood, one message for a sandbox that was idle.
  lightQueuedAt = total;
  w.kernel.sched.send(light, 'hello');
  await w.kernel.sched.run({ maxDeliveries: measured / 2 });

  const weights: [Sandbox, number][] = [
    [flooder, 1],
    [victim, 1],
    [a, 1],
    [b, 2],
    [c, 3],
  ];
  const sum = weights.reduce((n, [, wt]) => n + wt, 0);
  const busyDeliveries = measured - 1; // the light sandbox took one
  for (const [s, weight] of weights) {
    const expected = (busyDeliveries * weight) / sum;
    const share = counts.get(s.id)! / expected;
    expect(
      share,
      `${s.name}: ${counts.get(s.id)} deliveries, expected ${expected.toFixed(0)}`,
    ).toBeGreaterThan(0.9);
    expect(share, `${s.name}: ${counts.get(s.id)} deliveries, expected ${expected.toFixed(0)}`).toBeLessThan(
      1.1,
    );
  }
  // The victim was flooded the whole time: its mailbox stayed at its bound.
  expect(w.kernel.sched.service(victim)!.queued).toBeGreaterThanOrEqual(1000);
  // The idle sandbox was served at once, not after the backlog.
  expect(lightWaited).toBeGreaterThan(0);
  expect(lightWaited).toBeLessThanOrEqual(weights.length + 1);
});
