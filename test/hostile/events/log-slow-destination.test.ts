/**
 * Attack: flood the JSONL log while its destination is slow (a consumer that takes 2 ms per
 * write). The sink holds at most its cap in memory, in its buffer and in the destination's:
 * invocations through `invoke` wait for the log to drain (back-pressure) and nothing is lost;
 * a caller that never yields (`invokeSync` in a loop) gets lines dropped past the cap, counted,
 * and reported in one `log:dropped` event that is itself written. Before, every line went to
 * the stream at once and its buffer grew with the flood.
 */
import { Writable } from 'node:stream';
import { beforeAll, expect, it } from 'vitest';
import { type KeelEvent, Kernel } from '../../../host/index.js';
import { eventsGuest, heapUsed } from './guests.js';

const CAP = 512 * 1024;
let component: Uint8Array;
beforeAll(async () => {
  component = await eventsGuest('log-flood');
});

/**
 * A destination that acknowledges each write 2 ms later, recording the most it held. It keeps
 * only a count of `guest:log` lines (the flood) and the other lines parsed.
 */
function slowDestination() {
  const others: KeelEvent[] = [];
  let logLines = 0;
  let maxHeld = 0;
  const stream = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      maxHeld = Math.max(maxHeld, stream.writableLength);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.includes('"event":"guest:log"')) logLines++;
        else if (line) others.push(JSON.parse(line));
      }
      setTimeout(callback, 2);
    },
  });
  return { stream, others, logLines: () => logLines, maxHeld: () => maxHeld };
}

async function setup() {
  const destination = slowDestination();
  const kernel = new Kernel({
    cacheDir: false,
    log: { destination: destination.stream, maxBufferBytes: CAP },
  });
  const events: KeelEvent[] = [];
  kernel.on('log:*', (event) => void events.push(event));
  const seen = { count: 0 };
  kernel.on('*', (event) => {
    if (!event.event.startsWith('log:')) seen.count++;
  });
  const module = await kernel.load(component, { name: 'flood' });
  const sandbox = await kernel.spawn(module, { grants: ['keel:kernel/log'] });
  return { kernel, sandbox, destination, events, seen };
}

it('invoke waits for a slow log: nothing dropped, memory within the cap', async () => {
  const { kernel, sandbox, destination } = await setup();
  const heapBefore = heapUsed();
  // 100 invocations of 300 lines of ~370 bytes: 11 MB through a destination that takes 2 ms a write.
  for (let i = 0; i < 100; i++) await sandbox.invoke('flood', [300, 200]);
  const stats = kernel.logStats!;
  expect(stats.dropped).toBe(0);
  expect(stats.peakBufferedBytes).toBeLessThanOrEqual(CAP);
  expect(destination.maxHeld()).toBeLessThanOrEqual(CAP);
  expect(heapUsed() - heapBefore).toBeLessThan(32 * 1024 * 1024);
  await kernel.close();
  expect(destination.logLines()).toBe(30_000);
  expect(kernel.logStats!.dropped).toBe(0);
});

it('a caller that never yields gets drops past the cap, counted in one written log:dropped', async () => {
  const { kernel, sandbox, destination, events, seen } = await setup();
  const heapBefore = heapUsed();
  for (let i = 0; i < 100; i++) sandbox.invokeSync('flood', [300, 200]);
  const peak = kernel.logStats!.peakBufferedBytes;
  expect(peak).toBeLessThanOrEqual(CAP);
  expect(heapUsed() - heapBefore).toBeLessThan(32 * 1024 * 1024);
  await kernel.close();
  const stats = kernel.logStats!;
  expect(stats.dropped).toBeGreaterThan(20_000);
  expect(stats.peakBufferedBytes).toBeLessThanOrEqual(CAP);
  expect(destination.maxHeld()).toBeLessThanOrEqual(CAP);
  const others = destination.others;
  const reports = others.filter((e) => e.event === 'log:dropped');
  const reported = reports.reduce((n, e) => n + (e.data!.dropped as number), 0);
  // Every line is either written or counted in a written report; hooks saw the same reports.
  expect(reported).toBe(stats.dropped);
  expect(events.filter((e) => e.event === 'log:dropped')).toHaveLength(reports.length);
  expect(reports[0]).toMatchObject({
    level: 'warn',
    status: 'dropped',
    data: { reason: 'buffer-full', limit: CAP },
  });
  // kernel:start came before the hook that counts.
  const written =
    destination.logLines() +
    others.filter((e) => !e.event.startsWith('log:') && e.event !== 'kernel:start').length;
  expect(written + stats.dropped).toBe(seen.count);
  expect(stats.lines).toBe(destination.logLines() + others.length);
});
