/**
 * Attack: a `list<u64>` result of length 0x20000001: its byte length, 8 × length, is 8 modulo 2^32.
 * Must: `trap` (the bound is checked on the true product, before anything is read), the sandbox poisoned, the host and its neighbours carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('length-overflow: trap, and the host carries on', async () => {
  const aftermath = await launch(ATTACKS['length-overflow']);
  expectContained(aftermath, 'trap');
  expect(aftermath.error!.message).toContain('4294967304 bytes');
});
