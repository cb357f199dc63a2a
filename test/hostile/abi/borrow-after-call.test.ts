/**
 * Attack: the host lends a `borrow<blob>` to the export `keep`, which keeps the handle without dropping it, to use it in a later call.
 * Must: `trap` (already when `keep` returns with the borrow not dropped), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('borrow-after-call: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['borrow-after-call']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('"keep" returned without dropping 1 borrowed handle');
});
