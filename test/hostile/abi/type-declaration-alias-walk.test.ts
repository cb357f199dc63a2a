/**
 * Attack: inside a component type, an imported instance's type exports a value type of 2^18
 * leaves (each level a tuple of the one before, twice), and 2,000 export aliases name it. Each
 * alias asks whether the type holds a resource handle (an export alias of one inside a type
 * declaration is refused as unsupported); walked afresh per alias that is 10^9 visits. It is
 * answered once per type object: the component loads in bounded time.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentText, loadMs } from './support.js';

function text(levels: number, aliases: number): string {
  let types = '(type $t0 u8)';
  for (let i = 1; i <= levels; i++) types += ` (type $t${i} (tuple $t${i - 1} $t${i - 1}))`;
  const instance = `(instance $x ${types} (export "t" (type (eq $t${levels}))))`;
  return `(component (type (component (import "x" ${instance}) ${'(alias export $x "t" (type)) '.repeat(aliases)})))`;
}

it('type declaration alias walk: 2,000 export aliases of a 2^18-leaf type load in bounded time', async () => {
  const bytes = await componentText(text(18, 2_000));
  expect(bytes.length).toBeLessThan(65_536);
  expect(await loadMs(bytes)).toBeLessThan(5_000);
}, 30_000);

it('type declaration alias walk: an export alias of a type holding a handle is refused as unsupported', async () => {
  const source =
    '(component (type (component (import "x" (instance $x (export "r" (type $r (sub resource))) (type $o (own $r))' +
    ' (export "h" (type (eq $o)))))' +
    ' (alias export $x "h" (type)))))';
  const kernel = new Kernel({ cacheDir: false });
  try {
    await expect(kernel.load(await componentText(source))).rejects.toMatchObject({
      code: 'invalid-module',
      message: expect.stringMatching(/unsupported component: an export alias of a resource type/),
    });
  } finally {
    await kernel.close();
  }
});
