/**
 * Attack: a counted loop of 2^32 - 1 turns. Its whole count is charged before the first turn:
 * 1,000,000 fuel ends it before it starts, not after seconds of turns.
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { exhaustsMetered } from '../../meter/support.js';

it('counted loop of 2^32 - 1 turns: charged before it starts, fuel-exhausted at once', async () => {
  const { counted, exports } = exhaustsMetered(
    await watFile('guests/wat/hostile/meter/counted-loop-huge-count.wat'),
  );
  expect(counted).toBe(true); // counted
  // Not one turn ran: the first would have stored 1 at address 0.
  expect(new Int32Array(exports.memory.buffer)[0]).toBe(0);
});
