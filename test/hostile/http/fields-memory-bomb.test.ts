/**
 * Attack: a guest without any outgoing grant (`wasi:http/types` links without one) builds
 * header fields and request bodies it never sends, to grow the host's memory. Each fields
 * object is capped (count and bytes) and everything a sandbox holds counts against
 * `maxHeldBytes`: past it, appends fail and the host's heap stays bounded.
 */
import { expect, it } from 'vitest';
import { attempt, bytes, httpWorld } from '../../caps/http/harness.js';

it('bounds the fields and bodies a sandbox can hold', () => {
  const { types } = httpWorld(undefined);
  const value = bytes('v'.repeat(8000));
  const heapBefore = process.memoryUsage().heapUsed;
  const kept: unknown[] = [];
  let refused = 0;
  let oversize = 0;
  const more = bytes('v'.repeat(9000));
  for (let i = 0; i < 5_000; i++) {
    const fields = new types.Fields();
    kept.push(fields);
    if ('err' in attempt(() => fields.append('x-bomb', value))) refused++;
    // One fields object holds at most 16 KiB of names and values.
    if ('err' in attempt(() => fields.append('x-more', more))) oversize++;
  }
  expect(oversize).toBe(5_000);
  // 16 MiB held in all (the default), so about 2,000 of the 5,000 appends fit.
  expect(refused).toBeGreaterThan(2_800);
  const request = new types.OutgoingRequest(new types.Fields());
  const stream = request.body().write();
  expect(attempt(() => stream.write(new Uint8Array(4 * 1024 * 1024)))).toMatchObject({
    err: { tag: 'last-operation-failed' },
  });
  const grown = process.memoryUsage().heapUsed - heapBefore;
  expect(grown).toBeLessThan(64 * 1024 * 1024);
  expect(kept.length).toBe(5_000);
});

it('gives the bytes back when the guest drops what it held', () => {
  const { types } = httpWorld(undefined);
  const value = bytes('v'.repeat(8000));
  let added = 0;
  for (let i = 0; i < 5_000; i++) {
    const fields = new types.Fields();
    if ('ok' in attempt(() => fields.append('x-ok', value))) added++;
    fields[Symbol.dispose]();
  }
  expect(added).toBe(5_000);
});
