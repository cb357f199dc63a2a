/**
 * Attack: a loop shaped as counted whose variable is written twice (i += 1, i -= 1). The
 * analysis must not count it; charged per turn, it runs out.
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { exhaustsMetered } from '../../meter/support.js';

it('counted loop whose variable is written twice: not counted, fuel-exhausted', async () => {
  const { counted } = exhaustsMetered(
    await watFile('guests/wat/hostile/meter/counted-loop-variable-rewritten.wat'),
  );
  expect(counted).toBe(false); // charged per turn
});
