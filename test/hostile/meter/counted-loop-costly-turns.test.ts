/**
 * Attack: a counted loop under a cost model that prices every instruction at 2^31 - 1 fuel,
 * so that count x cost would overflow i64 for a long loop. Turns that costly are charged one
 * by one instead, with the same counts.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

it('counted loop with turns too costly to multiply: charged per turn, exact, fuel-exhausted on half', async () => {
  const bytes = await watFile('guests/wat/hostile/meter/counted-loop-costly-turns.wat');
  const options = { costs: { default: 2 ** 31 - 1 } };
  const counted = meterModule(bytes, options);
  expect(
    Buffer.from(counted).equals(Buffer.from(meterModule(bytes, { ...options, countedLoops: false }))),
  ).toBe(true);
  const fuel = Number.MAX_SAFE_INTEGER;
  const ample = instantiateMetered(bytes, { fuel }, options);
  expect(ample.exports.run()).toBe(10);
  const used = ample.meter.used();
  // 10 turns of 8 instructions and a last `local.get`: 81 instructions at 2^31 - 1.
  expect(used).toBe(81 * (2 ** 31 - 1));
  const short = instantiateMetered(bytes, { fuel: Math.floor(used / 2) }, options);
  expect(thrown(() => short.exports.run()).code).toBe('fuel-exhausted');
});
