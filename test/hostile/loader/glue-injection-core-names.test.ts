/**
 * Attack: injection names in every other core position jco writes into glue: the modules and
 * fields a core module imports, the arguments of a core instantiation, a core instance made of
 * exports, an alias of a core instance's export, and the declarations of a core module type.
 */
import { it } from 'vitest';
import { componentText, expectRefused, INJECTIONS, watString } from './support.js';

const positions: Record<string, { where: RegExp; text: (name: string) => string }> = {
  'import module': {
    where: /core module import module name/,
    text: (n) => `(component
      (core module $m (import ${watString(n)} "f" (func)))
      (core module $e (func (export "f")))
      (core instance $ei (instantiate $e))
      (core instance (instantiate $m (with ${watString(n)} (instance $ei)))))`,
  },
  'import field': {
    where: /core module import name/,
    text: (n) => `(component (core module $m (import "env" ${watString(n)} (func))))`,
  },
  'instance argument': {
    where: /core instance argument name/,
    text: (n) => `(component
      (core module $e (func (export "f")))
      (core instance $ei (instantiate $e))
      (core module $m)
      (core instance (instantiate $m (with ${watString(n)} (instance $ei)))))`,
  },
  'instance export': {
    where: /core instance export name/,
    text: (n) => `(component
      (core module $e (func (export "f")))
      (core instance $ei (instantiate $e))
      (core instance (export ${watString(n)} (func $ei "f"))))`,
  },
  'alias of an export': {
    where: /alias of a core instance export name/,
    text: (n) => `(component
      (core module $e (func (export "f")))
      (core instance $ei (instantiate $e))
      (alias core export $ei ${watString(n)} (core func)))`,
  },
  'module type export': {
    where: /core type export name/,
    text: (n) => `(component (core type (module (export ${watString(n)} (func)))))`,
  },
};

for (const [position, { where, text }] of Object.entries(positions)) {
  it.each(INJECTIONS.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    `refuses a core ${position} named %s`,
    async (_, name) => {
      await expectRefused(await componentText(text(name)), where);
    },
  );
}
