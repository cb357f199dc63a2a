/**
 * Attack: at-least-once messages that the receiving host cannot accept (their target is
 * stopped, its mailbox full) must neither be handed again for ever nor take every slot the
 * stream gives this host (`durableInflight`), starving messages to its other sandboxes. Beta
 * hands each back with a doubling wait at most `durableDeliveries` times, holds at most a
 * quarter of its slots for one target, then drops them (`ipc:drop`, `redelivered`); messages
 * to a healthy neighbour get through meanwhile, and the stream ends empty.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableStream } from '../../../host/cluster/subjects.js';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack } from './harness.js';

const LIMITS = {
  durableAckWaitMs: 2_000,
  durableBackoffMs: 200,
  durableDeliveries: 3,
  durableInflight: 16,
};

describe.skipIf(skipWithoutNats())('redelivery flood', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ durable: true, limits: LIMITS }, { jetstream: true });
  }, 30_000);
  afterAll(() => a?.close());

  it('gives up on what cannot be accepted, in bounded tries, and others get through', async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const stuck = await beta.spawn('/x/stuck', { limits: { mailboxLength: 4 } });
    const ok = await beta.spawn('/x/ok');
    await announced(a.world, '/x/stuck', 'beta');
    await announced(a.world, '/x/ok', 'beta');
    beta.kernel.sched.signal(stuck, 'stop');
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    // Far more than the slots beta has: every one acknowledged by the stream.
    for (let i = 0; i < 80; i++) await alpha.lattice.sendAtLeastOnce('/x/stuck', `s${i}`);
    for (let i = 0; i < 20; i++) await alpha.lattice.sendAtLeastOnce('/x/ok', `o${i}`);
    await until(() => received(beta.logs(ok)).length === 20, 8_000, 'the neighbour’s messages');
    const neighbourMs = Date.now() - started;
    // Every stuck message ends: in the mailbox (its share of it) or dropped, not handed again.
    const jsm = await jetstreamManager(a.raw);
    const stream = durableStream(a.lattice).name;
    await until(
      () => beta.lattice.durableState()!.later === 0,
      3 * LIMITS.durableBackoffMs * 2 ** LIMITS.durableDeliveries + 5_000,
      'the tries to end',
    );
    const drops = () =>
      beta.named('ipc:drop').filter((e) => e.data?.to === '/x/stuck' && e.data?.delivery === 'at-least-once');
    expect(drops().length).toBeGreaterThan(0);
    for (const e of drops()) {
      expect(e.data?.reason).toBe('mailbox-full');
      expect(e.data?.redelivered as number).toBeLessThan(LIMITS.durableDeliveries);
    }
    let info = await jsm.consumers.info(stream, 'keel_beta');
    // What stays is only what sits in the stopped sandbox's mailbox (held, not acknowledged).
    expect(info.num_pending).toBe(0);
    expect(info.num_ack_pending).toBe(beta.lattice.durableState()!.held);
    expect(beta.lattice.durableState()!.held).toBeLessThanOrEqual(4);
    // Continued, the stopped sandbox takes what it holds, and the stream is empty.
    beta.kernel.sched.signal(stuck, 'cont');
    await until(() => beta.lattice.durableState()!.held === 0, 5_000, 'the held ones delivered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    info = await jsm.consumers.info(stream, 'keel_beta');
    expect(info.num_pending + info.num_ack_pending).toBe(0);
    expect((await jsm.streams.info(stream)).state.messages).toBe(0);
    expect(neighbourMs).toBeLessThan(8_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  }, 40_000);
});
