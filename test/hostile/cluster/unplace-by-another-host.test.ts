/**
 * Attack: a host that did not place a sandbox orders it stopped. Mallory (a trusted host that
 * misbehaves) sends beta `upl` orders for a path alpha placed on beta, for a sandbox beta's own
 * embedder runs, and floods them. Beta obeys an unplace only from the host that placed that
 * sandbox: every other order is refused (`capability-denied` back to mallory, `cluster:reject`
 * `not-placer`, counted, bounded events), and both sandboxes keep running; alpha's own order
 * still works. A client that is not a kernel cannot sign an order at all (bad-signature, as for
 * every kind).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { grants } from '../../ipc/harness.js';
import { type Attack, settle, withImpostor } from './harness.js';

const PROBE = new Uint8Array(readFileSync(new URL('../../../guests/as/probe/probe.wasm', import.meta.url)));

describe.skipIf(skipWithoutNats())('an unplace order from a host that did not place the sandbox', () => {
  const world = withImpostor({ perHost: { beta: { accept: true } } });

  it('is refused, and only the placing host can stop what it placed', async () => {
    const { a, m } = world();
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const placed = await alpha.lattice.place(
      PROBE,
      { path: '/u/placed', grants: grants() },
      { host: 'beta' },
    );
    expect(placed.host).toBe('beta');
    await beta.spawn('/u/own');
    await announced(a.world, '/u/own', 'beta');
    const started = Date.now();
    for (let i = 0; i < 200; i++) {
      m.send({ k: 'upl', r: String(1 + i), to: i % 2 ? '/u/placed' : '/u/own', f: undefined });
    }
    await settle(a, 1_000);
    // Nothing stopped; every order refused and counted; mallory told no.
    expect(beta.kernel.sched.service('/u/placed')?.state).toBe('running');
    expect(beta.kernel.sandboxes.some((s) => `${s.id}@beta` === placed.sandbox)).toBe(true);
    expect(beta.kernel.sched.service('/u/own')?.state).toBe('running');
    expect(beta.kernel.mounted('/u/placed').length).toBe(1);
    const counted = beta.lattice.rejections().find((r) => r.reason === 'not-placer' && r.host === 'mallory');
    expect(counted?.count).toBe(200);
    await until(() => m.received.filter((h) => h.k === 'err').length > 0, 5_000, "mallory's refusals");
    expect(m.received.filter((h) => h.k === 'err').every((h) => h.c === 'capability-denied')).toBe(true);
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(beta.named('cluster:reject').length).toBeLessThanOrEqual(17 * seconds * 2);
    // The host that placed it can stop it.
    await alpha.lattice.unplace('/u/placed');
    const id = placed.sandbox.slice(0, placed.sandbox.indexOf('@'));
    expect(beta.kernel.sandboxes.some((s) => s.id === id)).toBe(false);
    expect(beta.kernel.sched.service('/u/placed')?.state ?? 'ended').toBe('ended');
    expect(beta.kernel.mounted('/u/placed').length).toBe(0);
    expect(beta.kernel.sched.service('/u/own')?.state).toBe('running');
    // And alpha no longer routes there once beta stops announcing it.
    await until(() => alpha.lattice.locate('/u/placed') === undefined, 5_000, 'the path to be gone');
  }, 30_000);
});
