/**
 * Attack: an `option<u8>` whose discriminant in memory is 2.
 * Must: `trap` (the guest's fault, not the caller's: the sandbox is poisoned), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('invalid-option-discriminant: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['invalid-option-discriminant']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('case 2 of an option with 2 cases');
});
