/**
 * Attack: a counted loop of 2^32 - 1 turns. Its whole count is charged before the first turn:
 * 1,000,000 fuel ends it before it starts, not after seconds of turns.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

it('counted loop of 2^32 - 1 turns: charged before it starts, fuel-exhausted at once', async () => {
  const bytes = await watFile('guests/wat/hostile/meter/counted-loop-huge-count.wat');
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
  // Not one turn ran: the first would have stored 1 at address 0.
  expect(new Int32Array(exports.memory.buffer)[0]).toBe(0);
});
