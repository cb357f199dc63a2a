/**
 * Attack: a variant of 3 cases whose discriminant in memory is 7.
 * Must: `trap` (the guest's fault, not the caller's: the sandbox is poisoned), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('invalid-variant-discriminant: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['invalid-variant-discriminant']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('case 7 of a variant with 3 cases');
});
