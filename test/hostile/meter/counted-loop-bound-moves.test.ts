/**
 * Attack: a loop shaped as counted (i < n) whose body moves the bound with the variable. The
 * analysis must not count it; charged per turn, it runs out.
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { exhaustsMetered } from '../../meter/support.js';

it('counted loop whose bound moves: not counted, fuel-exhausted', async () => {
  const { counted } = exhaustsMetered(await watFile('guests/wat/hostile/meter/counted-loop-bound-moves.wat'));
  expect(counted).toBe(false); // charged per turn
});
