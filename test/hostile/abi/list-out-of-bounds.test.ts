/**
 * Attack: a `list<u32>` result at 65532 of length 2 in a 64 KiB memory: its end is 4 bytes past memory.
 * Must: `trap` (never a list of the wrong length), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('list-out-of-bounds: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['list-out-of-bounds']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('run past the end of memory');
});
