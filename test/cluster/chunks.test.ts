/**
 * Modules larger than one envelope travel in chunks: placed with a `frameBytes` of 8 KiB, the
 * 26 KB probe is fetched in four chunks, reassembled, checked against its sha256, loaded and run.
 * One larger than `moduleBytes` is refused before anything travels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeelError } from '../../host/index.js';
import { type NatsServer, skipWithoutNats, startNats } from '../helpers/nats.js';
import { grants, guestBytes, text } from '../ipc/harness.js';
import { converged, type LatticeWorld, latticeWorld } from './harness.js';

describe.skipIf(skipWithoutNats())('modules in chunks', () => {
  let nats: NatsServer;
  let w: LatticeWorld;
  beforeAll(async () => {
    nats = await startNats();
    w = await latticeWorld(nats.url, ['alpha', 'beta'], {
      limits: { frameBytes: 8 * 1024, moduleBytes: 1024 * 1024, heartbeatMs: 200, downAfterMs: 2_000 },
      perHost: { beta: { accept: true } },
    });
    await converged(w);
  }, 30_000);
  afterAll(async () => {
    await w?.close();
    await nats?.stop();
  });

  it('ships a module larger than one envelope in chunks, verified before it runs', async () => {
    const [a, b] = w.hosts as [LatticeWorld['hosts'][0], LatticeWorld['hosts'][0]];
    const bytes = guestBytes('probe');
    expect(bytes.byteLength).toBeGreaterThan(3 * 8 * 1024);
    const placed = await a.lattice.place(bytes, { path: '/c/big', grants: grants() }, { host: 'beta' });
    expect(placed.host).toBe('beta');
    expect(b.named('module:load').some((e) => e.data?.hash === a.probe.hash)).toBe(true);
    expect(text(await a.kernel.sched.request('/c/big', 'echo chunked', { timeoutMs: 5_000 }))).toBe(
      'v1 echo chunked',
    );
    expect(b.named('cluster:reject')).toEqual([]);
  }, 30_000);

  it('refuses a module larger than moduleBytes before shipping anything', async () => {
    const [a] = w.hosts as [LatticeWorld['hosts'][0]];
    const huge = new Uint8Array(1024 * 1024 + 1);
    const refused = await a.lattice.place(huge, { path: '/c/huge' }, { host: 'beta' }).catch((e) => e);
    expect(isKeelError(refused) && refused.code).toBe('message-too-large');
  });
});
