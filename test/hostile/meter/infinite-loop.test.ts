/**
 * Attack: a loop that never ends. Metered, 1,000,000 fuel ends it with `fuel-exhausted` in
 * milliseconds; the host goes on.
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

it('infinite loop: 1,000,000 fuel ends it in milliseconds with fuel-exhausted', async () => {
  const { exports, meter } = instantiateMetered(await watFile('guests/wat/hostile/meter/infinite-loop.wat'), {
    fuel: 1_000_000,
  });
  const start = performance.now();
  const error = thrown(() => exports.run());
  const elapsed = performance.now() - start;
  expect(error.code).toBe('fuel-exhausted');
  expect(error.details.used).toBe(1_000_000);
  expect(meter.remaining()).toBe(0);
  expect(elapsed).toBeLessThan(1000);
  // The host is fine and the counter can be refilled (the kernel poisons the sandbox instead).
  meter.setRemaining(10);
  expect(thrown(() => exports.run()).code).toBe('fuel-exhausted');
});
