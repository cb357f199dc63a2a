/**
 * Attack: a kernel with a key of its own, not among beta's trusted hosts, joins the lattice and
 * sends to beta's sandboxes. Beta never lists it as a host and delivers nothing from it; its
 * frames are dropped as `unknown-host`, in bounded events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHostKey, joinLattice, type Lattice } from '../../../host/index.js';
import { announced, FAST, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { type IpcWorld, ipcWorld, received } from '../../ipc/harness.js';
import { type Attack, attack, settle } from './harness.js';

describe.skipIf(skipWithoutNats())('unknown host', () => {
  let a: Attack;
  let gamma: IpcWorld;
  let intruder: Lattice;
  let started = 0;
  beforeAll(async () => {
    a = await attack();
    started = Date.now();
    gamma = await ipcWorld();
    const key = generateHostKey();
    // gamma trusts beta (it has beta's public key, which is no secret); beta does not trust gamma.
    intruder = await joinLattice(gamma.kernel, {
      servers: a.nats.url,
      lattice: a.lattice,
      hostId: 'gamma',
      credentials: { privateKey: key.privateKey, peers: { beta: a.world.keys.beta!.publicKey } },
      limits: FAST,
    });
    gamma.kernel.sched.start();
  }, 30_000);
  afterAll(async () => {
    await intruder?.close();
    await gamma?.kernel.sched.stop();
    await gamma?.close();
    await a?.close();
  });

  it('never lists it, delivers nothing from it, and says so', async () => {
    const beta = a.world.hosts[1]!;
    const sink = await beta.spawn('/h/sink');
    await until(() => intruder.locate('/h/sink')?.host === 'beta', 5_000, 'gamma to see beta');
    const sender = await gamma.spawn('/h/intruder', { peers: ['/h/**'] });
    gamma.kernel.sched.send(sender, 'sendseq /h/sink 500 x');
    await until(() => gamma.logs(sender).some((l) => l.startsWith('sendseq ')), 5_000, 'the sends');
    await settle(a, 500);
    expect(received(beta.logs(sink))).toEqual([]);
    expect(beta.lattice.hosts().map((h) => h.host)).toEqual(['alpha']);
    const unknown = beta.named('cluster:reject').filter((e) => e.data?.reason === 'unknown-host');
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown[0]!.data).toMatchObject({ host: 'gamma' });
    // At most 16 a second per reason, plus a summary each second (gamma's heartbeats count too).
    const seconds = Math.ceil((Date.now() - started) / 1000) + 2;
    expect(beta.named('cluster:reject').length).toBeLessThanOrEqual(17 * seconds);
    // And alpha's messages still go through.
    await announced(a.world, '/h/sink', 'beta');
  });
});
