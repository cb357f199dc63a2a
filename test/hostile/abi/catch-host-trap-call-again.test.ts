/**
 * Attack: catch a host trap and call the host again. The guest (legacy exception handling,
 * `try`/`catch_all`) makes the host throw into it, catches the error, then calls the host again
 * in the same call: an import (`ping`), the same failing call once more, or `resource.new`. Before
 * the fix every later call ran (the provider served it, the handle was made) after the host had
 * thrown, with its bookkeeping in whatever state the throw left it. Must: every host entry after
 * the caught error is refused with that same error (the provider is not reached), and the call
 * fails with it, the sandbox poisoned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Kernel, ModuleHandle } from '../../../host/index.js';
import { caughtTrapKernel, ended, HOW, served, spawnCaught } from './caught-trap.js';

let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  ({ kernel, module } = await caughtTrapKernel());
});
afterAll(() => kernel.close());

const THEN = { 'an import': 0, 'the failing call again': 1, 'resource.new': 2 };

for (const [attack, { how, code }] of Object.entries(HOW)) {
  it(`catch a host trap and call the host again (${attack}): refused with the same error`, async () => {
    // The error the attack alone makes (its message names what the host refused).
    const lone = await spawnCaught(kernel, module);
    const alone = ended(() => lone.invokeSync('run', [how]).value);
    expect(alone.code).toBe(code);
    for (const [then, k] of Object.entries(THEN)) {
      for (const path of ['fn', 'invokeSync'] as const) {
        const sandbox = await spawnCaught(kernel, module);
        served.length = 0;
        const outcome = ended(() =>
          path === 'fn'
            ? sandbox.fn<(how: number, then: number) => number>('again')(how, k)
            : sandbox.invokeSync('again', [how, k]).value,
        );
        expect({ then, path, ...outcome }).toEqual({ then, path, code, message: alone.message });
        // Only the attack's own call reached the provider (a failing one, once): nothing after it.
        expect({ then, path, served: [...served] }).toEqual({
          then,
          path,
          served: attack === 'provider failure' ? ['fail'] : [],
        });
        expect(sandbox.state).toBe('poisoned');
      }
    }
  });
}
