/**
 * Attack: a function that calls itself forever. With little fuel it is `fuel-exhausted`; with
 * ample fuel the engine's stack runs out first, and that still maps to `stack-overflow` (the
 * metering adds a local per frame, nothing that breaks V8's stack check).
 */
import { expect, it } from 'vitest';
import { classifyFailure } from '../../../host/kernel/traps.js';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

const GUEST = 'guests/wat/hostile/meter/unbounded-recursion.wat';

it('unbounded recursion: fuel-exhausted with little fuel', async () => {
  const { exports } = instantiateMetered(await watFile(GUEST), { fuel: 10_000 });
  const error = thrown(() => exports.run(0));
  expect(error.code).toBe('fuel-exhausted');
});

it('unbounded recursion: stack-overflow with ample fuel, and the host goes on', async () => {
  const { exports, meter } = instantiateMetered(await watFile(GUEST), { fuel: 1e12 });
  const error = thrown(() => exports.run(0));
  expect(error).toBeInstanceOf(RangeError);
  expect(classifyFailure(error, 'run').code).toBe('stack-overflow');
  // The counter travelled in parameters down the recursion and was never written back: after
  // a trap, fuel used is a lower bound (docs/fuel.md); the kernel poisons the sandbox.
  expect(meter.used()).toBeGreaterThanOrEqual(0);
  expect(meter.remaining()).toBeLessThanOrEqual(1e12);
  // Again, to show nothing was left broken.
  expect(
    classifyFailure(
      thrown(() => exports.run(0)),
      'run',
    ).code,
  ).toBe('stack-overflow');
});
