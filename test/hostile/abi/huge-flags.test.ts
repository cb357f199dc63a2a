/**
 * Attack: a `flags` type with more labels than the canonical ABI allows (64; at most 32), or
 * none at all. Refused at load as invalid-module; the host and its neighbours carry on.
 */
import { it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { componentText, expectContained, launch } from './support.js';

it('flags of 64 labels: invalid-module at load', async () => {
  expectContained(await launch(ATTACKS['huge-flags']), 'invalid-module');
});

it('flags of 33 labels, one past the limit: invalid-module at load', async () => {
  const labels = Array.from({ length: 33 }, (_, i) => `"f${i}"`).join(' ');
  const aftermath = await launch({
    component: () =>
      componentText(`(component
  (core module $m (func (export "f") (result i32) (i32.const 1)))
  (core instance $i (instantiate $m))
  (type $f' (flags ${labels}))
  (import "big" (type $f (eq $f')))
  (func (export "f") (result $f) (canon lift (core func $i "f"))))`),
  });
  expectContained(aftermath, 'invalid-module');
});

it('flags of no label: invalid-module at load', async () => {
  const aftermath = await launch({
    component: () =>
      componentText(`(component
  (core module $m (func (export "f") (param i32)))
  (core instance $i (instantiate $m))
  (type $f' (flags))
  (import "none" (type $f (eq $f')))
  (func (export "f") (param "x" $f) (canon lift (core func $i "f"))))`),
  });
  expectContained(aftermath, 'invalid-module');
});
