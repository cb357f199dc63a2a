/**
 * Attack: flood events from a start function, before any invocation exists to hold a budget.
 * The spawn is the sandbox's first event window: `limits.events` events one by one, the rest
 * counted and summarized when the spawn ends, memory bounded.
 */
import { expect, it } from 'vitest';
import { DEFAULT_LIMITS, type KeelEvent, Kernel } from '../../../host/index.js';
import { watFile } from '../../helpers/wat.js';
import { heapUsed } from './guests.js';

it('a start function refused a million grows: the spawn window holds it', async () => {
  const kernel = new Kernel({ cacheDir: false });
  const kept: KeelEvent[] = [];
  kernel.on('*', (event) => void kept.push(event));
  const module = await kernel.load(await watFile('guests/wat/hostile/events/grow-flood-start.wat'));
  const heapBefore = heapUsed();
  const sandbox = await kernel.spawn(module);
  expect(heapUsed() - heapBefore).toBeLessThan(32 * 1024 * 1024);
  const budget = DEFAULT_LIMITS.events;
  const ofSandbox = kept.filter((e) => e.sandbox === sandbox.id);
  expect(ofSandbox.filter((e) => e.event === 'memory:limit')).toHaveLength(budget);
  const summary = ofSandbox.filter((e) => e.event === 'log:suppressed');
  expect(summary.map((e) => e.data)).toEqual([
    { event: 'memory:limit', suppressed: 1_000_000 - budget, limit: budget },
  ]);
  // The summary closes the spawn: it comes before sandbox:spawn... or after, but once.
  expect(ofSandbox.filter((e) => e.event === 'sandbox:spawn')).toHaveLength(1);
  // The first invocation starts a fresh window with nothing to report.
  kept.length = 0;
  await sandbox.invoke('noop');
  expect(kept.filter((e) => e.event === 'log:suppressed')).toHaveLength(0);
  await kernel.close();
});
