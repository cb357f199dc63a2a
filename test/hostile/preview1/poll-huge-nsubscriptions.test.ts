/**
 * Attack: `poll_oneoff` with as many subscriptions as the guest's memory holds (a million
 * clock subscriptions, 80 MB), and with a count whose array would pass 4 GiB. A host that
 * decodes the array into one object per subscription turns the guest's bytes into over 100 MB
 * of host heap per call. Keel reads the subscriptions from guest memory twice (check and find
 * the earliest deadline, then write the events) and keeps none: host memory stays flat (the
 * sandbox's `hostArgBytes` raised to admit them; by default 1 MiB of subscriptions and events is
 * the most one call may pass, poll-subscriptions-past-host-arg-bytes.test.ts). Past the limit
 * is `resource-limit`, before anything is read.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KeelError } from '../../../host/index.js';
import { Kernel } from '../../../host/index.js';
import { p1Guest } from '../../helpers/preview1.js';

const SUBS = 1_000_000;
const OUT = SUBS * 48;
const RESULT = OUT + SUBS * 32;
const PAGES = Math.ceil((RESULT + 8) / 65536);

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
});
afterAll(() => kernel.close());

it('answers a million subscriptions with host memory flat', async () => {
  // Zeroed memory: each subscription is a relative realtime clock of 0 ns, ready at once.
  const guest = await p1Guest(kernel, {
    imports: ['poll_oneoff'],
    pages: PAGES,
    limits: { memoryBytes: PAGES * 65536, hostArgBytes: 128 * 1024 * 1024 },
    grants: ['wasi:clocks/*'],
    body: `(call $poll_oneoff (i32.const 0) (i32.const ${OUT}) (i32.const ${SUBS}) (i32.const ${RESULT}))`,
  });
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  expect(guest.run()).toBe(0);
  const elapsed = performance.now() - started;
  const grown = process.memoryUsage().heapUsed - heap;
  expect(guest.u32(RESULT)).toBe(SUBS);
  // The last event: userdata 0, errno 0, type clock.
  expect(guest.u16(OUT + (SUBS - 1) * 32 + 8)).toBe(0);
  expect(grown).toBeLessThan(32 * 1024 * 1024);
  expect(elapsed).toBeLessThan(30_000);
  expect(guest.sandbox.state).not.toBe('poisoned');
});

it('is resource-limit for a count whose array passes 4 GiB, before reading it (memory is 64 KiB)', async () => {
  const guest = await p1Guest(kernel, {
    imports: ['poll_oneoff'],
    grants: ['wasi:clocks/*'],
    limits: { hostArgBytes: 128 * 1024 * 1024 },
    body: '(call $poll_oneoff (i32.const 0) (i32.const 1024) (i32.const -1) (i32.const 2048))',
  });
  const heap = process.memoryUsage().heapUsed;
  expect(() => guest.run()).toThrow(expect.objectContaining({ code: 'resource-limit' }) as KeelError);
  expect(guest.sandbox.state).toBe('poisoned');
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(8 * 1024 * 1024);
});
