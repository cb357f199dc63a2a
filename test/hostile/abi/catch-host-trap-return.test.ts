/**
 * Attack: catch a host trap and return normally. A guest built with legacy exception handling
 * (`try`/`catch_all`) makes the host throw into it (a bad pointer in a lowered argument, a handle
 * that is not live, a capability refused at the call, a string past `limits.hostArgBytes`, a
 * provider's failure, `resource.drop` of a handle it does not hold), catches the error and
 * returns 7. Before the fix the call returned 7 and the sandbox stayed `ready`, with the host's
 * bookkeeping in whatever state the throw left it. Must: the call fails with the host's error
 * (its code) through `fn` (the common call and the marked way), `invokeSync` and `invoke` (inline
 * and in a worker), and the sandbox is poisoned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Kernel, ModuleHandle } from '../../../host/index.js';
import { caughtTrapKernel, ended, HOW, spawnCaught } from './caught-trap.js';

let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  ({ kernel, module } = await caughtTrapKernel());
});
afterAll(() => kernel.close());

for (const [attack, { how, code }] of Object.entries(HOW)) {
  it(`catch a host trap and return normally (${attack}): ${code}, the sandbox poisoned`, async () => {
    const calls = {
      // The common call (a call before it opened the gate), and the first after the spawn (the marked way).
      'fn, common': (s: Awaited<ReturnType<typeof spawnCaught>>) => {
        const run = s.fn<(how: number) => number>('run');
        if (run(99) !== 7) throw new Error('the benign call failed');
        return run(how);
      },
      'fn, marked': (s: Awaited<ReturnType<typeof spawnCaught>>) => s.fn<(how: number) => number>('run')(how),
      invokeSync: (s: Awaited<ReturnType<typeof spawnCaught>>) => s.invokeSync('run', [how]).value,
    };
    for (const [path, call] of Object.entries(calls)) {
      const sandbox = await spawnCaught(kernel, module);
      const outcome = ended(() => call(sandbox));
      expect({ path, ...outcome }).toMatchObject({ path, code });
      expect({ path, state: sandbox.state }).toEqual({ path, state: 'poisoned' });
      expect(sandbox.failure?.code).toBe(code);
    }
    // Through the asynchronous invoke too, inline and in a worker (its own mark, host/isolate/worker-main.ts).
    for (const placement of ['inline', 'worker'] as const) {
      const sandbox = await spawnCaught(kernel, module, placement);
      await expect(sandbox.invoke('run', [how]), placement).rejects.toMatchObject({ code });
      expect(sandbox.state).toBe('poisoned');
    }
  });
}

it('catch a host trap and return normally: a benign call of the same guest still returns', async () => {
  const sandbox = await spawnCaught(kernel, module);
  expect(sandbox.fn<(how: number) => number>('run')(99)).toBe(7);
  expect(sandbox.invokeSync('run', [99]).value).toBe(7);
  expect(sandbox.state).toBe('ready');
});
