/**
 * Attack: the guest calls `resource.drop` twice on a handle of its own resource.
 * Must: `trap` (the second drop finds an empty slot), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('double-drop: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['double-drop']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('1 is not a live r handle');
});
