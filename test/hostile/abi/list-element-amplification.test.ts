/**
 * Attack: an export returns a `list<tuple<bool>>` as long as its memory, one byte an element.
 * The host lifts each element as a JavaScript array (a pointer, an array object, a backing
 * store): about 60 host bytes per guest byte. The per-call cap counted guest bytes only, so an
 * 8 MiB guest made the host hold half a GiB for seconds, and one at the default 64 MiB memory
 * limit asked for about 4 GiB, past V8's heap limit: the host process died. A list is now
 * admitted at what the host will hold (host/abi/heap.ts) before anything is allocated: the call
 * traps at once, the host's heap barely moves, and a neighbour sandbox still answers.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';
import { TUPLE_BOMB_WAT, TUPLE_BOMB_WIT } from './support.js';

const MEMORY = 8 * 1024 * 1024;

it('list element amplification: a list is admitted at the host bytes it becomes; the call traps, the host holds almost nothing', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), limits: { memoryBytes: MEMORY } });
  try {
    const module = await kernel.load(await componentFromWat(TUPLE_BOMB_WAT, TUPLE_BOMB_WIT, 'bomb'));
    const neighbour = await kernel.spawn(module);
    const sandbox = await kernel.spawn(module);
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    let failure: { code?: string; message?: string } | undefined;
    try {
      sandbox.fn('bomb')(MEMORY - 2 * 65536);
    } catch (error) {
      failure = error as { code?: string; message?: string };
    }
    const elapsed = performance.now() - started;
    const grown = process.memoryUsage().heapUsed - before;
    expect(failure?.code).toBe('trap');
    expect(failure?.message).toMatch(/over the limit of 8388608/);
    expect(sandbox.state).toBe('poisoned');
    expect(grown).toBeLessThan(32 * 1024 * 1024);
    expect(elapsed).toBeLessThan(5000);
    // Lists the budget covers still cross whole, and the host carries on.
    expect(neighbour.fn('bomb')(1000)).toHaveLength(1000);
  } finally {
    await kernel.close();
  }
});
