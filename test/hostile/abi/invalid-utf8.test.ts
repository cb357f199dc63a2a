/**
 * Attack: a string result of the bytes `ff fe c3`, which are not UTF-8.
 * Must: `trap` (never U+FFFD in place of what the guest sent), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('invalid-utf8: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['invalid-utf8']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('is not valid UTF-8');
});
