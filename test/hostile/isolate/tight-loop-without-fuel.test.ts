/**
 * Attack: a guest spins in a loop that has no fuel check (metering is off for this kernel), so
 * nothing inside the guest ever gives the kernel its thread back. In a worker sandbox the kill
 * still ends it at once: the worker is terminated, the kernel's thread never waited on it.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { wat } from '../../helpers/wat.js';

const SPIN =
  '(module (func (export "spin") (loop $l (br $l))) (func (export "ok") (result i32) (i32.const 7)))';

describe('a tight loop without fuel checks', () => {
  it('is ended by terminate while the kernel stays responsive', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), metering: false });
    const module = await kernel.load(await wat(SPIN));
    const sandbox = await kernel.spawn(module, { placement: 'worker' });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const call = sandbox.invoke('spin');
    // The kernel's loop runs while the guest spins: timers fire.
    await new Promise((resolve) => setTimeout(resolve, 100));
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(3);
    const started = performance.now();
    sandbox.terminate('the test ends it');
    await expect(call).rejects.toMatchObject({ code: 'killed' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(sandbox.state).toBe('killed');
    // The kernel goes on: another worker sandbox of the same module runs.
    const next = await kernel.spawn(module, { placement: 'worker' });
    expect((await next.invoke('ok')).value).toBe(7);
    await kernel.close();
  });

  it('is ended by the kernel closing', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), metering: false });
    const module = await kernel.load(await wat(SPIN));
    const sandbox = await kernel.spawn(module, { placement: 'worker' });
    const call = sandbox.invoke('spin');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await kernel.close();
    await expect(call).rejects.toMatchObject({ code: 'killed' });
  });
});
