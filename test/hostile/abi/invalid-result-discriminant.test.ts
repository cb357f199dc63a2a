/**
 * Attack: a `result` returned as 2.
 * Must: `trap` (the guest's fault, not the caller's: the sandbox is poisoned), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('invalid-result-discriminant: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['invalid-result-discriminant']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('case 2 of a result with 2 cases');
});
