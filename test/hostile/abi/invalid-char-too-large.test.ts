/**
 * Attack: a `char` returned as 0x110000, past U+10FFFF.
 * Must: `trap` (the guest's fault, not the caller's: the sandbox is poisoned), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('invalid-char-too-large: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['invalid-char-too-large']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('1114112 is not a Unicode scalar value');
});
