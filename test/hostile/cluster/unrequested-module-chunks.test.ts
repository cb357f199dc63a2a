/**
 * Attack: a trusted host that misbehaves (mallory) sends beta module chunks nobody asked for:
 * for a request beta never made, for a hash nobody fetches, as fast as it can. Beta keeps none of
 * them: each is dropped as `unsolicited`, counted (`lattice.rejections()`), reported in bounded
 * events, and its memory does not grow with them.
 */
import { describe, expect, it } from 'vitest';
import { skipWithoutNats } from '../../helpers/nats.js';
import { settle, withImpostor } from './harness.js';

describe.skipIf(skipWithoutNats())('module chunks nobody asked for', () => {
  const world = withImpostor({ limits: { peerRate: 100_000 } });

  it('keeps none, counts them all, and reports them in bounded events', async () => {
    const { a, m } = world();
    const beta = a.world.hosts[1]!;
    const started = Date.now();
    const heapBefore = process.memoryUsage().heapUsed;
    const chunk = new Uint8Array(16 * 1024).fill(1);
    const sent = 1_000;
    for (let i = 0; i < sent; i++) {
      m.send({ k: 'mod', r: String(900_000 + i), hx: 'ef'.repeat(32), n: 0, of: 2, sz: 32 * 1024 }, chunk);
    }
    await settle(a, 1_500);
    const counted = beta.lattice.rejections().find((r) => r.reason === 'unsolicited' && r.host === 'mallory');
    expect(counted?.count).toBe(sent);
    const events = beta.named('cluster:reject').filter((e) => e.data?.reason === 'unsolicited');
    expect(events.length).toBeGreaterThan(0);
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(beta.named('cluster:reject').length).toBeLessThanOrEqual(17 * seconds * 2);
    // 16 MiB were sent; none of it is held.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(12 * 1024 * 1024);
  }, 30_000);
});
