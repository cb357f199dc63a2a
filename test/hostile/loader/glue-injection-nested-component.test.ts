/**
 * Attack: the injection hidden one and several components deep, where a walk of the outer
 * component alone would not look.
 */
import { it } from 'vitest';
import { componentText, expectRefused, INJECTIONS, watString } from './support.js';

const nest = (inner: string, depth: number): string =>
  depth === 0 ? inner : `(component ${nest(inner, depth - 1)})`;

for (const depth of [1, 3]) {
  it.each(INJECTIONS.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    `refuses a core export named %s in a component nested ${depth} deep`,
    async (_, name) => {
      const inner = `(component (core module (func (export ${watString(name)}))))`;
      await expectRefused(await componentText(`(component ${nest(inner, depth - 1)})`), /core module export/);
    },
  );
}

it('refuses components nested deeper than any toolchain makes them', async () => {
  const inner = '(component (core module (func (export "f"))))';
  await expectRefused(await componentText(`(component ${nest(inner, 40)})`), /nested more than/);
});
