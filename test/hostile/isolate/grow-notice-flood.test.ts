/**
 * Attack: a worker sandbox retries `memory.grow` past its limit millions of times while the
 * kernel's loop is free (`invoke`). Each failure used to be a message to the kernel, queued
 * without bound; now one notice per kind and call crosses, and the kernel's memory stays flat.
 */
import { describe, expect, it } from 'vitest';
import { EVENTS, Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { wat } from '../../helpers/wat.js';

const FLOOD = `(module (memory 1)
  (func (export "flood") (param $n i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (drop (memory.grow (i32.const 100000)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))))`;

describe('a flood of failed memory.grow in a worker sandbox', () => {
  it('sends one notice per call, not one per failure', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), placement: 'worker' });
    let notices = 0;
    kernel.on(EVENTS.memoryLimit, () => {
      notices++;
    });
    const module = await kernel.load(await wat(FLOOD));
    const sandbox = await kernel.spawn(module);
    const before = process.memoryUsage().heapUsed;
    await sandbox.invoke('flood', [1_000_000]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(notices).toBe(1);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
    await sandbox.invoke('flood', [10]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(notices).toBe(2);
    await kernel.close();
  });
});
