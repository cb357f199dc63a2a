/**
 * Attack: `fd_write` and `fd_read` with iovec arrays longer than `limits.hostArgBytes` (1 MiB
 * by default): 131,073 empty iovecs (1 MiB and 8 bytes, in memory), and 2^28 of them (2 GiB,
 * past memory). The host walked and charged arrays of up to 128 MiB (a fixed bound, not the
 * sandbox's), 128 times what a component may hand a host call. The array is now admitted with
 * the rest of the call before any of it is read: past `hostArgBytes` the call is
 * `resource-limit` with a `resource:limit` event, the sandbox is poisoned, and the host read
 * nothing. Just under the limit, the same array is walked as before.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KeelError, Kernel } from '../../../host/index.js';
import { p1Guest } from '../../helpers/preview1.js';

const MIB = 1024 * 1024;
const PAGES = 18;
const CALLS = {
  fd_write: (n: number) => `(call $fd_write (i32.const 1) (i32.const 65536) (i32.const ${n}) (i32.const 8))`,
  fd_read: (n: number) => `(call $fd_read (i32.const 0) (i32.const 65536) (i32.const ${n}) (i32.const 8))`,
};

let kernel: Kernel;
const limits: unknown[] = [];
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
  kernel.on('resource:limit', (event) => void limits.push(event.data));
});
afterAll(() => kernel.close());

async function attempt(
  name: keyof typeof CALLS,
  n: number,
): Promise<{ value: number | string; state: string }> {
  const guest = await p1Guest(kernel, {
    imports: [name],
    pages: PAGES,
    grants: ['wasi:cli/*'],
    body: CALLS[name](n),
  });
  try {
    return { value: guest.run(), state: guest.sandbox.state };
  } catch (error) {
    return { value: (error as KeelError).code, state: guest.sandbox.state };
  }
}

it('an iovec array past limits.hostArgBytes is resource-limit before it is read', async () => {
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (const name of ['fd_write', 'fd_read'] as const) {
    for (const n of [MIB / 8 + 1, 2 ** 28, 0xffff_ffff]) {
      limits.length = 0;
      expect(await attempt(name, n), `${name} ${n}`).toEqual({ value: 'resource-limit', state: 'poisoned' });
      expect(limits).toEqual([
        { limit: 'hostArgBytes', max: MIB, bytes: n * 8, import: `wasi_snapshot_preview1.${name}` },
      ]);
    }
    // Within the limit: walked (every iovec is empty), nothing moved.
    expect(await attempt(name, MIB / 8), name).toEqual({ value: 0, state: 'ready' });
  }
  expect(performance.now() - started).toBeLessThan(20_000);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(32 * MIB);
});
