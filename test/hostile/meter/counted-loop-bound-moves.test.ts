/**
 * Attack: a loop shaped as counted (i < n) whose body moves the bound with the variable. The
 * analysis must not count it; charged per turn, it runs out.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

it('counted loop whose bound moves: not counted, fuel-exhausted', async () => {
  const bytes = await watFile('guests/wat/hostile/meter/counted-loop-bound-moves.wat');
  // The loop is not counted: its metering equals per-turn charging's.
  const counted = meterModule(bytes);
  expect(Buffer.from(counted).equals(Buffer.from(meterModule(bytes, { countedLoops: false })))).toBe(true);
  const { exports, meter } = instantiateMetered(bytes, { fuel: 1_000_000 });
  const start = performance.now();
  const error = thrown(() => exports.run());
  expect(error.code).toBe('fuel-exhausted');
  expect(error.details.used).toBe(1_000_000);
  expect(meter.remaining()).toBe(0);
  expect(performance.now() - start).toBeLessThan(1000);
});
