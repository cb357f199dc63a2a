/**
 * Attack: a `list<u32>` result at an odd address (1025).
 * Must: `trap` (the canonical ABI requires element alignment), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('misaligned-pointer: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['misaligned-pointer']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('pointer 1025 is not aligned to 4');
});
