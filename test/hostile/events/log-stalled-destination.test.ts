/**
 * Attack: flood the JSONL log while its destination stops taking anything (a consumer that
 * never acknowledges a write). Back-pressure waits for it at most `stallMs`, then the sink gives
 * up waiting: guests run on at full speed, the sink's memory stays within its cap (the excess is
 * dropped and counted, and hooks get `log:dropped`), and `close()` returns instead of hanging.
 */
import { Writable } from 'node:stream';
import { beforeAll, expect, it } from 'vitest';
import { type KeelEvent, Kernel } from '../../../host/index.js';
import { eventsGuest, heapUsed } from './guests.js';

const CAP = 256 * 1024;
const STALL_MS = 300;
let component: Uint8Array;
beforeAll(async () => {
  component = await eventsGuest('log-flood');
});

it('gives up on a destination that never acknowledges: bounded time and memory, drops counted', async () => {
  let maxHeld = 0;
  const stream = new Writable({
    write(_chunk, _encoding, _callback) {
      maxHeld = Math.max(maxHeld, stream.writableLength);
      // Never calls back.
    },
  });
  const kernel = new Kernel({
    cacheDir: false,
    log: { destination: stream, maxBufferBytes: CAP, stallMs: STALL_MS },
  });
  const drops: KeelEvent[] = [];
  kernel.on('log:dropped', (event) => void drops.push(event));
  let seen = 0;
  kernel.on('*', (event) => {
    if (!event.event.startsWith('log:')) seen++;
  });
  const module = await kernel.load(component, { name: 'flood' });
  const sandbox = await kernel.spawn(module, { grants: ['keel:kernel/log'] });
  const heapBefore = heapUsed();
  const started = performance.now();
  for (let i = 0; i < 100; i++) await sandbox.invoke('flood', [500, 200]);
  // One wait of stallMs at most, then no more waiting.
  expect(performance.now() - started).toBeLessThan(STALL_MS + 10_000);
  const stats = kernel.logStats!;
  expect(stats.peakBufferedBytes).toBeLessThanOrEqual(CAP);
  expect(maxHeld).toBeLessThanOrEqual(CAP);
  expect(stats.dropped).toBeGreaterThan(40_000);
  expect(heapUsed() - heapBefore).toBeLessThan(32 * 1024 * 1024);

  const closing = performance.now();
  await kernel.close();
  expect(performance.now() - closing).toBeLessThan(STALL_MS + 1000);
  const final = kernel.logStats!;
  // Nothing was acknowledged: every event is counted as dropped, and hooks were told.
  expect(final.lines).toBe(0);
  expect(final.dropped).toBe(seen + 1);
  expect(drops.length).toBeGreaterThan(0);
  expect(drops.at(-1)!.data).toMatchObject({ reason: 'buffer-full', limit: CAP });
});
