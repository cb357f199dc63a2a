/**
 * Attack: a straight-line export (20,000 steps, 120,001 fuel a call: no loop and no call, so its
 * body never checks the counter) that returns `result::err`, called on limits { fuel: 1,
 * fuelTotal: 1000 }. 250a773 settled the meter at the end of every call that returns, but an
 * `err` is thrown by the lift and handed back as a value by the failure path, which never
 * settled: through invokeSync, inline and in a worker, 1,000 of 1,000 calls returned their
 * `err`, each "used 1 of 1" (120 M fuel of work against a lifetime budget of 1,000); through
 * `fn`, 2,000 of 2,000 threw the payload and none was out of fuel. Now `fuel-exhausted` each way.
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../../scripts/lib/fixtures.js';

const STEP = '(local.set 0 (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 1)))';
const WAT = `(module (memory (export "memory") 1)
  (func (export "big") (param i32) (result i32) ${STEP.repeat(20_000)}
    (i32.store (i32.const 8) (i32.const 1)) (i32.store (i32.const 12) (local.get 0)) (i32.const 8)))`;
const WIT = `package test:loopfree@0.1.0;
world loopfree { export big: func(a: u32) -> result<u32, u32>; }`;
const kernel = new Kernel({ cacheDir: tempCacheDir() });
afterAll(() => kernel.close());

const ways = ['invokeSync', 'invoke (worker)', 'fn'] as const;
for (const way of ways)
  it(`loop-free err past budget (${way}): an err returned past the budget is fuel-exhausted, not a value`, async () => {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'loopfree'));
    const placement = way === 'invoke (worker)' ? 'worker' : 'inline';
    const sandbox = await kernel.spawn(module, { placement, limits: { fuel: 1, fuelTotal: 1000 } });
    const big = way === 'fn' ? sandbox.fn<(a: number) => unknown>('big') : undefined;
    let returned = 0;
    let failure: { code?: string } | undefined;
    for (let i = 0; i < 2000 && failure === undefined; i++) {
      try {
        if (big) big(5);
        else if (way === 'invokeSync') sandbox.invokeSync('big', [5]);
        else await sandbox.invoke('big', [5]);
        returned++;
      } catch (error) {
        // `fn` throws an `err` with its payload (no code): a value, counted as one returned.
        if ((error as { code?: string }).code === undefined) returned++;
        else failure = error as { code?: string };
      }
    }
    expect(returned).toBe(0);
    expect(failure).toMatchObject({ code: 'fuel-exhausted' });
    expect(sandbox.state).toBe('poisoned');
  });

it('loop-free err past budget: an err within the budget is still a value', async () => {
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'loopfree'));
  const sandbox = await kernel.spawn(module, { limits: { fuel: 1_000_000 } });
  expect(sandbox.invokeSync('big', [5])).toMatchObject({ value: { tag: 'err' }, err: true });
  expect(sandbox.state).toBe('ready');
});
