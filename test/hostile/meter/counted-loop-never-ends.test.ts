/**
 * Attack: a loop shaped as counted whose test never fails (i += 2 while i != 1). Its count is
 * "never", charged as more than any budget: 1,000,000 fuel ends it at once.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

it('counted loop that never ends: charged as unending, fuel-exhausted at once', async () => {
  const bytes = await watFile('guests/wat/hostile/meter/counted-loop-never-ends.wat');
  // The loop is counted: its metering differs from per-turn charging's.
  const counted = meterModule(bytes);
  expect(Buffer.from(counted).equals(Buffer.from(meterModule(bytes, { countedLoops: false })))).toBe(false);
  const { exports, meter } = instantiateMetered(bytes, { fuel: 1_000_000 });
  const start = performance.now();
  const error = thrown(() => exports.run());
  expect(error.code).toBe('fuel-exhausted');
  expect(error.details.used).toBe(1_000_000);
  expect(meter.remaining()).toBe(0);
  expect(performance.now() - start).toBeLessThan(1000);
});
