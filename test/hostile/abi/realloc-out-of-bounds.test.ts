/**
 * Attack: `cabi_realloc` answers 0xfffffff0 when the host lowers a string argument.
 * Must: `trap` (the host never writes past the guest's memory), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('realloc-out-of-bounds: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['realloc-out-of-bounds']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('past the end of memory');
});
