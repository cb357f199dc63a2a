/**
 * Attack: a trusted host that misbehaves (mallory) asks beta to place a module, and answers
 * beta's fetch with chunks that never end: more chunks, and more bytes, than it announced, as
 * fast as it can; then a first chunk announcing a module larger than `moduleBytes`. Beta keeps at
 * most the size announced (within `moduleBytes`), ends the fetch at the first chunk past it
 * (`cluster:reject` `malformed`, then `unsolicited` for the rest), refuses the oversized one
 * before keeping anything (`too-large`, the placement fails `resource-limit`), loads nothing, and
 * keeps serving. Its memory does not grow with the flood.
 */
import { describe, expect, it } from 'vitest';
import { until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { text } from '../../ipc/harness.js';
import { settle, withImpostor } from './harness.js';

const KiB = 1024;

describe.skipIf(skipWithoutNats())('endless module chunks', () => {
  const world = withImpostor({
    perHost: { beta: { accept: true } },
    limits: { moduleBytes: 256 * KiB, peerRate: 100_000 },
  });

  it('keeps no more than announced, ends the fetch, and stays bounded', async () => {
    const { a, m } = world();
    const beta = a.world.hosts[1]!;
    const loadsBefore = beta.named('module:load').length;
    const hash = 'ab'.repeat(32);
    const r = await m.placeAndAwaitFetch(hash, '/h/evil');
    const heapBefore = process.memoryUsage().heapUsed;
    const chunk = new Uint8Array(4 * KiB).fill(7);
    // 256 KiB announced in 1,000,000 chunks; 8 MiB sent.
    for (let n = 0; n < 2_048; n++) m.send({ k: 'mod', r, hx: hash, n, of: 1_000_000, sz: 256 * KiB }, chunk);
    await settle(a, 1_000);
    await until(
      () => m.received.some((h) => h.k === 'err' && h.c === 'invalid-module'),
      10_000,
      'the placement to fail',
    );
    const rejects = beta.named('cluster:reject').filter((e) => e.data?.host === 'mallory');
    expect(rejects.some((e) => e.data?.reason === 'malformed')).toBe(true);
    expect(rejects.some((e) => e.data?.reason === 'unsolicited')).toBe(true);
    expect(beta.lattice.rejections()).toEqual(
      expect.arrayContaining([
        { reason: 'malformed', host: 'mallory', count: 1 },
        expect.objectContaining({ reason: 'unsolicited', host: 'mallory' }),
      ]),
    );
    // Far less than the 8 MiB sent is held (the 256 KiB assembly is dropped with the fetch).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(24 * 1024 * 1024);

    // A first chunk announcing more than moduleBytes: refused before anything is kept.
    const r2 = await m.placeAndAwaitFetch('cd'.repeat(32), '/h/evil2');
    m.send({ k: 'mod', r: r2, hx: 'cd'.repeat(32), n: 0, of: 100_000, sz: 400 * 1024 * 1024 }, chunk);
    await until(
      () => m.received.some((h) => h.k === 'err' && h.c === 'resource-limit'),
      10_000,
      'the oversized placement to fail',
    );
    expect(beta.lattice.rejections()).toEqual(
      expect.arrayContaining([{ reason: 'too-large', host: 'mallory', count: 1 }]),
    );
    // Nothing was loaded or mounted; beta still serves.
    expect(beta.named('module:load').length).toBe(loadsBefore);
    expect(beta.kernel.sched.service('/h/evil')).toBeUndefined();
    await beta.spawn('/h/alive');
    await until(() => a.world.hosts[0]!.lattice.locate('/h/alive')?.host === 'beta', 5_000, 'beta');
    expect(
      text(await a.world.hosts[0]!.kernel.sched.request('/h/alive', 'echo ok', { timeoutMs: 5_000 })),
    ).toBe('v1 echo ok');
  }, 40_000);
});
