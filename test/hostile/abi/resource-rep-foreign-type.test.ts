/**
 * Attack: the guest calls `resource.rep` of resource `s` on a handle of resource `r`.
 * Must: `trap` (one table per component instance holds every resource type's handles, each entry with its type: a handle of one type is never read as another's), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('resource-rep-foreign-type: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['resource-rep-foreign-type']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('1 is not a live s handle');
});
