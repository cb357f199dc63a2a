/**
 * A spawn that is still waiting when the kernel closes (on the embedder's approval hook, on a
 * worker starting) must not come alive afterwards: before, it was admitted after `close()`,
 * ran guest code with its grants, and nothing would ever end it.
 */
import { expect, it } from 'vitest';
import { type CapabilityProvider, KeelError, Kernel } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';
import { wat } from '../helpers/wat.js';

const WAT = `(module
  (import "env" "read_secret" (func $read (result i32)))
  (func (export "peek") (result i32) (call $read)))`;

const secrets: CapabilityProvider = {
  name: 'secrets',
  interfaces: [],
  coreImports: ['env.read_secret'],
  link: () => ({ read_secret: () => 42 }),
};

it('a spawn waiting on its approval hook across kernel.close() is killed, never admitted', async () => {
  let approve!: () => void;
  const kernel = new Kernel({
    cacheDir: tempCacheDir(),
    providers: [secrets],
    approval: () =>
      new Promise((resolve) => {
        approve = () => resolve({ decision: 'grant' });
      }),
  });
  const module = await kernel.load(await wat(WAT));
  const spawning = kernel.spawn(module);
  await new Promise((resolve) => setTimeout(resolve, 10));
  await kernel.close();
  approve();
  const error = await spawning.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeelError);
  expect((error as KeelError).code).toBe('killed');
  expect(kernel.sandboxes).toHaveLength(0);
});

it('a worker spawn still starting at kernel.close() is killed, never admitted', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), placement: 'worker' });
  const module = await kernel.load(await wat('(module (func (export "peek") (result i32) (i32.const 42)))'));
  const spawning = kernel.spawn(module);
  await kernel.close();
  const outcome = await spawning.then(
    (sandbox) => ({ state: sandbox.state }),
    (e: unknown) => ({ code: (e as KeelError).code }),
  );
  expect(outcome).toEqual({ code: 'killed' });
  expect(kernel.sandboxes).toHaveLength(0);
});
