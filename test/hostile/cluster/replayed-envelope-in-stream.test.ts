/**
 * Attack: a client that can read the lattice's subjects records a genuine at-least-once
 * envelope from alpha to beta on its way into the stream, and publishes it into the stream
 * again, many times, each with a new JetStream message id (so the server's own duplicate
 * window does not catch it); and publishes an at-least-once envelope alpha signed long ago
 * (outside the window in which one is accepted). Beta delivers the genuine one once, drops the
 * copies (`replay`: its ids are remembered for the window) and the old one (`stale`), and the
 * stream hands none of them again.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableStream, durableSubject } from '../../../host/cluster/subjects.js';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack } from './harness.js';

const LIMITS = { durableAckWaitMs: 500, durableBackoffMs: 100, durableAgeMs: 60_000 };

describe.skipIf(skipWithoutNats())('replayed envelopes in the stream', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ durable: true, limits: LIMITS }, { jetstream: true });
  }, 30_000);
  afterAll(() => a?.close());

  it('delivers a recorded at-least-once envelope once, however often it is put back', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const sink = await beta.spawn('/r/sink');
    await announced(a.world, '/r/sink', 'beta');
    const recorded: { subject: string; data: Uint8Array }[] = [];
    const spy = a.raw.subscribe(`keel.${a.lattice}.js.beta.>`, {
      callback: (_e, msg) => void recorded.push({ subject: msg.subject, data: msg.data.slice() }),
    });
    await a.raw.flush();
    await alpha.lattice.sendAtLeastOnce('/r/sink', 'pay-once');
    await until(
      () => recorded.length === 1 && received(beta.logs(sink)).length === 1,
      5_000,
      'the genuine one',
    );
    spy.unsubscribe();

    const js = jetstream(a.raw);
    const started = Date.now();
    for (let i = 0; i < 100; i++)
      await js.publish(recorded[0]!.subject, recorded[0]!.data, { msgID: `again-${i}` });
    // Signed by alpha (its key stolen) long ago: past durableAgeMs + skewMs.
    const old = a.frame(
      { to: '/r/sink', q: 1, f: 'host', t: Date.now() - LIMITS.durableAgeMs - 31_000 },
      new TextEncoder().encode('old'),
      a.alphaKey,
    );
    await js.publish(durableSubject(a.lattice, 'beta', 'msg', 'alpha', 'host'), old, { msgID: 'old' });

    const count = (reason: string) =>
      beta.lattice.rejections().reduce((n, r) => n + (r.reason === reason ? r.count : 0), 0);
    await until(() => count('replay') >= 100 && count('stale') >= 1, 10_000, 'the refusals');
    await new Promise((resolve) => setTimeout(resolve, 4 * LIMITS.durableAckWaitMs));
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(count('replay')).toBe(100);
    expect(count('stale')).toBe(1);
    expect(received(beta.logs(sink)).map((m) => m.body)).toEqual(['pay-once']);
    // Reported at most 16 a second per reason (rejectEvents), counted all the same.
    const replays = beta.named('cluster:reject').filter((e) => e.data?.reason === 'replay');
    expect(replays.length).toBeGreaterThan(0);
    expect(replays.length).toBeLessThanOrEqual(16 * seconds);
    const jsm = await jetstreamManager(a.raw);
    const consumer = await jsm.consumers.info(durableStream(a.lattice).name, 'keel_beta');
    expect(consumer.num_pending + consumer.num_ack_pending).toBe(0);
    // One id remembered (the genuine one), not one per copy.
    expect(beta.lattice.durableState()).toMatchObject({ held: 0, later: 0, remembered: 1 });
  });
});
