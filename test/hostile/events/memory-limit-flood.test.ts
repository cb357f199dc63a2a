/**
 * Attack: ask for too much memory a million times in one invocation, so that every refused
 * `memory.grow` is a `memory:limit` event. Those events draw on the sandbox's event budget like
 * any other the guest causes: `limits.events` of them one by one, the rest counted in one
 * `log:suppressed`, and memory stays bounded.
 */
import { expect, it } from 'vitest';
import { DEFAULT_LIMITS, type KeelEvent, Kernel } from '../../../host/index.js';
import { watFile } from '../../helpers/wat.js';
import { heapUsed } from './guests.js';

it('a million refused grows make limits.events memory:limit events and one summary', async () => {
  const kernel = new Kernel({ cacheDir: false });
  const kept: KeelEvent[] = [];
  kernel.on('*', (event) => void kept.push(event));
  const module = await kernel.load(await watFile('guests/wat/hostile/events/grow-flood.wat'));
  const sandbox = await kernel.spawn(module);
  const heapBefore = heapUsed();
  kept.length = 0;
  await sandbox.invoke('grow', [1_000_000]);
  expect(heapUsed() - heapBefore).toBeLessThan(32 * 1024 * 1024);
  expect(sandbox.state).toBe('ready');
  const budget = DEFAULT_LIMITS.events;
  expect(kept.filter((e) => e.event === 'memory:limit')).toHaveLength(budget);
  expect(kept.filter((e) => e.event === 'log:suppressed').map((e) => e.data)).toEqual([
    { event: 'memory:limit', suppressed: 1_000_000 - budget, limit: budget },
  ]);
  await kernel.close();
});
