/**
 * Placement: a module runs where a plan says (a host, a label) or where the lattice has the
 * least load; it is shipped by content hash, fetched from the placing host and checked before
 * it runs; a host that does not accept placements refuses them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeelError } from '../../host/index.js';
import { type NatsServer, skipWithoutNats, startNats } from '../helpers/nats.js';
import { grants, guestBytes, text } from '../ipc/harness.js';
import { announced, converged, type LatticeWorld, latticeWorld } from './harness.js';

describe.skipIf(skipWithoutNats())('placement', () => {
  let nats: NatsServer;
  let w: LatticeWorld;
  beforeAll(async () => {
    nats = await startNats();
    w = await latticeWorld(nats.url, ['alpha', 'beta'], {
      perHost: { alpha: { labels: { zone: 'a' } }, beta: { labels: { zone: 'b' }, accept: true } },
    });
    await converged(w);
  }, 20_000);
  afterAll(async () => {
    await w?.close();
    await nats?.stop();
  });

  it('places on the host with a label, shipping the module by hash, and routes to it', async () => {
    const [a, b] = w.hosts as [LatticeWorld['hosts'][0], LatticeWorld['hosts'][0]];
    const bytes = guestBytes('probe');
    const placed = await a.lattice.place(
      bytes,
      { path: '/p/worker', grants: grants() },
      { labels: { zone: 'b' } },
    );
    expect(placed.host).toBe('beta');
    expect(placed.sandbox).toMatch(/^sbx_\d+@beta$/);
    // beta loaded the bytes it fetched, with the hash alpha named.
    const loads = b.named('module:load').filter((e) => e.data?.hash === a.probe.hash);
    expect(loads.length).toBeGreaterThanOrEqual(1);
    await announced(w, '/p/worker', 'beta');
    const reply = await a.kernel.sched.request('/p/worker', 'echo placed', { timeoutMs: 5_000 });
    expect(text(reply)).toBe('v1 echo placed');
  });

  it('places on the least loaded host, and on this host when it is the one', async () => {
    const [a] = w.hosts as [LatticeWorld['hosts'][0]];
    // alpha runs nothing placed yet, beta one sandbox: alpha is the least loaded once beta announced it.
    const placed = await a.lattice.place(guestBytes('probe'), { path: '/p/here', grants: grants() });
    expect(placed.host).toBe('alpha');
    expect(a.kernel.sched.service('/p/here')?.state).toBe('running');
  });

  it("a peer's placement may tighten the host's limits, never raise them", async () => {
    const [a, b] = w.hosts as [LatticeWorld['hosts'][0], LatticeWorld['hosts'][0]];
    const own = b.kernel.limits;
    const placed = await a.lattice.place(
      guestBytes('probe'),
      {
        path: '/p/limits',
        grants: grants(),
        limits: {
          fuel: own.fuel * 10,
          memoryBytes: own.memoryBytes * 2,
          deadlineMs: Math.floor(own.deadlineMs / 2),
        },
      },
      { host: 'beta' },
    );
    expect(placed.host).toBe('beta');
    const sandbox = b.kernel.sandboxes.find((s) => placed.sandbox.startsWith(`${s.id}@`));
    expect(sandbox).toBeDefined();
    expect(sandbox!.limits.fuel).toBe(own.fuel);
    expect(sandbox!.limits.memoryBytes).toBe(own.memoryBytes);
    expect(sandbox!.limits.deadlineMs).toBe(Math.floor(own.deadlineMs / 2));
  });

  it('is refused by a host that does not accept placements, and for labels nobody has', async () => {
    const [, b] = w.hosts as [LatticeWorld['hosts'][0], LatticeWorld['hosts'][0]];
    const refused = await b.lattice
      .place(guestBytes('probe'), { path: '/p/no' }, { host: 'alpha' })
      .catch((e) => e);
    expect(isKeelError(refused) && refused.code).toBe('capability-denied');
    const nowhere = await b.lattice
      .place(guestBytes('probe'), { path: '/p/no' }, { labels: { zone: 'x' } })
      .catch((e) => e);
    expect(isKeelError(nowhere) && nowhere.code).toBe('no-such-target');
  });
});
