/**
 * Attack: a start function with no loop and no call (20,000 steps, 120,000 fuel) in a worker
 * sandbox spawned on limits { fuel: 1 }. 250a773 settled an inline start function's meter and
 * every worker call's, not the worker's ready frame: the worker's counter ended below zero, its
 * `remaining()` read 0, the kernel charged the 1 fuel it had lent, and the sandbox spawned
 * ready ("used 1 of 1"). Now the ready frame says the start ran out, as a result's does.
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../../scripts/lib/fixtures.js';
import { wat } from '../../../scripts/lib/wat.js';

const STEP = '(global.set $g (i32.add (i32.mul (global.get $g) (i32.const 3)) (i32.const 1)))';
const WAT = `(module (memory (export "memory") 1) (global $g (mut i32) (i32.const 5))
  (func $init ${STEP.repeat(20_000)}) (start $init)
  (func (export "get") (result i32) (global.get $g)))`;
const WIT = `package test:loopfree@0.1.0;
world loopfree { export get: func() -> u32; }`;
const PLAIN = `(module (global $g (mut i32) (i32.const 5))
  (func $init ${STEP.repeat(20_000)}) (start $init)
  (func (export "get") (result i32) (global.get $g)))`;
const kernel = new Kernel({ cacheDir: tempCacheDir() });
afterAll(() => kernel.close());

it('worker start past budget: a component start function past a worker spawn budget of 1 is fuel-exhausted', async () => {
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'loopfree'));
  await expect(kernel.spawn(module, { placement: 'worker', limits: { fuel: 1 } })).rejects.toMatchObject({
    code: 'fuel-exhausted',
    message: expect.stringContaining('instantiation'),
  });
  expect(kernel.sandboxes.length).toBe(0);
  // A budget that pays for it spawns.
  const paid = await kernel.spawn(module, { placement: 'worker', limits: { fuel: 1_000_000 } });
  expect(paid.state).toBe('ready');
});

it('worker start past budget: a plain module start function likewise', async () => {
  const module = await kernel.load(await wat(PLAIN, 'start.wat'));
  await expect(kernel.spawn(module, { placement: 'worker', limits: { fuel: 1 } })).rejects.toMatchObject({
    code: 'fuel-exhausted',
  });
});
