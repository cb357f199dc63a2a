/**
 * Attack: a client that is not a kernel floods a host's subjects with frames that are unsigned,
 * badly signed, truncated or not envelopes at all. Nothing is delivered; each kind is logged as
 * `cluster:reject`, at most `rejectEvents` a second and then summarized; the host's memory does
 * not grow with the flood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack, settle } from './harness.js';

describe.skipIf(skipWithoutNats())('unsigned or badly signed envelopes', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack();
  }, 30_000);
  afterAll(() => a?.close());

  it('drops them all, with bounded events and memory', async () => {
    const beta = a.world.hosts[1]!;
    const sink = await beta.spawn('/h/sink');
    await announced(a.world, '/h/sink', 'beta');
    const body = new TextEncoder().encode('x'.repeat(512));
    const genuine = a.frame({ to: '/h/sink' }, body, a.alphaKey);
    const flipped = genuine.slice();
    flipped[flipped.length - 1]! ^= 1; // a bit of the signature
    const tampered = genuine.slice();
    tampered[tampered.length - 70]! ^= 1; // a bit of the body
    const unsigned = genuine.slice(0, genuine.length - 64);
    const before = process.memoryUsage().heapUsed;
    const started = Date.now();
    const rounds = 2_000;
    for (let i = 0; i < rounds; i++) {
      a.raw.publish(a.toBeta(), a.frame({ to: '/h/sink' }, body)); // stranger's key
      a.raw.publish(a.toBeta(), flipped);
      a.raw.publish(a.toBeta(), tampered);
      a.raw.publish(a.toBeta(), unsigned);
      a.raw.publish(a.toBeta(), new Uint8Array([1, 2, 3, 4, 5]));
      if (i % 500 === 0) await a.raw.flush();
    }
    await settle(a, 1_000);
    expect(received(beta.logs(sink))).toEqual([]);
    const rejects = beta.named('cluster:reject');
    // 10,000 frames: at most 16 events per reason (bad-signature, malformed, flood) per second,
    // plus one summary per reason per second.
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(rejects.length).toBeLessThanOrEqual(17 * 3 * seconds);
    const reasons = new Set(rejects.map((e) => e.data?.reason));
    expect(reasons.has('bad-signature')).toBe(true);
    expect(reasons.has('malformed')).toBe(true);
    // Every frame is accounted for, shown or counted in a summary (the flood bucket drops some as
    // `flood`), once the last one-second window has closed.
    const accounted = () => {
      const all = beta.named('cluster:reject');
      const shown = all.filter((e) => e.data?.reason !== 'suppressed').length;
      const suppressed = all
        .filter((e) => e.data?.reason === 'suppressed')
        .reduce(
          (n, e) =>
            n + Object.values(e.data!.suppressed as Record<string, number>).reduce((x, y) => x + y, 0),
          0,
        );
      return shown + suppressed;
    };
    await until(() => accounted() === rounds * 5, 15_000, 'every frame to be accounted for');
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  }, 40_000);
});
