/**
 * Attack: a worker sandbox's guest calls an asynchronous host function that answers with a host
 * object, and the sandbox is ended (terminated, or past its deadline) before the promise
 * settles. The late answer must not be kept: the sandbox's object table was emptied when it
 * ended, and an object added after that is never disposed (one leaked host object, and one
 * handle of the sandbox's count, per killed call). Every object the host made is disposed.
 */
import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { wat } from '../../helpers/wat.js';

const GUEST = `(module
  (import "env" "open" (func $open (result i32)))
  (func (export "open") (result i32) (call $open)))`;

/** A host object as providers make them (a class instance, disposed when the sandbox drops it). */
class HostThing {
  constructor(private readonly live: Set<object>) {
    live.add(this);
  }
  [Symbol.dispose](): void {
    this.live.delete(this);
  }
}

function provider(live: Set<object>, delayMs: number): CapabilityProvider {
  return {
    name: 'late-objects',
    interfaces: [],
    coreImports: ['env.open'],
    link: () => ({
      open: () => new Promise<object>((resolve) => setTimeout(() => resolve(new HostThing(live)), delayMs)),
    }),
  };
}

describe('a late asynchronous reply after the worker sandbox ended', () => {
  it('is disposed, not kept in the emptied object table (terminate)', async () => {
    const live = new Set<object>();
    const kernel = new Kernel({
      cacheDir: tempCacheDir(),
      providers: [provider(live, 30)],
      placement: 'worker',
    });
    const module = await kernel.load(await wat(GUEST));
    const calls = 12;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < calls; i++) {
      const sandbox = await kernel.spawn(module, { grants: ['env.open'] });
      const pending = sandbox.invoke('open').catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 5));
      sandbox.terminate('test');
      expect(await pending).toMatchObject({ name: 'KeelError' });
    }
    // Every late answer has arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(live.size).toBe(0);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    await kernel.close();
  });

  it('is disposed, not kept, when the call ran past its deadline', async () => {
    const live = new Set<object>();
    const kernel = new Kernel({
      cacheDir: tempCacheDir(),
      providers: [provider(live, 120)],
      placement: 'worker',
      limits: { deadlineMs: 40 },
    });
    const module = await kernel.load(await wat(GUEST));
    for (let i = 0; i < 4; i++) {
      const sandbox = await kernel.spawn(module, { grants: ['env.open'] });
      await expect(sandbox.invoke('open')).rejects.toMatchObject({ code: 'timeout' });
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(live.size).toBe(0);
    await kernel.close();
  });
});
