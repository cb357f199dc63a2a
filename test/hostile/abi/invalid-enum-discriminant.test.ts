/**
 * Attack: an enum of 3 cases returned as 3.
 * Must: `trap` (the guest's fault, not the caller's: the sandbox is poisoned), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('invalid-enum-discriminant: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['invalid-enum-discriminant']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('case 3 of an enum with 3 cases');
});
