/**
 * Attack: catch a grow's error. With `growFailure: 'error'` a `memory.grow` past the sandbox's
 * memory limit throws `memory-limit` into the guest from the meter's grow import; a guest built
 * with legacy exception handling (`try`/`catch_all`) caught it and returned 7, the sandbox
 * `ready`, inline and in a worker (review15, L1): the embedder asked for a failed call, and
 * docs/abi.md says whatever host code throws into the guest is a trap of the call. Must: the call
 * fails with `memory-limit` through `fn`, `invokeSync` and `invoke` (in a worker), and the sandbox
 * is poisoned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type ModuleHandle } from '../../../host/index.js';
import { WAT_ALL_FEATURES, wat } from '../../../scripts/lib/wat.js';

let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  module = await kernel.load(
    await wat(
      `(module
        (memory (export "memory") 1)
        (func (export "run") (result i32)
          (try (do (drop (memory.grow (i32.const 60000)))) (catch_all))
          (i32.const 7)))`,
      'grow-caught.wat',
      WAT_ALL_FEATURES,
    ),
  );
});
afterAll(() => kernel.close());

const PATHS = {
  inline: ['fn', 'invokeSync'],
  worker: ['invoke'],
} as const;

for (const [placement, paths] of Object.entries(PATHS) as [keyof typeof PATHS, readonly string[]][]) {
  it(`grow error caught (${placement}): the call fails with memory-limit, the sandbox poisoned`, async () => {
    for (const path of paths) {
      const sandbox = await kernel.spawn(module, { growFailure: 'error', placement });
      let outcome: unknown;
      try {
        outcome =
          path === 'fn'
            ? { value: sandbox.fn<() => number>('run')() }
            : path === 'invokeSync'
              ? { value: sandbox.invokeSync('run').value }
              : { value: (await sandbox.invoke('run')).value };
      } catch (error) {
        outcome = { code: (error as { code?: string }).code };
      }
      expect({ path, outcome, state: sandbox.state }).toEqual({
        path,
        outcome: { code: 'memory-limit' },
        state: 'poisoned',
      });
    }
  });
}
