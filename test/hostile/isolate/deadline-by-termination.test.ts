/**
 * Attack: a worker sandbox's guest loops without fuel checks past its deadline, through both
 * call paths. The kernel ends the worker when `limits.deadlineMs` passes: the call fails with
 * `timeout`, the sandbox is over, the kernel goes on.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { wat } from '../../helpers/wat.js';

const SPIN =
  '(module (func (export "spin") (loop $l (br $l))) (func (export "ok") (result i32) (i32.const 1)))';

describe('a worker sandbox past its deadline', () => {
  it('is ended by termination through invoke', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), metering: false, limits: { deadlineMs: 200 } });
    const module = await kernel.load(await wat(SPIN));
    const sandbox = await kernel.spawn(module, { placement: 'worker' });
    const started = performance.now();
    await expect(sandbox.invoke('spin')).rejects.toMatchObject({ code: 'timeout' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(sandbox.state).not.toBe('ready');
    const next = await kernel.spawn(module, { placement: 'worker' });
    expect((await next.invoke('ok')).value).toBe(1);
    await kernel.close();
  });

  it('is ended by termination through the synchronous fast path', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), metering: false, limits: { deadlineMs: 200 } });
    const module = await kernel.load(await wat(SPIN));
    const sandbox = await kernel.spawn(module, { placement: 'worker' });
    const spin = sandbox.fn<() => void>('spin');
    const started = performance.now();
    expect(() => spin()).toThrow(expect.objectContaining({ code: 'timeout' }));
    expect(performance.now() - started).toBeLessThan(5_000);
    await kernel.close();
  });
});
