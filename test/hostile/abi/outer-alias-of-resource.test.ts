/**
 * Attack: a nested component names its parent's resource type through an outer alias (the
 * resource itself, a handle of it, a record holding one), as if resources were not generative.
 * The component model forbids an outer alias across a component boundary of a type that refers
 * to resources (wasmparser: "transitively refers to resources"; the reference tests,
 * validation/outer-alias.wast, whose nested components are never instantiated: Keel plans a
 * nested component per instantiation, so these instantiate them).
 * Must: `invalid-module` at load; an outer alias of a type without resources still loads.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentText, expectContained, launch } from './support.js';

const ALIASED = {
  'the resource': '$R',
  'a borrow of it': '$B',
  'a record owning it': '$Rec',
};

for (const [what, name] of Object.entries(ALIASED)) {
  it(`outer-alias-of-resource: ${what}, aliased into an instantiated nested component, is invalid-module`, async () => {
    const text = `(component $C
      (type $R (resource (rep i32)))
      (type $B (borrow $R))
      (type $Rec (record (field "h" (own $R))))
      (component $N (alias outer $C ${name} (type $a)))
      (instance (instantiate $N)))`;
    const aftermath = await launch({ component: () => componentText(text) });
    expectContained(aftermath, 'invalid-module');
    expect(aftermath.error!.message).toMatch(/refers to resources across a component boundary/);
  });
}

it('outer-alias-of-resource: a type without resources crosses the boundary', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const bytes = await componentText(`(component $C
      (type $R (resource (rep i32)))
      (type $P (record (field "x" u32)))
      (component $N (alias outer $C $P (type $a)) (type (tuple $a $a)))
      (instance (instantiate $N)))`);
    await kernel.spawn(await kernel.load(bytes));
  } finally {
    await kernel.close();
  }
});
