/**
 * Attack: a client that can read the lattice's subjects records a genuine envelope from alpha
 * to beta and publishes it again, many times; or publishes an envelope signed by alpha long ago
 * (its timestamp outside the window). Beta delivers the genuine one once and drops the copies
 * (`replay`) and the old one (`stale`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack, settle } from './harness.js';

describe.skipIf(skipWithoutNats())('replayed envelope', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack();
  }, 30_000);
  afterAll(() => a?.close());

  it('delivers a recorded envelope once, however often it is replayed', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const sink = await beta.spawn('/h/sink');
    const sender = await alpha.spawn('/h/sender', { peers: ['/h/sink'] });
    await announced(a.world, '/h/sink', 'beta');
    const recorded: { subject: string; data: Uint8Array }[] = [];
    const spy = a.raw.subscribe(a.toBeta('msg'), {
      callback: (_error, msg) => {
        recorded.push({ subject: msg.subject, data: msg.data.slice() });
      },
    });
    await a.raw.flush();
    alpha.kernel.sched.send(sender, 'send /h/sink pay-once');
    await until(
      () => recorded.length === 1 && received(beta.logs(sink)).length === 1,
      5_000,
      'the genuine one',
    );
    spy.unsubscribe();
    const started = Date.now();
    for (let i = 0; i < 200; i++) a.raw.publish(recorded[0]!.subject, recorded[0]!.data);
    await settle(a, 500);
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(received(beta.logs(sink)).map((m) => m.body)).toEqual(['pay-once']);
    const replays = beta.named('cluster:reject').filter((e) => e.data?.reason === 'replay');
    expect(replays.length).toBeGreaterThan(0);
    // At most 16 a second (rejectEvents), whatever the load on the machine.
    expect(replays.length).toBeLessThanOrEqual(16 * seconds);
  });

  it('drops an envelope signed by alpha whose timestamp is outside the window', async () => {
    const beta = a.world.hosts[1]!;
    const sink = beta.kernel.sched.service('/h/sink')!.sandbox!;
    const old = a.frame(
      { to: '/h/sink', t: Date.now() - 10 * 60_000 },
      new TextEncoder().encode('old'),
      a.alphaKey,
    );
    const future = a.frame(
      { to: '/h/sink', t: Date.now() + 10 * 60_000 },
      new TextEncoder().encode('future'),
      a.alphaKey,
    );
    a.raw.publish(a.toBeta(), old);
    a.raw.publish(a.toBeta(), future);
    await settle(a);
    expect(received(beta.logs(sink)).map((m) => m.body)).toEqual(['pay-once']);
    expect(beta.named('cluster:reject').filter((e) => e.data?.reason === 'stale')).toHaveLength(2);
  });
});
