/**
 * Attack: a NATS client that is not a kernel of the lattice publishes into the lattice's
 * JetStream stream (at-least-once subjects for beta): envelopes signed with a key nobody trusts
 * in alpha's name, envelopes from a host nobody trusts, and a genuine at-most-once envelope of
 * alpha moved into the stream. Beta delivers none of them, drops each from the stream once
 * with `cluster:reject` (`bad-signature`, `unknown-host`, `wrong-subject`), and the stream does
 * not hand them again.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableStream, durableSubject } from '../../../host/cluster/subjects.js';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack } from './harness.js';

const LIMITS = { durableAckWaitMs: 500, durableBackoffMs: 100 };

describe.skipIf(skipWithoutNats())('forged envelopes in the stream', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ durable: true, limits: LIMITS }, { jetstream: true });
  }, 30_000);
  afterAll(() => a?.close());

  it('drops them once each, delivers none, and the stream forgets them', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const sink = await beta.spawn('/f/sink');
    const sender = await alpha.spawn('/f/sender', { peers: ['/f/sink'] });
    await announced(a.world, '/f/sink', 'beta');
    // A genuine at-most-once envelope of alpha, recorded on its way.
    const recorded: Uint8Array[] = [];
    const spy = a.raw.subscribe(a.toBeta('msg'), {
      callback: (_e, msg) => void recorded.push(msg.data.slice()),
    });
    await a.raw.flush();
    alpha.kernel.sched.send(sender, 'send /f/sink genuine');
    await until(
      () => recorded.length === 1 && received(beta.logs(sink)).length === 1,
      5_000,
      'the genuine one',
    );
    spy.unsubscribe();

    const js = jetstream(a.raw);
    const body = new TextEncoder().encode('forged');
    const into = (from: string, sender = 'host') => durableSubject(a.lattice, 'beta', 'msg', from, sender);
    // Signed with a stranger's key, in alpha's name.
    await js.publish(into('alpha'), a.frame({ to: '/f/sink', q: 1, f: 'host' }, body), { msgID: 'f1' });
    // From a host nobody trusts.
    await js.publish(into('eve'), a.frame({ h: 'eve', to: '/f/sink', q: 1, f: 'host' }, body), {
      msgID: 'f2',
    });
    // A genuine frame, moved from its subject into the stream.
    await js.publish(into('alpha', 'sbx_1'), recorded[0]!, { msgID: 'f3' });
    await js.publish(into('alpha', 'sbx_2'), recorded[0]!, { msgID: 'f4' });

    const count = (reason: string) =>
      beta.lattice.rejections().reduce((n, r) => n + (r.reason === reason ? r.count : 0), 0);
    await until(
      () => count('bad-signature') >= 1 && count('unknown-host') >= 1 && count('wrong-subject') >= 2,
      5_000,
      'the refusals',
    );
    // Several of the stream's acknowledgement waits later: none handed again.
    await new Promise((resolve) => setTimeout(resolve, 4 * LIMITS.durableAckWaitMs));
    expect(count('bad-signature')).toBe(1);
    expect(count('unknown-host')).toBe(1);
    expect(count('wrong-subject')).toBe(2);
    expect(received(beta.logs(sink)).map((m) => m.body)).toEqual(['genuine']);
    const events = beta.named('cluster:reject').map((e) => e.data?.reason);
    expect(events).toEqual(expect.arrayContaining(['bad-signature', 'unknown-host', 'wrong-subject']));
    const jsm = await jetstreamManager(a.raw);
    const consumer = await jsm.consumers.info(durableStream(a.lattice).name, 'keel_beta');
    expect(consumer.num_pending + consumer.num_ack_pending).toBe(0);
    expect((await jsm.streams.info(durableStream(a.lattice).name)).state.messages).toBe(0);
    expect(beta.lattice.durableState()).toMatchObject({ held: 0, later: 0 });
  });
});
