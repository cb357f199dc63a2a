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
  expect(meter.used()).toBeGreaterThan(0);
  // Again, to show nothing was left broken.
  expect(
    classifyFailure(
      thrown(() => exports.run(0)),
      'run',
    ).code,
  ).toBe('stack-overflow');
});
