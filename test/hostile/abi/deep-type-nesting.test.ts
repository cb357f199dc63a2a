/**
 * Attack: a value type nested 1000 deep (1000 type definitions, each a list of the one before).
 * Must: `invalid-module` at load (every walk of a type (lifting, lowering, layout, text) recurses at most 100 deep; later loads are unaffected), and the loader still loads.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('deep-type-nesting: invalid-module at load, and the loader still loads', async () => {
  const aftermath = await launch(ATTACKS['deep-type-nesting']);
  expectContained(aftermath, 'invalid-module');
  expect(aftermath.error!.message).toContain('a value type nested more than 100 deep');
});
