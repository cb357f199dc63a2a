/**
 * Attack: catch a host trap in a destructor. The embedder drops a resource the guest defines
 * (`[Symbol.dispose]()`, outside any call), so the guest's destructor runs as a call of its own
 * (`Sandbox.runDestructor`); the destructor makes a provider fail, catches the error
 * (`try`/`catch_all`), calls the host again and returns. Before the fix the drop returned, the
 * later host call ran and the sandbox stayed `ready`. Must: the drop fails with the provider's
 * error (`trap`), the later call never reaches the provider, and the sandbox is poisoned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Kernel, ModuleHandle } from '../../../host/index.js';
import { caughtTrapKernel, served, spawnCaught } from './caught-trap.js';

let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  ({ kernel, module } = await caughtTrapKernel());
});
afterAll(() => kernel.close());

it('catch a host trap in a destructor: the drop fails with it, the sandbox poisoned', async () => {
  const sandbox = await spawnCaught(kernel, module);
  const thing = sandbox.fn<() => Disposable>('keel:hostile/things#make')();
  served.length = 0;
  expect(() => thing[Symbol.dispose]()).toThrow(expect.objectContaining({ code: 'trap' }));
  expect(served).toEqual(['fail']);
  expect(sandbox.state).toBe('poisoned');
});
