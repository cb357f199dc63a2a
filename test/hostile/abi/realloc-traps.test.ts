/**
 * Attack: the guest's `cabi_realloc` traps while the host lowers a string argument into it.
 * The call ends as a trap, the sandbox is poisoned, the host and its neighbours carry on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('realloc that traps: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['realloc-traps']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('unreachable');
});
