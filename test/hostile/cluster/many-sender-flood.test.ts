/**
 * Attack: a tenant with many sandboxes on alpha has all of them flood beta at once, more of them
 * than beta keeps shares for (`peerSenders`), hoping to drown alpha's other sandboxes in
 * alpha's rate at beta, or to grow beta's tables with one entry per sender. Beta keeps at most
 * `peerSenders` senders per host (the rest share one entry), so its state is bounded however
 * many sandboxes flood; a neighbour that was talking before keeps its share and gets every
 * message through, and the flooders are the ones refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../host/index.js';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack, settle } from './harness.js';

const FLOODERS = 10;
const SENDERS = 4;
const ROUNDS = 20;

describe.skipIf(skipWithoutNats())('a flood from many sandboxes of one host', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ limits: { peerRate: 200, peerSenders: SENDERS } });
  }, 30_000);
  afterAll(() => a?.close());

  it('keeps per-sender state bounded and the neighbour served', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const victim = await beta.spawn('/m/victim', { limits: { mailboxLength: 256 } });
    beta.kernel.sched.send(victim, 'quiet');
    await until(() => beta.kernel.sched.service(victim)!.queued === 0, 5_000, 'quiet');
    const other = await beta.spawn('/m/other');
    const neighbour = await alpha.spawn('/m/neighbour', { peers: ['/m/other'] });
    const flooders: Sandbox[] = [];
    for (let i = 0; i < FLOODERS; i++)
      flooders.push(await alpha.spawn('/m/flooder', { peers: ['/m/victim'] }));
    await announced(a.world, '/m/victim', 'beta');
    await announced(a.world, '/m/other', 'beta');
    // The neighbour talks to beta before the flood starts.
    alpha.kernel.sched.send(neighbour, 'send /m/other hello');
    await until(() => received(beta.logs(other)).length === 1, 5_000, 'hello');
    const before = process.memoryUsage().heapUsed;
    let most = 0;
    for (let i = 0; i < ROUNDS; i++) {
      for (const flooder of flooders) alpha.kernel.sched.send(flooder, 'flood /m/victim 40 64');
      alpha.kernel.sched.send(neighbour, `send /m/other n${i}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
      most = Math.max(most, beta.lattice.hosts().find((h) => h.host === 'alpha')?.senders ?? 0);
    }
    await until(
      () =>
        flooders.every((f) => alpha.logs(f).filter((l) => l.startsWith('flood ')).length === ROUNDS) &&
        alpha.logs(neighbour).filter((l) => l.startsWith('send ')).length === ROUNDS + 1,
      30_000,
      'the rounds',
    );
    await until(() => received(beta.logs(other)).length === ROUNDS + 1, 10_000, "the neighbour's messages");
    expect(received(beta.logs(other)).map((m) => m.body)).toEqual([
      'hello',
      ...Array.from({ length: ROUNDS }, (_, i) => `n${i}`),
    ]);
    await settle(a, 300);
    // Bounded state: at most peerSenders entries, and one shared by the senders past them.
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(SENDERS + 1);
    const floods = beta.named('cluster:reject').filter((e) => e.data?.reason === 'flood');
    const ids = new Set(flooders.map((f) => f.id));
    expect(floods.some((e) => ids.has(e.data?.sender as string) || e.data?.sender === '*')).toBe(true);
    expect(floods.some((e) => e.data?.sender === neighbour.id)).toBe(false);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
