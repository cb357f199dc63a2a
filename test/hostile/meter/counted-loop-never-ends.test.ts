/**
 * Attack: a loop shaped as counted whose test never fails (i += 2 while i != 1). Its count is
 * "never", charged as more than any budget: 1,000,000 fuel ends it at once.
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { exhaustsMetered } from '../../meter/support.js';

it('counted loop that never ends: charged as unending, fuel-exhausted at once', async () => {
  const { counted } = exhaustsMetered(await watFile('guests/wat/hostile/meter/counted-loop-never-ends.wat'));
  expect(counted).toBe(true); // counted, and charged as never ending
});
