/**
 * Attack: `cabi_realloc` answers 1025 for a `list<u32>` argument.
 * Must: `trap` (the list is never written at an odd address), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('realloc-misaligned: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['realloc-misaligned']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('realloc returned 1025, not aligned to 4');
});
