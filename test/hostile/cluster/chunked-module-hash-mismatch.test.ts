/**
 * Attack: a trusted host that misbehaves (mallory) asks beta to place the probe by its sha256,
 * then answers beta's fetch with well-formed chunks of other bytes (the probe with one byte
 * changed, same size, same chunking). Beta reassembles them within the size announced, checks
 * the whole against the hash before anything reads it, and refuses: the placement fails with
 * `invalid-module`, nothing is loaded or mounted.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { guestBytes } from '../../ipc/harness.js';
import { withImpostor } from './harness.js';

describe.skipIf(skipWithoutNats())('chunked module whose hash does not match', () => {
  const world = withImpostor({ perHost: { beta: { accept: true } } });

  it('refuses the module before loading it', async () => {
    const { a, m } = world();
    const beta = a.world.hosts[1]!;
    const probe = guestBytes('probe');
    const hash = createHash('sha256').update(probe).digest('hex');
    const forged = probe.slice();
    forged[forged.length - 1]! ^= 0xff;
    const loadsBefore = beta.named('module:load').length;
    const r = await m.placeAndAwaitFetch(hash, '/h/forged');
    const size = 8 * 1024;
    const of = Math.ceil(forged.byteLength / size);
    for (let n = 0; n < of; n++) {
      m.send(
        { k: 'mod', r, hx: hash, n, of, sz: forged.byteLength },
        forged.subarray(n * size, (n + 1) * size),
      );
    }
    await until(() => m.received.some((h) => h.k === 'err'), 10_000, 'the placement to fail');
    const err = m.received.find((h) => h.k === 'err')!;
    expect(err.c).toBe('invalid-module');
    expect(err.m).toMatch(/does not match its hash/);
    expect(beta.named('module:load').length).toBe(loadsBefore);
    expect(beta.kernel.sched.service('/h/forged')).toBeUndefined();
  }, 30_000);
});
