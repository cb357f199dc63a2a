/**
 * Attack: a loop shaped as counted that wraps around (i <= 0x7fffffff holds for every i32).
 * The analysis must not count it (bound + 1 wraps to a count of 0); charged per turn, it runs out.
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { exhaustsMetered } from '../../meter/support.js';

it('counted loop that wraps at the i32 maximum: not counted, fuel-exhausted', async () => {
  const { counted } = exhaustsMetered(
    await watFile('guests/wat/hostile/meter/counted-loop-wraps-at-max.wat'),
  );
  expect(counted).toBe(false); // charged per turn
});
