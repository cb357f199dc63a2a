/**
 * Attack: a start function with no loop and no call (20,000 steps, 120,000 fuel) spawned on
 * limits { fuel: 1 }: it spawned, state ready, used 1 of 1. Now the spawn fails with
 * fuel-exhausted (review17 M1).
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../../scripts/lib/fixtures.js';

const STEP = '(global.set $g (i32.add (i32.mul (global.get $g) (i32.const 3)) (i32.const 1)))';
const WAT = `(module (memory (export "memory") 1) (global $g (mut i32) (i32.const 5))
  (func $init ${STEP.repeat(20_000)}) (start $init)
  (func (export "get") (result i32) (global.get $g)))`;
const WIT = `package test:loopfree@0.1.0;
world loopfree { export get: func() -> u32; }`;
const kernel = new Kernel({ cacheDir: tempCacheDir() });
afterAll(() => kernel.close());

it('loop-free start past budget: a start function past a spawn budget of 1 is fuel-exhausted', async () => {
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'loopfree'));
  await expect(kernel.spawn(module, { limits: { fuel: 1 } })).rejects.toMatchObject({
    code: 'fuel-exhausted',
    message: expect.stringContaining('instantiation'),
  });
  // A budget that pays for it spawns.
  const paid = await kernel.spawn(module, { limits: { fuel: 1_000_000 } });
  expect(paid.state).toBe('ready');
});
