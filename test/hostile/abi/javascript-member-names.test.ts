/**
 * Attack: valid export names that are, or become in camelCase, members every JavaScript object
 * has or that promises look for: `then`, `constructor`, `prototype`, `to-string`
 * (`toString`), `value-of`, `has-own-property`. Each must stay an export like any other: called
 * by its name, it runs its own function (each returns its own number), and nothing else is
 * affected.
 */
import { expect, it } from 'vitest';
import { componentText, launch } from './support.js';

const NAMES = [
  'then',
  'constructor',
  'prototype',
  'to-string',
  'value-of',
  'has-own-property',
  'is-prototype-of',
];

it('exports named like JavaScript object members are exports like any other', async () => {
  const core = NAMES.map((_, i) => `(func (export "f${i}") (result i32) (i32.const ${i + 1}))`).join('\n');
  const exports = NAMES.map(
    (name, i) => `(func (export "${name}") (result u32) (canon lift (core func $i "f${i}")))`,
  ).join('\n');
  const aftermath = await launch({
    component: () =>
      componentText(`(component
  (core module $m ${core})
  (core instance $i (instantiate $m))
  ${exports})`),
    probe: async (sandbox) => {
      const results: Record<string, unknown> = { state: sandbox.state };
      for (const name of NAMES) results[name] = [(await sandbox.invoke(name)).value, sandbox.fn(name)()];
      return results;
    },
  });
  expect(aftermath.thrown).toBeUndefined();
  expect(aftermath.value).toEqual({
    state: 'ready',
    ...Object.fromEntries(NAMES.map((name, i) => [name, [i + 1, i + 1]])),
  });
});
