/**
 * A core instantiation's table, memory and global imports are checked at load against the types
 * of what its arguments give, as core linking matches them (the component model's validation
 * does it: validation/instantiation.wast 381-429); before, V8 checked them at spawn. A global of
 * the same type and mutability; a table of the same element type, a memory of the same sharing;
 * limits at least the import's minimum and, when it has a maximum, at most that maximum.
 */
import { afterAll, expect, it } from 'vitest';
import { isKeelError, Kernel } from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { loadOutcome } from '../helpers/components.js';

const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

const NAMES: Record<string, string> = { table: 'x', memory: 'y', global: 'z' };

/**
 * A component where a module importing `imported` (its kind named x, y or z) is given what a
 * module defining `defined` exports: through that module's instance, or a bag of its export.
 */
async function load(
  imported: string,
  defined: string,
  via: 'instance' | 'bag' = 'instance',
): Promise<string> {
  const kind = /^\((\w+)/.exec(imported)![1]!;
  const name = NAMES[kind]!;
  const exported = defined.replace(/^\((\w+)/, `($1 (export "${name}")`);
  const arg = via === 'instance' ? '(instance $i)' : `(instance (export "${name}" (${kind} $i "${name}")))`;
  const bytes = await parse(`(component
    (core module $d ${exported})
    (core module $u (import "" "${name}" ${imported}))
    (core instance $i (instantiate $d))
    (core instance (instantiate $u (with "" ${arg}))))`);
  return loadOutcome(kernel, bytes);
}

it.each([
  ['(global i32)', '(global i64 (i64.const 0))', /expects \(global i32\), given \(global i64\)/],
  [
    '(global i32)',
    '(global (mut i32) (i32.const 0))',
    /expects \(global i32\), given \(global \(mut i32\)\)/,
  ],
  ['(global (mut f32))', '(global f32 (f32.const 0))', /given \(global f32\)/],
  ['(table 1 funcref)', '(table 2 externref)', /expects \(table 1 funcref\), given \(table 2 externref\)/],
  ['(table 2 funcref)', '(table 1 funcref)', /given \(table 1 funcref\)/],
  ['(table 1 2 funcref)', '(table 1 funcref)', /given \(table 1 funcref\)/],
  ['(table 1 2 funcref)', '(table 1 3 funcref)', /given \(table 1 3 funcref\)/],
  ['(memory 1)', '(memory 0)', /expects \(memory 1\), given \(memory 0\)/],
  ['(memory 1 2)', '(memory 1)', /given \(memory 1\)/],
  ['(memory 1 2)', '(memory 1 3)', /given \(memory 1 3\)/],
  ['(memory 1 2 shared)', '(memory 1 2)', /expects \(memory 1 2 shared\), given \(memory 1 2\)/],
])('refuses an import %s given %s', async (imported, defined, message) => {
  for (const via of ['instance', 'bag'] as const) {
    const got = await load(imported, defined, via);
    expect(got).toMatch(/^invalid-module: /);
    expect(got).toMatch(message);
  }
});

it.each([
  ['(global i32)', '(global i32 (i32.const 0))'],
  ['(global (mut i64))', '(global (mut i64) (i64.const 0))'],
  ['(global v128)', '(global v128 (v128.const i32x4 1 2 3 4))'],
  ['(table 1 funcref)', '(table 3 funcref)'],
  ['(table 1 4 funcref)', '(table 2 3 funcref)'],
  ['(memory 1)', '(memory 2 5)'],
  ['(memory 0 2)', '(memory 1 1)'],
  ['(memory 1 2 shared)', '(memory 1 2 shared)'],
])('loads an import %s given %s', async (imported, defined) => {
  expect(await load(imported, defined)).toBe('loaded');
  expect(await load(imported, defined, 'bag')).toBe('loaded');
});

it.each([
  ['(global i64)', 'loaded'],
  ['(global i32)', /given \(global i64\)/],
])(
  'a global defined after others of every initializer V8 takes is typed: an import %s',
  async (imported, want) => {
    const bytes = await parse(`(component
    (core module $d
      (import "" "g" (global $g f64))
      (func $f)
      (global funcref (ref.func $f))
      (global externref (ref.null extern))
      (global v128 (v128.const i64x2 1 2))
      (global f32 (f32.const 1.5))
      (global f64 (global.get $g))
      (global (export "z") i64 (i64.const -7)))
    (core module $g (global (export "g") f64 (f64.const 0)))
    (core instance $gi (instantiate $g))
    (core module $u (import "" "z" ${imported}))
    (core instance $i (instantiate $d (with "" (instance $gi))))
    (core instance (instantiate $u (with "" (instance $i)))))`);
    let got = 'loaded';
    try {
      await kernel.load(bytes);
    } catch (error) {
      if (!isKeelError(error)) throw error;
      got = `${error.code}: ${error.message}`;
    }
    if (typeof want === 'string') expect(got).toBe(want);
    else expect(got).toMatch(want);
  },
);
