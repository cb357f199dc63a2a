/**
 * Attack: a straight-line export (20,000 steps, 120,001 fuel a call: no loop and no call, so its
 * body never checks the counter) invoked on limits { fuel: 1, fuelTotal: 1000 }. ecf2d37 stopped
 * it for sandbox.fn only: through invokeSync 1,000 invocations returned, each reported used 1 of
 * 1, 120 M fuel of work against a lifetime budget of 1,000. The end of every call now settles the
 * meter (`MeterRuntime.spent`): a counter below zero is out of fuel (review17 M1). Also through
 * a worker sandbox (host/isolate/worker-main.ts).
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../../scripts/lib/fixtures.js';

const STEP = '(local.set 0 (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 1)))';
const WAT = `(module (memory (export "memory") 1)
  (func (export "big") (param i32) (result i32) ${STEP.repeat(20_000)} (local.get 0)))`;
const WIT = `package test:loopfree@0.1.0;
world loopfree { export big: func(a: u32) -> u32; }`;
const kernel = new Kernel({ cacheDir: tempCacheDir() });
afterAll(() => kernel.close());

for (const placement of ['inline', 'worker'] as const)
  it(`loop-free invoke past budget (${placement}): a straight-line export past its budget through invokeSync is fuel-exhausted, as through fn`, async () => {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'loopfree'));
    const sandbox = await kernel.spawn(module, { placement, limits: { fuel: 1, fuelTotal: 1000 } });
    let returned = 0;
    let failure: unknown;
    for (let i = 0; i < 2000 && failure === undefined; i++) {
      try {
        if (placement === 'inline') sandbox.invokeSync('big', [5]);
        else await sandbox.invoke('big', [5]);
        returned++;
      } catch (error) {
        failure = error;
      }
    }
    expect(returned).toBe(0);
    expect(failure).toMatchObject({ code: 'fuel-exhausted' });
  });

// The end of a call reads the counter once (`MeterRuntime.close`) once the meter has its cell
// (after a few readings: the cold sandbox above takes the full settle on its first call): a
// counter below zero there is out of fuel too, never a budget renewed over it (invoke18).
it('loop-free invoke past budget (inline, warm meter): a call one fuel short is fuel-exhausted, one at its cost returns', async () => {
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'loopfree'));
  const sandbox = await kernel.spawn(module, { limits: { fuel: 10_000_000 } });
  for (let i = 0; i < 40; i++) expect(typeof sandbox.invokeSync('big', [5]).value).toBe('number');
  const cost = sandbox.lastFuel().used;
  expect(cost).toBeGreaterThan(120_000);
  // At its cost: returns, billed exactly.
  expect(sandbox.invokeSync('big', [5], { fuel: cost }).fuel).toEqual({ used: cost, limit: cost });
  let failure: unknown;
  try {
    sandbox.invokeSync('big', [5], { fuel: cost - 1 });
  } catch (error) {
    failure = error;
  }
  expect(failure).toMatchObject({ code: 'fuel-exhausted', details: { limit: cost - 1 } });
});
