/**
 * Attack: export names outside the component model's name grammar (kebab-case words, acronyms
 * in capitals): mixed case, empty words, spaces, quotes, backslashes, NUL, U+2028, non-ASCII
 * letters, JavaScript's own `__proto__`. A name is data that reaches generated code and
 * lookups: each is refused at load as invalid-module, and the host and its neighbours carry on.
 */
import { describe, it } from 'vitest';
import { componentText, expectContained, launch, watString } from './support.js';

const NAMES = [
  'Foo',
  'a--b',
  '-a',
  'a-',
  '',
  'a b',
  'a"b',
  'a\\b',
  'abé',
  '__proto__',
  'to_string',
  'a\u2028b',
  'a\0b',
];

describe('export names outside the grammar', () => {
  it.each(NAMES)('%j: invalid-module at load', async (name) => {
    const aftermath = await launch({
      component: () =>
        componentText(`(component
  (core module $m (func (export "f") (result i32) (i32.const 7)))
  (core instance $i (instantiate $m))
  (func (export ${watString(name)}) (result u32) (canon lift (core func $i "f"))))`),
    });
    expectContained(aftermath, 'invalid-module');
  });
});
