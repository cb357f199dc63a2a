/**
 * Attack: an embedder grants a sandbox more memory than a quarter of the host's V8 heap (4 GiB
 * here), and the guest returns a list whose lifted form takes more host heap than that: a
 * `list<tuple<bool>>` is 64 host bytes an element from one guest byte, so 17 MiB of guest memory
 * asked the kernel's thread for over 1 GiB. The ABI's per-call budget was the memory limit, so
 * it was admitted; near the heap's limit some shapes abort the whole process rather than throw
 * (nodejs/node#47224; a worker sandbox's share of its heap is checked at spawn, 498ce89). The
 * budget is now at most a quarter of the heap limit: the call traps before anything is
 * allocated, and the host holds almost nothing.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { HOST_CALL_BYTES } from '../../../host/kernel/limits.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';
import { TUPLE_BOMB_WAT, TUPLE_BOMB_WIT } from '../abi/support.js';

/** The host bytes one lifted `tuple<bool>` takes (host/abi/heap.ts: slot, array, slot). */
const PER_ELEMENT = 64;

it('call bytes past host heap: a 4 GiB sandbox cannot make one call hold over a quarter of the heap', async () => {
  const kernel = new Kernel({
    cacheDir: tempCacheDir(),
    limits: { memoryBytes: 4 * 1024 ** 3, fuel: 1e15, fuelTotal: 1e15 },
  });
  try {
    const sandbox = await kernel.spawn(
      await kernel.load(await componentFromWat(TUPLE_BOMB_WAT, TUPLE_BOMB_WIT, 'bomb')),
    );
    const n = Math.ceil(HOST_CALL_BYTES / PER_ELEMENT) + 1024;
    const before = process.memoryUsage().heapUsed;
    let failure: { code?: string; message?: string } | undefined;
    try {
      sandbox.fn('bomb')(n);
    } catch (error) {
      failure = error as { code?: string; message?: string };
    }
    expect(failure?.code).toBe('trap');
    expect(failure?.message).toMatch(new RegExp(`over the limit of ${HOST_CALL_BYTES}\\b`));
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    // A list under the budget still crosses whole.
    const small = await kernel.spawn(
      await kernel.load(await componentFromWat(TUPLE_BOMB_WAT, TUPLE_BOMB_WIT, 'bomb')),
    );
    expect(small.fn('bomb')(1000)).toHaveLength(1000);
  } finally {
    await kernel.close();
  }
});
