/**
 * Attack: an export with no loop and no call, on a budget one unit below a call's cost, called
 * 2,000 times each way: before, invokeSync, invoke and call each returned 2,000 of 2,000 (fn,
 * since ecf2d37, none). Now no way returns a result it did not pay for (review17 M1).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type ModuleHandle } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../../scripts/lib/fixtures.js';

const WAT = `(module
  (memory (export "memory") 1)
  (func (export "pick") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 1)))
      (else (i32.const 7)))))`;
const WIT = `package test:loopfree@0.1.0;
world loopfree {
  export pick: func(a: u32) -> u32;
}`;
const CALLS = 2_000;
let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: tempCacheDir() });
  module = await kernel.load(await componentFromWat(WAT, WIT, 'loopfree'));
});
afterAll(async () => {
  await kernel.close();
});

for (const way of ['invokeSync', 'invoke', 'call', 'fn'] as const) {
  it(`loop-free call ways, ${way}: a budget below one call's cost runs none to a result`, async () => {
    const probe = await kernel.spawn(module);
    const f = probe.fn('pick') as (a: number) => unknown;
    f(5);
    const before = probe.fuel().used;
    f(5);
    const cost = probe.fuel().used - before;
    probe.terminate();
    const sandbox = await kernel.spawn(module, { limits: { fuel: cost - 1 } });
    const g = sandbox.fn('pick') as (a: number) => unknown;
    let returned = 0;
    let failure: unknown;
    for (let i = 0; i < CALLS && failure === undefined; i++) {
      try {
        if (way === 'invokeSync') sandbox.invokeSync('pick', [5]);
        else if (way === 'invoke') await sandbox.invoke('pick', [5]);
        else if (way === 'call') await sandbox.call('pick', 5);
        else g(5);
        returned++;
      } catch (error) {
        failure = error;
      }
    }
    expect(returned).toBe(0);
    expect(failure).toMatchObject({ code: 'fuel-exhausted' });
  });
}
