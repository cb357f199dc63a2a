/**
 * Attack: injection names in the component's own names (imports, exports, instantiation
 * arguments, instance exports, aliases, the declarations of instance and component types).
 * jco names interfaces, functions and resources after them in the glue it writes; each must
 * follow the component model's name grammar, checked by Keel before jco reads the component.
 */
import { it } from 'vitest';
import { componentText, expectRefused, INJECTIONS, watString } from './support.js';

const FUNC = `(core module $m (func (export "f")))
  (core instance $i (instantiate $m))
  (func $f (canon lift (core func $i "f")))`;

const positions: Record<string, { where: RegExp; text: (name: string) => string }> = {
  import: {
    where: /import name/,
    text: (n) => `(component (import ${watString(n)} (func)))`,
  },
  export: {
    where: /export name/,
    text: (n) => `(component ${FUNC} (export ${watString(n)} (func $f)))`,
  },
  'instantiation argument': {
    where: /instance argument name/,
    text: (n) => `(component ${FUNC}
      (component $c (import "f" (func)))
      (instance (instantiate $c (with ${watString(n)} (func $f)))))`,
  },
  'instance export': {
    where: /instance export name/,
    text: (n) => `(component ${FUNC} (instance (export ${watString(n)} (func $f))))`,
  },
  'alias of an instance export': {
    where: /alias of an instance export name/,
    text: (n) => `(component
      (import "i" (instance $i (export "f" (func))))
      (alias export $i ${watString(n)} (func)))`,
  },
  'instance type export': {
    where: /instance type export name/,
    text: (n) => `(component (type (instance (export ${watString(n)} (func)))))`,
  },
  'component type import': {
    where: /component type import name/,
    text: (n) => `(component (type (component (import ${watString(n)} (func)))))`,
  },
};

for (const [position, { where, text }] of Object.entries(positions)) {
  it.each(INJECTIONS.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    `refuses a component ${position} named %s`,
    async (_, name) => {
      await expectRefused(await componentText(text(name)), where);
    },
  );
}
