/**
 * Attack: `poll_oneoff` with more subscriptions than `limits.hostArgBytes` (1 MiB by default)
 * covers: 13,108 clock subscriptions and their events (80 bytes each, 1 MiB and 64 bytes, in
 * memory), and counts whose arrays pass memory and 4 GiB. The host walked (twice) and charged
 * up to 128 MiB of subscriptions per call, a fixed bound rather than the sandbox's. The array
 * and its events are now admitted before any subscription is read: past `hostArgBytes` the call
 * is `resource-limit` with a `resource:limit` event, the sandbox is poisoned, and nothing is
 * read or written. One subscription fewer is answered as before.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KeelError, Kernel } from '../../../host/index.js';
import { p1Guest } from '../../helpers/preview1.js';

const MIB = 1024 * 1024;
const PER = 48 + 32;
const FITS = Math.floor(MIB / PER);
const OUT = FITS * 48 + 64;
const RESULT = 4 * MIB - 64;

let kernel: Kernel;
const limits: unknown[] = [];
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
  kernel.on('resource:limit', (event) => void limits.push(event.data));
});
afterAll(() => kernel.close());

async function attempt(n: number) {
  // Zeroed memory: each subscription is a relative realtime clock of 0 ns, ready at once.
  const guest = await p1Guest(kernel, {
    imports: ['poll_oneoff'],
    pages: 64,
    grants: ['wasi:clocks/*'],
    body: `(call $poll_oneoff (i32.const 0) (i32.const ${OUT}) (i32.const ${n}) (i32.const ${RESULT}))`,
  });
  let value: number | string;
  try {
    value = guest.run();
  } catch (error) {
    value = (error as KeelError).code;
  }
  return { value, state: guest.sandbox.state, events: value === 0 ? guest.u32(RESULT) : undefined };
}

it('a subscription array past limits.hostArgBytes is resource-limit before it is read', async () => {
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (const n of [FITS + 1, 2 ** 24, 0xffff_ffff]) {
    limits.length = 0;
    const result = await attempt(n);
    expect(result.value, `${n}`).toBe('resource-limit');
    expect(result.state).toBe('poisoned');
    expect(limits).toEqual([
      { limit: 'hostArgBytes', max: MIB, bytes: n * PER, import: 'wasi_snapshot_preview1.poll_oneoff' },
    ]);
  }
  // Within the limit: every subscription answered.
  expect(await attempt(FITS)).toEqual({ value: 0, state: 'ready', events: FITS });
  expect(performance.now() - started).toBeLessThan(20_000);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(32 * MIB);
});
