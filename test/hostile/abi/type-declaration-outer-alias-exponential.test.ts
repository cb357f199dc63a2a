/**
 * Attack: as outer-alias-exponential, instance types that each export the one before twice, 30
 * levels deep, but aliased from inside a component type in a nested component (`alias outer 2`,
 * crossing the nested component's boundary from a type declaration). That alias is now checked
 * for resources too (resolve.ts `outerType`), with the planner's test answered once per type.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentText, loadMs } from './support.js';

function text(levels: number): string {
  let types = '(type $I0 (instance (export "a" (func))))\n';
  for (let i = 1; i <= levels; i++) {
    types += `(type $I${i} (instance (alias outer $C $I${i - 1} (type $t)) (export "a" (instance (type $t))) (export "b" (instance (type $t)))))\n`;
  }
  return `(component $C\n${types}\n(component $N (type (component (alias outer $C $I${levels} (type $x)))))\n(instance (instantiate $N)))`;
}

it('type declaration outer alias exponential: a type shared twice per level, 30 levels, is checked in linear time', async () => {
  const bytes = await componentText(text(30));
  expect(bytes.length).toBeLessThan(2048);
  expect(await loadMs(bytes)).toBeLessThan(5_000);
}, 30_000);

it('type declaration outer alias: a resource aliased from a component type across a component boundary is refused', async () => {
  const source =
    '(component $C (type $R (resource (rep i32))) (component $N (type (component (alias outer $C $R (type $r))))) (instance (instantiate $N)))';
  const kernel = new Kernel({ cacheDir: false });
  try {
    await expect(kernel.load(await componentText(source))).rejects.toMatchObject({
      code: 'invalid-module',
      message: expect.stringMatching(/refers to resources across a component boundary/),
    });
  } finally {
    await kernel.close();
  }
});
