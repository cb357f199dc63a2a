/**
 * A host dies mid-conversation on a three-node NATS cluster (each kernel on its own server): the
 * host that placed a supervised sandbox there sees it declared down, fails the request waiting
 * on it with `timeout` at once, and places the sandbox again on another host by its restart
 * policy (`cluster:replace`); the path is served again from there. Then a NATS server dies: its
 * client reconnects to another and the lattice keeps serving.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHostKey, isKeelError, joinLattice, type Lattice } from '../../host/index.js';
import { type NatsServer, skipWithoutNats, startNatsCluster } from '../helpers/nats.js';
import { grants, guestBytes, IPC_CACHE, type IpcWorld, ipcWorld, text } from '../ipc/harness.js';
import { FAST, hostProcess, until } from './harness.js';

describe.skipIf(skipWithoutNats())('failover on a three-node NATS cluster', () => {
  let nats: NatsServer[];
  let beta: ChildProcess | undefined;
  const worlds: IpcWorld[] = [];
  const lattices: Lattice[] = [];
  beforeAll(async () => {
    nats = await startNatsCluster(3);
    const [n1, n2, n3] = nats as [NatsServer, NatsServer, NatsServer];
    const ids = ['alpha', 'beta', 'gamma'] as const;
    const keys = Object.fromEntries(ids.map((id) => [id, generateHostKey()]));
    const trusted = Object.fromEntries(ids.map((id) => [id, keys[id]!.publicKey]));
    const name = `v${Math.random().toString(36).slice(2, 10)}`;
    beta = await hostProcess({
      url: n2.url,
      lattice: name,
      hostId: 'beta',
      privateKey: keys.beta!.privateKey,
      trusted,
      cacheDir: IPC_CACHE,
      limits: FAST,
      labels: { pool: 'work' },
      accept: true,
    });
    for (const [id, servers, extra] of [
      ['alpha', [n1.url], {}],
      ['gamma', [n3.url, n1.url], { labels: { pool: 'work' }, accept: true }],
    ] as const) {
      const world = await ipcWorld();
      const lattice = await joinLattice(world.kernel, {
        servers,
        lattice: name,
        hostId: id,
        credentials: { privateKey: keys[id]!.privateKey, peers: trusted },
        limits: FAST,
        ...extra,
      });
      world.kernel.sched.start();
      worlds.push(world);
      lattices.push(lattice);
    }
    await until(
      () => lattices.every((l) => l.hosts().filter((h) => h.state === 'up').length === 2),
      15_000,
      'the three hosts to see each other',
    );
  }, 60_000);
  afterAll(async () => {
    if (beta && beta.exitCode === null) beta.kill('SIGKILL');
    for (const lattice of lattices) await lattice.close();
    for (const world of worlds) {
      await world.kernel.sched.stop();
      await world.close();
    }
    for (const server of nats ?? []) await server.stop();
  });

  it('times out what waited on the dead host and places its supervised sandbox elsewhere', async () => {
    const [alpha, gamma] = worlds as [IpcWorld, IpcWorld];
    const [lattice] = lattices as [Lattice];
    const placed = await lattice.place(
      guestBytes('probe'),
      {
        path: '/v/work',
        grants: grants(),
        sched: { restart: { policy: 'on-failure', maxRestarts: 3, backoff: { initialMs: 50 } } },
      },
      { labels: { pool: 'work' } },
    );
    // beta and gamma are equally loaded: the lower host id wins.
    expect(placed.host).toBe('beta');
    expect(text(await alpha.kernel.sched.request('/v/work', 'echo one', { timeoutMs: 5_000 }))).toBe(
      'v1 echo one',
    );
    const pending = alpha.kernel.sched.request('/v/work', 'spin 1', { timeoutMs: 60_000 }).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await new Promise((r) => setTimeout(r, 100));
    const killedAt = Date.now();
    beta!.kill('SIGKILL');
    const error = await pending;
    expect(isKeelError(error) && error.code).toBe('timeout');
    expect(isKeelError(error) && error.details.reason).toBe('host-down');
    expect(Date.now() - killedAt).toBeLessThan(5_000);

    await until(() => alpha.named('cluster:replace').length > 0, 10_000, 'cluster:replace');
    const replaced = alpha.named('cluster:replace')[0]!;
    expect(replaced.status).toBe('ok');
    expect(replaced.data).toMatchObject({ path: '/v/work', from: 'beta', host: 'gamma', attempt: 1 });
    expect(gamma.kernel.sched.service('/v/work')?.state).toBe('running');
    expect(lattice.locate('/v/work')?.host).toBe('gamma');
    expect(text(await alpha.kernel.sched.request('/v/work', 'echo two', { timeoutMs: 5_000 }))).toBe(
      'v1 echo two',
    );
  }, 40_000);

  it('keeps serving when a NATS server dies: its clients reconnect to another', async () => {
    const [alpha] = worlds as [IpcWorld];
    // gamma is connected to the third server (it lists the first as well).
    await nats[2]!.stop();
    // Until gamma has reconnected (and been heard again, if it was declared down meanwhile).
    const deadline = Date.now() + 15_000;
    let reply = '';
    while (reply !== 'v1 echo three') {
      if (Date.now() > deadline) throw new Error('no reply through the surviving servers in 15 s');
      reply = await alpha.kernel.sched
        .request('/v/work', 'echo three', { timeoutMs: 1_000 })
        .then(text, () => '');
      if (reply === '') await new Promise((r) => setTimeout(r, 200));
    }
  }, 30_000);
});
