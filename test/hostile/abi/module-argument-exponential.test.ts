/**
 * Attack: a nested component imports an instance type that exports one shared instance eight
 * times at each of 5 levels, the innermost exporting a core module whose type declares 3,000
 * imports, and is instantiated with a module of those 3,000 imports. Checking a module argument
 * against its module type walks both lists; the instance walk reaches it 8^5 (32,768) times, so
 * checked each time it is 10^8 comparisons. It is checked once per module type and module, its
 * work counted in the plan's bound on argument checks (100,000).
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentText, loadMs } from './support.js';

function text(levels: number, width: number, imports: number): string {
  const decls = Array.from({ length: imports }, (_, i) => `(import "" "f${i}" (func))`).join(' ');
  let types = `(core module $m ${decls})\n(type $I0 (instance (export "m" (core module ${decls}))))\n(instance $v0 (export "m" (core module $m)))\n`;
  for (let i = 1; i <= levels; i++) {
    const declared = Array.from({ length: width }, (_, j) => `(export "e${j}" (instance (type $t)))`).join(
      ' ',
    );
    types += `(type $I${i} (instance (alias outer $C $I${i - 1} (type $t)) ${declared}))\n`;
    const given = Array.from({ length: width }, (_, j) => `(export "e${j}" (instance $v${i - 1}))`).join(' ');
    types += `(instance $v${i} ${given})\n`;
  }
  return `(component $C\n${types}\n(component $N (import "i" (instance (type $I${levels}))))\n(instance (instantiate $N (with "i" (instance $v${levels})))))`;
}

it('module argument exponential: a 3,000-import module reached 8^5 times loads in bounded time', async () => {
  const bytes = await componentText(text(5, 8, 3_000));
  expect(bytes.length).toBeLessThan(131_072);
  expect(await loadMs(bytes)).toBeLessThan(5_000);
}, 30_000);

it('module argument exponential: a module importing what its module type does not declare is refused', async () => {
  // The module imports f0..f2999 but its type declares only 2,999 of them: a mismatch, found once.
  const source = text(2, 2, 3_000).replace(
    '(type $I0 (instance (export "m" (core module (import "" "f0" (func)) ',
    '(type $I0 (instance (export "m" (core module ',
  );
  const kernel = new Kernel({ cacheDir: false });
  try {
    await expect(kernel.load(await componentText(source))).rejects.toMatchObject({
      code: 'invalid-module',
      message: expect.stringMatching(/imports "\.f0", which its module type does not declare/),
    });
  } finally {
    await kernel.close();
  }
});
