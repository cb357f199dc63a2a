/**
 * Attack: a guest on alpha floods a sandbox on beta with messages (as fast as its fuel allows),
 * and a trusted host (its key stolen) floods beta faster than `peerRate`. The guest's flood
 * costs only that guest: beta admits each sending sandbox within its fair share of alpha's
 * rate, so a neighbour of the flooder on alpha still gets every message through while the
 * flooder is the one refused (whatever the machine's speed: the flood is paced to stay far
 * above the share). Beta's mailbox stays within its bound and the sender's share, what is
 * refused is logged in bounded events, and its memory does not grow with the flood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received, text } from '../../ipc/harness.js';
import { type Attack, attack, settle } from './harness.js';

const ROUNDS = 30;

describe.skipIf(skipWithoutNats())('message flood from a peer', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ limits: { peerRate: 200 } });
  }, 30_000);
  afterAll(() => a?.close());

  it("throttles the flooding guest alone: its neighbour's traffic gets through", async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const victim = await beta.spawn('/h/victim', { limits: { mailboxLength: 64 } });
    beta.kernel.sched.send(victim, 'quiet');
    await until(() => beta.kernel.sched.service(victim)!.queued === 0, 5_000, 'quiet');
    beta.kernel.sched.signal(victim, 'stop'); // it reads nothing: the flood can only queue
    const other = await beta.spawn('/h/other');
    const flooder = await alpha.spawn('/h/flooder', { peers: ['/h/victim'] });
    const neighbour = await alpha.spawn('/h/neighbour', { peers: ['/h/other'] });
    await announced(a.world, '/h/victim', 'beta');
    await announced(a.world, '/h/other', 'beta');
    const before = process.memoryUsage().heapUsed;
    const started = Date.now();
    // The flood runs all along: each round, 200 messages from the flooder (thousands a second,
    // far past its share of 200/s however slow the machine) and one from the neighbour.
    for (let i = 0; i < ROUNDS; i++) {
      alpha.kernel.sched.send(flooder, 'flood /h/victim 200 64');
      alpha.kernel.sched.send(neighbour, `send /h/other n${i}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await until(
      () =>
        alpha.logs(flooder).filter((l) => l.startsWith('flood ')).length === ROUNDS &&
        alpha.logs(neighbour).filter((l) => l.startsWith('send ')).length === ROUNDS,
      20_000,
      'the rounds',
    );
    // Every one of the neighbour's messages arrives, in order.
    await until(() => received(beta.logs(other)).length === ROUNDS, 10_000, "the neighbour's messages");
    expect(received(beta.logs(other)).map((m) => m.body)).toEqual(
      Array.from({ length: ROUNDS }, (_, i) => `n${i}`),
    );
    expect(
      alpha
        .logs(neighbour)
        .filter((l) => l.startsWith('send '))
        .every((l) => l === 'send ok'),
    ).toBe(true);
    await settle(a, 300);
    // The flooder is the one refused, and said so (by sender), in bounded events.
    const floods = beta.named('cluster:reject').filter((e) => e.data?.reason === 'flood');
    expect(floods.some((e) => e.data?.sender === flooder.id)).toBe(true);
    expect(floods.some((e) => e.data?.sender === neighbour.id)).toBe(false);
    expect(
      beta.lattice.rejections().some((r) => r.reason === 'flood' && r.host === 'alpha' && r.count > 0),
    ).toBe(true);
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(beta.named('cluster:reject').length).toBeLessThanOrEqual(17 * 4 * seconds);
    // At most the sender's share (50 % of 64) of the victim's mailbox is queued.
    const info = beta.kernel.sched.service('/h/victim')!;
    expect(info.queued).toBeLessThanOrEqual(32);
    expect(info.queued).toBeGreaterThan(0);
    expect(beta.named('ipc:drop').length).toBeLessThanOrEqual(2 * 17 * 2 * seconds);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    // beta still serves alpha's embedder.
    const reply = await alpha.kernel.sched.request('/h/other', 'echo still here', { timeoutMs: 5_000 });
    expect(text(reply)).toBe('v1 echo still here');
  }, 60_000);

  it('drops what a trusted host sends past its rate, and says so in bounded events', async () => {
    const beta = a.world.hosts[1]!;
    const sink = await beta.spawn('/h/rated', {
      limits: { mailboxLength: 100_000, mailboxSenderPercent: 100 },
    });
    beta.kernel.sched.send(sink, 'quiet');
    await until(() => beta.kernel.sched.service(sink)!.queued === 0, 5_000, 'quiet');
    beta.kernel.sched.signal(sink, 'stop');
    const before = beta.named('cluster:reject').length;
    // Every refusal is counted (events are bounded per second, and the first case may have used
    // this second's budget for flood events).
    const refused = () =>
      beta.lattice
        .rejections()
        .filter((r) => r.reason === 'flood')
        .reduce((n, r) => n + r.count, 0);
    const refusedBefore = refused();
    const body = new TextEncoder().encode('flood');
    // Signed beforehand, so that they arrive as fast as beta can check them.
    const frames = Array.from({ length: 10_000 }, () =>
      a.frame({ to: '/h/rated', e: 'bbbbbbbbbbbbbbbb' }, body, a.alphaKey),
    );
    const started = Date.now();
    for (const frame of frames) a.raw.publish(a.toBeta(), frame);
    await settle(a, 500);
    const seconds = (Date.now() - started) / 1000;
    const queued = beta.kernel.sched.service('/h/rated')!.queued;
    // peerRate 200/s: a bucket of 200 and 200 more each second.
    expect(queued).toBeLessThanOrEqual(200 * (1 + seconds));
    const floods = beta.named('cluster:reject').slice(before);
    // Each frame was either queued or refused as a flood: none vanished, none was let through past the rate.
    expect(refused() - refusedBefore + queued).toBe(frames.length);
    // Said in an event of its own, or in the summary of a second whose budget was spent.
    await until(
      () =>
        beta
          .named('cluster:reject')
          .slice(before)
          .some((e) => e.data?.reason === 'flood' || e.data?.reason === 'suppressed'),
      3_000,
      'a flood event',
    );
    // At most 16 a second per reason, plus a summary each second.
    expect(floods.length).toBeLessThanOrEqual(17 * 2 * (Math.ceil(seconds) + 1));
  }, 30_000);
});
