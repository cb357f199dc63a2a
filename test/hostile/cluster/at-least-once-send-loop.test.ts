/**
 * Attack: a guest marked at-least-once sends to another host in a loop, turn after turn. What
 * it can hold is bounded: its sends waiting for the stream (`durablePending`, past it
 * `mailbox-full` at once), and its part of the stream (`durableSenderMessages`, the stream's
 * per-subject limit; past it the stream refuses and the guest hears `keel.undelivered`). A
 * neighbour that sends at-least-once afterwards is not refused: the flooder cannot fill the
 * stream for everyone. (Beta reads nothing from the stream here, so what is taken stays.)
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableStream } from '../../../host/cluster/subjects.js';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { type Attack, attack } from './harness.js';

const LIMITS = { durablePending: 8, durableSenderMessages: 20, durableMessages: 60 };

describe.skipIf(skipWithoutNats())('a guest sending at least once in a loop', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack(
      { durable: true, limits: LIMITS, perHost: { beta: { durable: false } } },
      { jetstream: true },
    );
  }, 30_000);
  afterAll(() => a?.close());

  it('holds a bounded part of the stream, and its neighbour still gets in', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    await beta.spawn('/l/a');
    await beta.spawn('/l/b');
    await announced(a.world, '/l/a', 'beta');
    await announced(a.world, '/l/b', 'beta');
    const flooder = await alpha.spawn('/l/flooder', {
      peers: ['/l/*'],
      sched: { delivery: 'at-least-once' },
    });
    const neighbour = await alpha.spawn('/l/neighbour', {
      peers: ['/l/*'],
      sched: { delivery: 'at-least-once' },
    });
    alpha.kernel.sched.send(flooder, 'quiet');
    const rssBefore = process.memoryUsage().rss;
    for (let round = 0; round < 25; round++) {
      alpha.kernel.sched.send(flooder, 'flood /l/a 40 200');
      await new Promise((resolve) => setTimeout(resolve, 40));
      // Never more waiting for the stream than its share of sends in flight.
      expect(alpha.lattice.durableState()!.waiting).toBeLessThanOrEqual(LIMITS.durablePending);
    }
    await until(() => alpha.lattice.durableState()!.waiting === 0, 5_000, 'the flood to be answered');
    const jsm = await jetstreamManager(a.raw);
    const stream = durableStream(a.lattice).name;
    expect((await jsm.streams.info(stream)).state.messages).toBe(LIMITS.durableSenderMessages);
    // The neighbour sends after the flood: all of it taken.
    alpha.kernel.sched.send(neighbour, 'sendseq /l/b 6 y');
    await until(() => alpha.logs(neighbour).some((l) => l.startsWith('sendseq ')), 5_000, 'the sends');
    expect(alpha.logs(neighbour).find((l) => l.startsWith('sendseq '))).toBe('sendseq ok sent=6');
    await until(() => alpha.lattice.durableState()!.waiting === 0, 5_000, 'the acknowledgements');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alpha.logs(neighbour).filter((l) => l.includes('keel.undelivered'))).toEqual([]);
    expect((await jsm.streams.info(stream)).state.messages).toBe(LIMITS.durableSenderMessages + 6);
    // The flooder heard what the stream refused (kernel notices, bounded by its mailbox).
    await alpha.kernel.sched.send(flooder, 'verbose');
    const notices = alpha.named('ipc:deliver', flooder).filter((e) => e.data?.topic === 'keel.undelivered');
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.length).toBeLessThanOrEqual(25 * LIMITS.durablePending);
    const dropped = alpha.named('ipc:drop').filter((e) => e.data?.delivery === 'at-least-once');
    expect(dropped.length).toBeGreaterThan(0);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  }, 40_000);
});
