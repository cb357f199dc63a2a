/**
 * Attack: the guest calls `resource.drop` on handle 99, never allocated.
 * Must: `trap` (never a silent no-op), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('unallocated-handle: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['unallocated-handle']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('99 is not a live r handle');
});
