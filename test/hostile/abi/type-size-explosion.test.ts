/**
 * Attack: a type that doubles at every level (a tuple of the one before, twice), 40 levels: a few hundred bytes describing 2^41 values.
 * Must: `invalid-module` at load (the type size limit refuses it before any walk of it), and the loader still loads.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('type-size-explosion: invalid-module at load, and the loader still loads', async () => {
  const aftermath = await launch(ATTACKS['type-size-explosion']);
  expectContained(aftermath, 'invalid-module');
  expect(aftermath.error!.message).toContain('larger than 1000000');
});
