/**
 * Attack: a guest on alpha floods a sandbox on beta with messages (as fast as its fuel allows),
 * and a trusted host (its key stolen) floods beta faster than `peerRate`. Beta's mailbox stays
 * within its bound and the sender's share, what is refused is logged in bounded events, its
 * memory does not grow with the flood, and it still serves others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { text } from '../../ipc/harness.js';
import { type Attack, attack, settle } from './harness.js';

describe.skipIf(skipWithoutNats())('message flood from a peer', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ limits: { peerRate: 300 } });
  }, 30_000);
  afterAll(() => a?.close());

  it('keeps the receiver bounded under a guest flood across hosts', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const victim = await beta.spawn('/h/victim', { limits: { mailboxLength: 64 } });
    beta.kernel.sched.send(victim, 'quiet');
    await until(() => beta.kernel.sched.service(victim)!.queued === 0, 5_000, 'quiet');
    beta.kernel.sched.signal(victim, 'stop'); // it reads nothing: the flood can only queue
    const flooder = await alpha.spawn('/h/flooder', { peers: ['/h/victim'] });
    await announced(a.world, '/h/victim', 'beta');
    const before = process.memoryUsage().heapUsed;
    const started = Date.now();
    for (let i = 0; i < 5; i++) alpha.kernel.sched.send(flooder, 'flood /h/victim 2000 256');
    await until(
      () => alpha.logs(flooder).filter((l) => l.startsWith('flood ')).length === 5,
      10_000,
      'the floods',
    );
    await settle(a, 1_500);
    const info = beta.kernel.sched.service('/h/victim')!;
    // At most the sender's share (50 % of 64) is queued.
    expect(info.queued).toBeLessThanOrEqual(32);
    expect(info.queued).toBeGreaterThan(0);
    const drops = beta.named('ipc:drop');
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(drops.length).toBeLessThanOrEqual(2 * 16 * 2 * seconds);
    expect(drops.some((e) => e.data?.origin === 'alpha')).toBe(true);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    // beta still serves others.
    await beta.spawn('/h/other');
    await announced(a.world, '/h/other', 'beta');
    const reply = await alpha.kernel.sched.request('/h/other', 'echo still here', { timeoutMs: 5_000 });
    expect(text(reply)).toBe('v1 echo still here');
  }, 30_000);

  it('drops what a trusted host sends past its rate, and says so in bounded events', async () => {
    const beta = a.world.hosts[1]!;
    const sink = await beta.spawn('/h/rated', {
      limits: { mailboxLength: 100_000, mailboxSenderPercent: 100 },
    });
    beta.kernel.sched.send(sink, 'quiet');
    await until(() => beta.kernel.sched.service(sink)!.queued === 0, 5_000, 'quiet');
    beta.kernel.sched.signal(sink, 'stop');
    const before = beta.named('cluster:reject').length;
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
    // peerRate 300/s: a bucket of 300 and 300 more each second.
    expect(queued).toBeLessThanOrEqual(300 * (1 + seconds));
    const floods = beta.named('cluster:reject').slice(before);
    expect(floods.some((e) => e.data?.reason === 'flood')).toBe(true);
    // At most 16 a second per reason, plus a summary each second.
    expect(floods.length).toBeLessThanOrEqual(17 * 2 * (Math.ceil(seconds) + 1));
  }, 30_000);
});
