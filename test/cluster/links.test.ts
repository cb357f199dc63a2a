/**
 * Links between placed sandboxes: alpha places one sandbox on beta and one on gamma and links
 * them (`lattice.linkPlaced`, what a plan's `links` do when both are placed): each hears
 * (`keel.down`) when the other ends, and the link widens no grant (one that may not send to the
 * other still may not).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, skipWithoutNats, startNats } from '../helpers/nats.js';
import { grants } from '../ipc/harness.js';
import { converged, type LatticeWorld, latticeWorld, until } from './harness.js';

const PROBE = new Uint8Array(readFileSync(new URL('../../guests/as/probe/probe.wasm', import.meta.url)));
const idOf = (qualified: string) => qualified.slice(0, qualified.indexOf('@'));

describe.skipIf(skipWithoutNats())('links between sandboxes placed on different hosts', () => {
  let nats: NatsServer;
  let w: LatticeWorld;
  beforeAll(async () => {
    nats = await startNats();
    w = await latticeWorld(nats.url, ['alpha', 'beta', 'gamma'], {
      perHost: { beta: { accept: true }, gamma: { accept: true } },
    });
    await converged(w);
  }, 30_000);
  afterAll(async () => {
    await w?.close();
    await nats?.stop();
  });

  it('tells each when the other ends, and grants nothing', async () => {
    const [alpha, beta, gamma] = w.hosts as [
      LatticeWorld['hosts'][0],
      LatticeWorld['hosts'][0],
      LatticeWorld['hosts'][0],
    ];
    const a = await alpha.lattice.place(PROBE, { path: '/l/a', grants: grants() }, { host: 'beta' });
    const b = await alpha.lattice.place(PROBE, { path: '/l/b', grants: grants() }, { host: 'gamma' });
    await alpha.lattice.linkPlaced('/l/a', '/l/b');
    // The link grants nothing: a (no peers) still may not send to b.
    beta.kernel.sched.send('/l/a', 'send /l/b hi');
    await until(() => beta.logs(idOf(a.sandbox)).some((l) => l.startsWith('send ')), 5_000, "a's send");
    expect(beta.logs(idOf(a.sandbox)).find((l) => l.startsWith('send '))).not.toBe('send ok');
    // b ends: a, on another host, hears it.
    await alpha.lattice.unplace('/l/b');
    await until(
      () => beta.logs(idOf(a.sandbox)).some((l) => l.startsWith('v1 event keel.down kernel')),
      5_000,
      'keel.down at a',
    );
    const down = beta.logs(idOf(a.sandbox)).find((l) => l.startsWith('v1 event keel.down kernel'))!;
    expect(JSON.parse(down.slice('v1 event keel.down kernel '.length))).toMatchObject({
      host: 'gamma',
      reason: 'ended',
    });
    expect(gamma.logs(idOf(b.sandbox)).some((l) => l.includes('keel.down'))).toBe(false);
  }, 30_000);
});
