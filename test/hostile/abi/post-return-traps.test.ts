/**
 * Attack: the export's `post-return` traps after the host has lifted the result. The result
 * is not handed out: the call ends as a trap and the sandbox is poisoned (the guest's state
 * after a trap cannot be trusted); the host and its neighbours carry on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('post-return that traps: trap, no result, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['post-return-traps']);
  expectContained(aftermath, 'trap');
  expect(aftermath.value).toBeUndefined();
});
