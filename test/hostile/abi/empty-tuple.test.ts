/**
 * Attack: a tuple of no types, whose values take no bytes (a list of them would cost the guest nothing).
 * Must: `invalid-module` at load (refused as records, variants and enums with nothing in them are), and the loader still loads.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('empty-tuple: invalid-module at load, and the loader still loads', async () => {
  const aftermath = await launch(ATTACKS['empty-tuple']);
  expectContained(aftermath, 'invalid-module');
  expect(aftermath.error!.message).toContain('a tuple with no types');
});
