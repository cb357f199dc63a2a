/**
 * Attack: a host that did not place a sandbox orders it linked (`lnk`), to learn through it when
 * another sandbox ends or to attach notices to a sandbox it does not own. Mallory (a trusted host
 * that misbehaves) orders beta to link a sandbox alpha placed there, and one beta's embedder
 * runs. Beta obeys a link order only from the host that placed that sandbox: every other is
 * refused (`capability-denied` back, `cluster:reject` `not-placer`, counted), and no link is
 * made (the sandbox hears nothing when the target ends).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { grants } from '../../ipc/harness.js';
import { type Attack, settle, withImpostor } from './harness.js';

const PROBE = new Uint8Array(readFileSync(new URL('../../../guests/as/probe/probe.wasm', import.meta.url)));

describe.skipIf(skipWithoutNats())('a link order from a host that did not place the sandbox', () => {
  const world = withImpostor({ perHost: { beta: { accept: true } } });

  it('is refused, and no link is made', async () => {
    const { a, m } = world();
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const placed = await alpha.lattice.place(
      PROBE,
      { path: '/k/placed', grants: grants() },
      { host: 'beta' },
    );
    const own = await beta.spawn('/k/own');
    const target = await alpha.spawn('/k/target');
    await announced(a.world, '/k/target', 'alpha');
    for (let i = 0; i < 100; i++) {
      m.send({
        k: 'lnk',
        r: String(1 + i),
        to: i % 2 ? '/k/placed' : '/k/own',
        ln: '/k/target',
        f: undefined,
      });
    }
    await settle(a, 1_000);
    const counted = beta.lattice.rejections().find((r) => r.reason === 'not-placer' && r.host === 'mallory');
    expect(counted?.count).toBe(100);
    await until(() => m.received.some((h) => h.k === 'err'), 5_000, "mallory's refusals");
    expect(m.received.filter((h) => h.k === 'err').every((h) => h.c === 'capability-denied')).toBe(true);
    expect(m.received.some((h) => h.k === 'plr')).toBe(false);
    // The target ends: neither sandbox on beta hears of it (no link was made).
    target.terminate();
    await settle(a, 1_000);
    const placedId = placed.sandbox.slice(0, placed.sandbox.indexOf('@'));
    expect(beta.logs(placedId).some((l) => l.includes('keel.down'))).toBe(false);
    expect(beta.logs(own).some((l) => l.includes('keel.down'))).toBe(false);
  }, 30_000);
});
