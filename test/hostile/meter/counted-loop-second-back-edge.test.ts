/**
 * Attack: a loop shaped as counted whose exit path branches back to it, so the count taken
 * at the start is not what runs. Seen while rewriting, the body is rewritten without counted loops.
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { exhaustsMetered } from '../../meter/support.js';

it('counted loop with a second back edge: not counted, fuel-exhausted', async () => {
  const { counted } = exhaustsMetered(
    await watFile('guests/wat/hostile/meter/counted-loop-second-back-edge.wat'),
  );
  expect(counted).toBe(false); // rewritten without counted loops
});
