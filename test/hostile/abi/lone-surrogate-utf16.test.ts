/**
 * Attack: a utf16 string result `a` followed by a lone high surrogate (D800).
 * Must: `trap` (never U+FFFD in place of what the guest sent), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('lone-surrogate-utf16: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['lone-surrogate-utf16']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('is not valid UTF-16');
});
