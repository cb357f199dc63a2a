/**
 * Attack: a string result whose pointer (0xfffffff0) is past the end of memory.
 * Must: `trap` (the host never builds a view past the guest's memory), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('string-out-of-bounds: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['string-out-of-bounds']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('run past the end of memory');
});
