/**
 * At-least-once delivery through the lattice's JetStream stream, within one process (two
 * kernels, each with its own connection): what a sandbox marked `sched.delivery:
 * 'at-least-once'` sends and requests reaches the other host; a full stream refuses with
 * `mailbox-full`; a lattice joined without `durable` refuses at-least-once sends. The restart
 * of a receiving process is test/cluster/durable-restart.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeelError } from '../../host/index.js';
import { type NatsServer, skipWithoutNats, startNatsJetStream } from '../helpers/nats.js';
import { received } from '../ipc/harness.js';
import { announced, converged, type LatticeWorld, latticeWorld, until } from './harness.js';

describe.skipIf(skipWithoutNats())('at-least-once delivery', () => {
  let nats: NatsServer;
  let world: LatticeWorld;
  let plain: LatticeWorld;
  beforeAll(async () => {
    nats = await startNatsJetStream();
    world = await latticeWorld(nats.url, ['a', 'b'], {
      durable: true,
      phantoms: ['gone'],
      limits: { durableSenderMessages: 25, durableAckWaitMs: 1_000, durableBackoffMs: 100 },
    });
    plain = await latticeWorld(nats.url, ['a', 'b']);
    await converged(world);
    await converged(plain);
  }, 30_000);
  afterAll(async () => {
    await world?.close();
    await plain?.close();
    await nats?.stop();
  });

  it('carries a marked sandbox’s messages and requests to another host, once each', async () => {
    const [a, b] = world.hosts as [(typeof world.hosts)[0], (typeof world.hosts)[0]];
    const sink = await b.spawn('/d/sink', { peers: [] });
    await announced(world, '/d/sink', 'b');
    const sender = await a.spawn('/d/sender', { peers: ['/d/*'], sched: { delivery: 'at-least-once' } });
    a.kernel.sched.send(sender.id, 'sendseq /d/sink 20 x');
    await until(() => received(b.logs(sink)).length >= 20, 10_000, 'twenty messages');
    const bodies = received(b.logs(sink)).map((m) => m.body);
    expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => `x${i}`));
    expect(received(b.logs(sink)).every((m) => m.sender === `${sender.id}@a`)).toBe(true);
    // A request: the reply comes back (at most once, as replies do).
    a.kernel.sched.send(sender.id, 'request /d/sink 5000 echo');
    await until(() => a.logs(sender).some((l) => /^v1 reply \d+ 0 /.test(l)), 10_000, 'the reply');
    // Delivered ones were acknowledged: nothing is held, handed again, or waiting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received(b.logs(sink))).toHaveLength(21);
    expect(b.lattice.durableState()).toMatchObject({ held: 0, later: 0 });
    expect(a.lattice.durableState()?.waiting).toBe(0);
  }, 30_000);

  it('refuses past the stream’s share of one sender, typed, and says so', async () => {
    const a = world.hosts[0]!;
    // `gone` is trusted but never runs: what is sent to it stays in the stream.
    const outcomes: unknown[] = [];
    for (let i = 0; i < 28; i++) {
      outcomes.push(
        await a.lattice.sendAtLeastOnce('sbx_1@gone', `q${i}`).then(
          () => 'ok',
          (error: unknown) => error,
        ),
      );
    }
    expect(outcomes.slice(0, 25)).toEqual(Array(25).fill('ok'));
    for (const error of outcomes.slice(25)) {
      expect(isKeelError(error) && error.code).toBe('mailbox-full');
    }
    await expect(a.lattice.sendAtLeastOnce('/d/nowhere', 'x')).rejects.toMatchObject({
      code: 'no-such-target',
    });
    await expect(a.lattice.sendAtLeastOnce('sbx_1@gone', 'x'.repeat(70_000))).rejects.toMatchObject({
      code: 'message-too-large',
    });
  });

  it('is refused by a lattice joined without durable, rather than sent at most once', async () => {
    const [a, b] = plain.hosts as [(typeof plain.hosts)[0], (typeof plain.hosts)[0]];
    const sink = await b.spawn('/n/sink', { peers: [] });
    await announced(plain, '/n/sink', 'b');
    const sender = await a.spawn('/n/sender', { peers: ['/n/*'], sched: { delivery: 'at-least-once' } });
    a.kernel.sched.send(sender.id, 'send /n/sink hello');
    await until(() => a.logs(sender).some((l) => l.startsWith('send ')), 5_000, 'the send');
    expect(a.logs(sender).find((l) => l.startsWith('send '))).toBe('send capability-denied');
    await expect(a.lattice.sendAtLeastOnce('/n/sink', 'x')).rejects.toMatchObject({
      code: 'capability-denied',
    });
    expect(received(b.logs(sink))).toHaveLength(0);
  });
});
