/**
 * Attack: a NATS client that is not a kernel of the lattice publishes a message that claims to
 * come from a sandbox of a trusted host (alpha's `sbx_1`), signed with its own key, or moves a
 * genuine frame for one host onto another's subject, or names a sender of a third host. The
 * receiving kernel must drop each, say so (`cluster:reject`), and deliver nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announced } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack, settle } from './harness.js';

describe.skipIf(skipWithoutNats())('forged sender', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack();
  }, 30_000);
  afterAll(() => a?.close());

  it('drops a message claiming to be alpha signed with another key, and one naming a third host', async () => {
    const beta = a.world.hosts[1]!;
    const sink = await beta.spawn('/h/sink');
    await announced(a.world, '/h/sink', 'beta');
    const rejects = () => beta.named('cluster:reject');
    a.raw.publish(a.toBeta(), a.frame({ to: '/h/sink' }, new TextEncoder().encode('forged')));
    a.raw.publish(
      a.toBeta(),
      a.frame({ to: '/h/sink', f: 'sbx_1@gamma' }, new TextEncoder().encode('third')),
    );
    // A genuine, alpha-signed frame addressed to gamma, moved onto beta's subject.
    a.raw.publish(
      a.toBeta(),
      a.frame({ to: '/h/sink', d: 'gamma' }, new TextEncoder().encode('moved'), a.alphaKey),
    );
    await settle(a);
    expect(received(beta.logs(sink))).toEqual([]);
    expect(rejects().map((e) => e.data?.reason)).toEqual(['bad-signature', 'malformed', 'wrong-subject']);
    expect(rejects()[0]!.data).toMatchObject({ host: 'alpha' });
  });

  it('still takes a genuine message from alpha afterwards, stamped by alpha', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const sender = await alpha.spawn('/h/sender', { peers: ['/h/sink'] });
    alpha.kernel.sched.send(sender, 'send /h/sink genuine');
    const sink = beta.kernel.sched.service('/h/sink')!.sandbox!;
    const start = Date.now();
    while (!received(beta.logs(sink)).length && Date.now() - start < 5_000) await settle(a, 50);
    expect(received(beta.logs(sink))).toEqual([
      { version: 'v1', sender: `${sender.id}@alpha`, request: '0', body: 'genuine' },
    ]);
  });
});
