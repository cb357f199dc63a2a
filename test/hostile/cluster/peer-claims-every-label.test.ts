/**
 * Attack: a trusted host (its key stolen, or its operator careless) announces every label a
 * placement might ask for (`zone: eu`, `gpu: yes`, `tier: secure`) and accepts placements, to
 * draw sandboxes meant for other machines. A host whose operator pinned that host's labels
 * (`credentials.peers[host] = { key, labels }`) places by the pinned labels only: the claim is
 * ignored, nothing is shipped to it, and a placement no honest host fits fails `no-such-target`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHostKey, isKeelError, joinLattice, type Lattice } from '../../../host/index.js';
import { until } from '../../cluster/harness.js';
import { type NatsServer, skipWithoutNats, startNats } from '../../helpers/nats.js';
import { grants, guestBytes, type IpcWorld, ipcWorld } from '../../ipc/harness.js';

/** Placements load modules on these hosts' threads: room for a loaded machine before a host is declared down. */
const STEADY = { heartbeatMs: 200, downAfterMs: 2_000 };

describe.skipIf(skipWithoutNats())('a peer that claims every label', () => {
  let nats: NatsServer;
  const worlds: IpcWorld[] = [];
  const lattices: Lattice[] = [];
  beforeAll(async () => {
    nats = await startNats();
    const keys = { alpha: generateHostKey(), liar: generateHostKey() };
    const name = `l${Math.random().toString(36).slice(2, 10)}`;
    const setups = [
      {
        id: 'alpha',
        labels: { zone: 'us' },
        peers: { liar: { key: keys.liar.publicKey, labels: { zone: 'us', tier: 'batch' } } },
      },
      {
        id: 'liar',
        labels: { zone: 'eu', gpu: 'yes', tier: 'secure' },
        peers: { alpha: keys.alpha.publicKey },
        accept: true,
      },
    ] as const;
    for (const setup of setups) {
      const world = await ipcWorld();
      lattices.push(
        await joinLattice(world.kernel, {
          servers: nats.url,
          lattice: name,
          hostId: setup.id,
          credentials: { privateKey: keys[setup.id].privateKey, peers: setup.peers },
          labels: setup.labels,
          limits: STEADY,
          ...('accept' in setup ? { accept: setup.accept } : {}),
        }),
      );
      world.kernel.sched.start();
      worlds.push(world);
    }
    await until(
      () => lattices.every((l) => l.hosts().some((h) => h.state === 'up')),
      5_000,
      'alpha and the liar to hear each other',
    );
  }, 30_000);
  afterAll(async () => {
    for (const lattice of lattices) await lattice.close();
    for (const world of worlds) {
      await world.kernel.sched.stop();
      await world.close();
    }
    await nats?.stop();
  });

  it('places by the labels the operator pinned, never by the claim', async () => {
    const [alpha] = lattices as [Lattice];
    const liar = worlds[1]!;
    expect(alpha.hosts().find((h) => h.host === 'liar')!.labels).toEqual({ zone: 'us', tier: 'batch' });
    const loads = () => liar.named('module:load').length;
    const before = loads();
    for (const labels of [{ zone: 'eu' }, { gpu: 'yes' }, { tier: 'secure' }] as Record<string, string>[]) {
      const refused = await alpha
        .place(guestBytes('probe'), { path: '/l/secret', grants: grants() }, { labels })
        .catch((e: unknown) => e);
      expect(isKeelError(refused) && refused.code).toBe('no-such-target');
    }
    // What it was pinned to still works.
    const placed = await alpha.place(
      guestBytes('probe'),
      { path: '/l/batch', grants: grants() },
      { labels: { tier: 'batch' } },
    );
    expect(placed.host).toBe('liar');
    // Nothing else was shipped to it.
    expect(liar.kernel.sched.service('/l/secret')).toBeUndefined();
    expect(loads()).toBe(before + 1);
  }, 30_000);
});
