/**
 * Attack: messages larger than the limits, across hosts. A guest's oversize send is refused on
 * its own host (`message-too-large`); a trusted host that sends a body larger than the
 * receiver's `messageBytes` anyway (a buggy or hostile kernel) is refused by the receiver, and a
 * frame larger than `frameBytes` is dropped before it is even parsed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack, settle } from './harness.js';

describe.skipIf(skipWithoutNats())('oversize message', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ limits: { frameBytes: 256 * 1024 } });
  }, 30_000);
  afterAll(() => a?.close());

  it('refuses a guest oversize send on the sending host', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    await beta.spawn('/h/sink');
    const sender = await alpha.spawn('/h/sender', { peers: ['/h/sink'] });
    await announced(a.world, '/h/sink', 'beta');
    alpha.kernel.sched.send(sender, 'sendn /h/sink 1 70000');
    await until(() => alpha.logs(sender).some((l) => l.startsWith('sendn ')), 5_000, 'the send');
    expect(alpha.logs(sender).find((l) => l.startsWith('sendn '))).toBe('sendn message-too-large sent=0');
  });

  it('refuses, on the receiving host, a body over its limit from a trusted host, and a frame over frameBytes', async () => {
    const beta = a.world.hosts[1]!;
    const sink = beta.kernel.sched.service('/h/sink')!.sandbox!;
    const big = new Uint8Array(100 * 1024).fill(0x41);
    a.raw.publish(a.toBeta(), a.frame({ to: '/h/sink', e: 'aaaaaaaaaaaaaaaa' }, big, a.alphaKey));
    const huge = new Uint8Array(300 * 1024).fill(0x42);
    a.raw.publish(a.toBeta(), a.frame({ to: '/h/sink', e: 'aaaaaaaaaaaaaaaa' }, huge, a.alphaKey));
    await settle(a);
    expect(received(beta.logs(sink))).toEqual([]);
    expect(beta.named('ipc:drop').map((e) => e.data?.reason)).toContain('message-too-large');
    expect(beta.named('cluster:reject').map((e) => e.data?.reason)).toContain('too-large');
    expect(beta.kernel.sched.service('/h/sink')!.queued).toBe(0);
  });
});
