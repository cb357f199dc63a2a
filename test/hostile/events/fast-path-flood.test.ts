/**
 * Attack: flood events through the typed fast path (`sandbox.fn`), which has no invocation
 * per call. Its calls draw on the window the last `invoke` or `refuel` opened, as they draw on
 * its fuel: `limits.events` events one by one, the rest counted; the next `refuel` (or
 * invocation, or the sandbox's end) reports them in one `log:suppressed` per kind.
 */
import { expect, it } from 'vitest';
import { DEFAULT_LIMITS, type KeelEvent, Kernel } from '../../../host/index.js';
import { watFile } from '../../helpers/wat.js';
import { heapUsed } from './guests.js';

it('fast-path calls share a window, summarized at the next refuel', async () => {
  const kernel = new Kernel({ cacheDir: false });
  const kept: KeelEvent[] = [];
  kernel.on('*', (event) => void kept.push(event));
  const module = await kernel.load(await watFile('guests/wat/hostile/events/grow-flood.wat'));
  const sandbox = await kernel.spawn(module);
  const grow = sandbox.fn<(n: number) => void>('grow');
  const heapBefore = heapUsed();
  kept.length = 0;
  for (let i = 0; i < 100; i++) grow(10_000);
  expect(heapUsed() - heapBefore).toBeLessThan(32 * 1024 * 1024);
  const budget = DEFAULT_LIMITS.events;
  expect(kept.filter((e) => e.event === 'memory:limit')).toHaveLength(budget);
  expect(kept.filter((e) => e.event === 'log:suppressed')).toHaveLength(0);
  sandbox.refuel();
  expect(kept.filter((e) => e.event === 'log:suppressed').map((e) => e.data)).toEqual([
    { event: 'memory:limit', suppressed: 1_000_000 - budget, limit: budget },
  ]);
  // The refuel opened a new window.
  kept.length = 0;
  grow(3);
  expect(kept.filter((e) => e.event === 'memory:limit')).toHaveLength(3);
  // The sandbox's end reports what is left.
  grow(budget);
  sandbox.terminate();
  expect(kept.filter((e) => e.event === 'log:suppressed').map((e) => e.data)).toEqual([
    { event: 'memory:limit', suppressed: 3, limit: budget },
  ]);
  await kernel.close();
});
