/**
 * Asynchronous host functions: a worker sandbox's guest sleeps while its host call's promise
 * settles on the kernel's loop; the kernel's other work goes on meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';
import { wat } from '../helpers/wat.js';

const later: CapabilityProvider = {
  name: 'later',
  interfaces: [],
  coreImports: ['env.later', 'env.fail'],
  link: () => ({
    later: (n: number) => new Promise<number>((resolve) => setTimeout(() => resolve(n + 1), 20)),
    fail: () => Promise.reject(new TypeError('no such thing')),
  }),
};

const GUEST = `(module
  (import "env" "later" (func $later (param i32) (result i32)))
  (import "env" "fail" (func $fail (result i32)))
  (func (export "twice") (param i32) (result i32) (call $later (call $later (local.get 0))))
  (func (export "fail") (result i32) (call $fail)))`;

describe('asynchronous host functions in a worker sandbox', () => {
  it('wait for the promise while the kernel loop runs', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [later], placement: 'worker' });
    const module = await kernel.load(await wat(GUEST));
    const sandbox = await kernel.spawn(module, { grants: ['env.later', 'env.fail'] });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 2);
    const outcome = await sandbox.invoke('twice', [40]);
    clearInterval(ticker);
    expect(outcome.value).toBe(42);
    expect(ticks).toBeGreaterThan(3);
    // The host call was charged on the kernel's meter, as inline.
    expect(outcome.fuel.used).toBeGreaterThan(0);
    await kernel.close();
  });

  it('a rejected promise is a typed failure of the call, never a crash of the kernel', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [later], placement: 'worker' });
    const module = await kernel.load(await wat(GUEST));
    const sandbox = await kernel.spawn(module, { grants: ['env.later', 'env.fail'] });
    const failure = await sandbox.invoke('fail').catch((error) => error);
    expect(failure).toMatchObject({ name: 'KeelError' });
    const again = await kernel.spawn(module, { grants: ['env.later', 'env.fail'] });
    expect((await again.invoke('twice', [0])).value).toBe(2);
    await kernel.close();
  });

  it('refuses an asynchronous host function inside a synchronous call, with advice', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [later], placement: 'worker' });
    const module = await kernel.load(await wat(GUEST));
    const sandbox = await kernel.spawn(module, { grants: ['env.later', 'env.fail'] });
    expect(() => sandbox.invokeSync('twice', [1])).toThrow(/use sandbox.invoke/);
    await kernel.close();
  });
});
