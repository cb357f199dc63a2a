/**
 * `kernel.spawn` is no async function (its frame cost a spawn about 0.3 KB:
 * bench/results/perf-spawn-2026-12-07-12.md) but answers as one: every refusal is a rejected
 * promise, never a throw, inline or in a worker (a spawn that waits).
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';
import { wat } from '../helpers/wat.js';

const CORE = '(module (func (export "v") (result i32) (i32.const 7)))';
const IMPORTING = '(module (import "env" "secret" (func)) (func (export "v") (result i32) (i32.const 7)))';

/** The promise `spawn` returned, or what it threw (the test fails on a throw). */
function spawnOf(run: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = run();
  }).not.toThrow();
  expect(promise).toBeInstanceOf(Promise);
  return promise!;
}

describe('kernel.spawn', () => {
  it('refuses with a rejected promise, never a throw', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat(CORE));
    const importing = await kernel.load(await wat(IMPORTING));
    await expect(spawnOf(() => kernel.spawn('/mnt/none'))).rejects.toMatchObject({ code: 'no-such-target' });
    await expect(spawnOf(() => kernel.spawn(importing))).rejects.toMatchObject({ code: 'capability-denied' });
    await expect(
      spawnOf(() => kernel.spawn(module, { placement: 'elsewhere' as never })),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(spawnOf(() => kernel.spawn(module, { limits: { fuel: -1 } }))).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    const sandbox = await spawnOf(() => kernel.spawn(module));
    expect(await (sandbox as { call(name: string): Promise<unknown> }).call('v')).toBe(7);
    await kernel.close();
    await expect(spawnOf(() => kernel.spawn(module))).rejects.toMatchObject({ code: 'killed' });
  });

  it('spawns a sandbox that waits (a worker), and refuses one with a rejected promise', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), placement: 'worker' });
    const events: string[] = [];
    kernel.on('*', (e) => {
      events.push(e.event);
    });
    const module = await kernel.load(await wat(CORE));
    const sandbox = await spawnOf(() => kernel.spawn(module));
    expect(await (sandbox as { call(name: string): Promise<unknown> }).call('v')).toBe(7);
    expect(events).toContain('sandbox:spawn');
    await expect(spawnOf(() => kernel.spawn(module, { limits: { memoryBytes: 0.5 } }))).rejects.toMatchObject(
      { code: 'invalid-argument' },
    );
    await kernel.close();
  });
});
