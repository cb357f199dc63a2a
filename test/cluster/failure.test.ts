/**
 * A host dies mid-conversation (its process is killed, no goodbye): the others declare it down
 * within `downAfterMs`, the requests waiting on it fail at once with `timeout` (not after their
 * own timeout), links to its sandboxes get `keel.down`, and its paths stop being routed.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHostKey, isKeelError, joinLattice, type Lattice } from '../../host/index.js';
import { type NatsServer, skipWithoutNats, startNats } from '../helpers/nats.js';
import { IPC_CACHE, type IpcWorld, ipcWorld } from '../ipc/harness.js';
import { FAST, hostProcess, until } from './harness.js';

describe.skipIf(skipWithoutNats())('a host that dies', () => {
  let nats: NatsServer;
  let alpha: IpcWorld;
  let lattice: Lattice;
  let beta: ChildProcess | undefined;
  beforeAll(async () => {
    nats = await startNats();
    const keys = { alpha: generateHostKey(), beta: generateHostKey() };
    const trusted = { alpha: keys.alpha.publicKey, beta: keys.beta.publicKey };
    const name = `f${Math.random().toString(36).slice(2, 10)}`;
    beta = await hostProcess({
      url: nats.url,
      lattice: name,
      hostId: 'beta',
      privateKey: keys.beta.privateKey,
      trusted,
      paths: ['/f/svc'],
      cacheDir: IPC_CACHE,
      limits: FAST,
    });
    alpha = await ipcWorld();
    lattice = await joinLattice(alpha.kernel, {
      servers: nats.url,
      lattice: name,
      hostId: 'alpha',
      credentials: { privateKey: keys.alpha.privateKey, peers: trusted },
      limits: FAST,
    });
    alpha.kernel.sched.start();
    await until(() => lattice.locate('/f/svc')?.host === 'beta', 10_000, 'beta to announce /f/svc');
  }, 40_000);
  afterAll(async () => {
    if (beta && beta.exitCode === null) beta.kill('SIGKILL');
    await lattice?.close();
    await alpha?.kernel.sched.stop();
    await alpha?.close();
    await nats?.stop();
  });

  it('fails what waits on it at once, tells linked sandboxes, and stops routing to it', async () => {
    const asker = await alpha.spawn('/f/asker', { peers: ['/f/**'] });
    lattice.link(asker.id, '/f/svc');
    // The conversation works while beta lives.
    const answer = await alpha.kernel.sched.request('/f/svc', 'echo alive', { timeoutMs: 5_000 });
    expect(new TextDecoder().decode(answer)).toBe('v1 echo alive');
    // Requests that beta will never answer, waiting for 60 s.
    const pending = alpha.kernel.sched.request('/f/svc', 'spin 1', { timeoutMs: 60_000 });
    const outcome = pending.then(
      () => 'answered',
      (error: unknown) => error,
    );
    alpha.kernel.sched.send(asker, 'request /f/svc 60000 spin 1');
    await until(() => alpha.logs(asker).some((l) => l.startsWith('request ok')), 5_000, 'the guest request');

    const killedAt = Date.now();
    beta!.kill('SIGKILL');
    const error = await outcome;
    const waited = Date.now() - killedAt;
    expect(isKeelError(error) && error.code).toBe('timeout');
    expect(isKeelError(error) && error.details.reason).toBe('host-down');
    // Declared down after downAfterMs (600 ms) of silence, far from the request's 60 s.
    expect(waited).toBeLessThan(5_000);
    await until(() => alpha.logs(asker).some((l) => l.startsWith('v1 reply ')), 5_000, 'the guest outcome');
    // Status 1 is timeout.
    expect(alpha.logs(asker).find((l) => l.startsWith('v1 reply '))).toMatch(/^v1 reply \d+ 1 $/);
    await until(
      () => alpha.logs(asker).some((l) => l.startsWith('v1 event keel.down kernel')),
      5_000,
      'keel.down',
    );
    const down = alpha.logs(asker).find((l) => l.startsWith('v1 event keel.down kernel'))!;
    expect(JSON.parse(down.slice('v1 event keel.down kernel '.length))).toMatchObject({
      host: 'beta',
      reason: 'host-down',
    });
    expect(alpha.named('cluster:down').map((e) => e.data)).toEqual([
      expect.objectContaining({ host: 'beta', reason: 'silent' }),
    ]);
    // Its paths are no longer routed: a send now is no-such-target.
    expect(lattice.locate('/f/svc')).toBeUndefined();
    alpha.kernel.sched.send(asker, 'send /f/svc late');
    await until(() => alpha.logs(asker).some((l) => l.startsWith('send ')), 5_000, 'the late send');
    expect(alpha.logs(asker).find((l) => l.startsWith('send '))).toBe('send no-such-target');
  }, 30_000);
});
