/**
 * Attack: a `char` returned as 0xD800, a surrogate.
 * Must: `trap` (the guest's fault, not the caller's: the sandbox is poisoned), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('invalid-char-surrogate: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['invalid-char-surrogate']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('55296 is not a Unicode scalar value');
});
