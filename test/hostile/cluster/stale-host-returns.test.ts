/**
 * Attack (or accident): a host that runs a supervised sandbox goes silent without dying (a
 * partition, a stopped process: here SIGSTOP), is declared down, and its sandbox is placed again
 * elsewhere; then it comes back, still running the old copy and announcing the same path. The
 * host that placed it keeps routing the path to where it placed it last: the stale copy, which
 * sorts first by host id, does not take the traffic back (it would answer from state the
 * failover left behind, or hold messages nobody expects there).
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHostKey, joinLattice, type Lattice } from '../../../host/index.js';
import { hostProcess, until } from '../../cluster/harness.js';
import { type NatsServer, skipWithoutNats, startNats } from '../../helpers/nats.js';
import { grants, guestBytes, IPC_CACHE, type IpcWorld, ipcWorld, text } from '../../ipc/harness.js';

/** Placements load modules on these hosts' threads: room for a loaded machine before a host is declared down. */
const STEADY = { heartbeatMs: 200, downAfterMs: 2_000 };

describe.skipIf(skipWithoutNats())('a stale host that returns', () => {
  let nats: NatsServer;
  let beta: ChildProcess | undefined;
  const worlds: IpcWorld[] = [];
  const lattices: Lattice[] = [];
  beforeAll(async () => {
    nats = await startNats();
    const ids = ['alpha', 'beta', 'gamma'] as const;
    const keys = Object.fromEntries(ids.map((id) => [id, generateHostKey()]));
    const trusted = Object.fromEntries(ids.map((id) => [id, keys[id]!.publicKey]));
    const name = `r${Math.random().toString(36).slice(2, 10)}`;
    beta = await hostProcess({
      url: nats.url,
      lattice: name,
      hostId: 'beta',
      privateKey: keys.beta!.privateKey,
      trusted,
      cacheDir: IPC_CACHE,
      limits: STEADY,
      labels: { pool: 'work' },
      accept: true,
    });
    for (const id of ['alpha', 'gamma'] as const) {
      const world = await ipcWorld();
      lattices.push(
        await joinLattice(world.kernel, {
          servers: nats.url,
          lattice: name,
          hostId: id,
          credentials: { privateKey: keys[id]!.privateKey, peers: trusted },
          limits: STEADY,
          ...(id === 'gamma' ? { labels: { pool: 'work' }, accept: true } : {}),
        }),
      );
      world.kernel.sched.start();
      worlds.push(world);
    }
    await until(
      () => lattices.every((l) => l.hosts().filter((h) => h.state === 'up').length === 2),
      15_000,
      'the hosts to see each other',
    );
  }, 60_000);
  afterAll(async () => {
    if (beta && beta.exitCode === null) {
      beta.kill('SIGCONT');
      beta.kill('SIGKILL');
    }
    for (const lattice of lattices) await lattice.close();
    for (const world of worlds) {
      await world.kernel.sched.stop();
      await world.close();
    }
    await nats?.stop();
  });

  it('keeps routing the path to where it was placed last', async () => {
    const [alpha, gamma] = worlds as [IpcWorld, IpcWorld];
    const [lattice] = lattices as [Lattice];
    const placed = await lattice.place(
      guestBytes('probe'),
      {
        path: '/r/work',
        grants: grants(),
        sched: { restart: { policy: 'on-failure', backoff: { initialMs: 20 } } },
      },
      { labels: { pool: 'work' } },
    );
    expect(placed.host).toBe('beta');
    beta!.kill('SIGSTOP');
    await until(
      () => alpha.named('cluster:replace').some((e) => e.status === 'ok'),
      10_000,
      'the sandbox to be placed again',
    );
    expect(lattice.locate('/r/work')?.host).toBe('gamma');
    beta!.kill('SIGCONT');
    // beta is heard again, announcing its old copy of /r/work.
    await until(
      () =>
        lattice
          .hosts()
          .some(
            (h) => h.host === 'beta' && h.state === 'up' && h.services.some(([, path]) => path === '/r/work'),
          ),
      10_000,
      'beta to come back',
    );
    expect(lattice.locate('/r/work')?.host).toBe('gamma');
    const served = gamma.kernel.sched.service('/r/work')!;
    const before = served.delivered;
    expect(text(await alpha.kernel.sched.request('/r/work', 'echo after', { timeoutMs: 5_000 }))).toBe(
      'v1 echo after',
    );
    expect(gamma.kernel.sched.service('/r/work')!.delivered).toBe(before + 1);
  }, 40_000);
});
