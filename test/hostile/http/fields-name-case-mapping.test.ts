/**
 * Attack: `fields.has` and `fields.get` with a name of a megabyte of non-ASCII text (U+0130,
 * whose lower case is two code units), again and again. The host lower-cased every name it was
 * asked about before comparing it with the fields' own: Unicode case mapping of a guest's text,
 * 5-30 ns a byte on the project's machine, priced as the byte it crossed at (the call's bytes,
 * 2 fuel each): `has` of 1 MB of U+0130 cost the host 74-750x compute per unit of fuel. No grant
 * is needed (wasi:http/types links without one). A field's name is a token held in lower case, so
 * a name that is not a token, or is longer than all the fields' bytes, is none of them: it is
 * answered without being case-mapped.
 */
import { afterEach, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { fieldsWorld, HTTP_TYPES as HTTP } from '../../helpers/wasi-http-fields.js';

const WIT = fieldsWorld(
  'fields-name-case-mapping',
  [
    '/// Fields holding "x-a: v"; has(name) and get(name) of the len bytes at 65536, n times each;',
    "/// returns has's last answer plus 2 times the count of get's last values.",
    'export ask: func(n: u32, len: u32) -> u32;',
  ],
  [
    'constructor();',
    'has: func(name: field-name) -> bool;',
    'get: func(name: field-name) -> list<field-value>;',
    'append: func(name: field-name, value: field-value) -> result<_, header-error>;',
  ],
);

/** `İ` (U+0130) in UTF-8. */
const DOTTED_I = '\\c4\\b0';
const wat = (text: string) => `(module
  (import "${HTTP}" "[constructor]fields" (func $fields (result i32)))
  (import "${HTTP}" "[method]fields.has" (func $has (param i32 i32 i32) (result i32)))
  (import "${HTTP}" "[method]fields.get" (func $get (param i32 i32 i32 i32)))
  (import "${HTTP}" "[method]fields.append" (func $append (param i32 i32 i32 i32 i32 i32)))
  (memory (export "memory") 32)
  (data (i32.const 16) "x-a")
  (data (i32.const 32) "v")
  (data (i32.const 65536) "${text}")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "ask") (param $n i32) (param $len i32) (result i32) (local $f i32) (local $i i32) (local $has i32)
    (local.set $f (call $fields))
    (call $append (local.get $f) (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 1) (i32.const 48))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $has (call $has (local.get $f) (i32.const 65536) (local.get $len)))
      (call $get (local.get $f) (i32.const 65536) (local.get $len) (i32.const 64))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.add (local.get $has) (i32.shl (i32.load (i32.const 68)) (i32.const 1)))))`;

const lower = String.prototype.toLowerCase;
afterEach(() => {
  String.prototype.toLowerCase = lower;
});

it('fields name case mapping: has and get of 200 KB of U+0130 never case-map it', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const len = 2 * 100_000;
    const module = await kernel.load(
      await componentFromWat(wat(DOTTED_I.repeat(len / 2)), WIT, 'fields-name-case-mapping'),
    );
    const sandbox = await kernel.spawn(module, { grants: ['wasi:http/types'] });
    // The host's case mapping of long strings, counted while the guest asks.
    let mapped = 0;
    String.prototype.toLowerCase = function (this: string) {
      if (this.length > 1000) mapped += this.length;
      return lower.call(this);
    };
    const result = sandbox.invokeSync('ask', [5, len]);
    String.prototype.toLowerCase = lower;
    // Neither has it nor gets anything for it, and never lower-cased it (before: 1 MB mapped).
    expect(result.value).toBe(0);
    expect(mapped).toBe(0);
  } finally {
    String.prototype.toLowerCase = lower;
    await kernel.close();
  }
});

it('fields name case mapping: a name in another case still finds its field', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const module = await kernel.load(await componentFromWat(wat('X-A'), WIT, 'fields-name-case-mapping'));
    const sandbox = await kernel.spawn(module, { grants: ['wasi:http/types'] });
    // has: 1, get: one value (2 x 1).
    expect(sandbox.invokeSync('ask', [3, 3]).value).toBe(3);
    // A name longer than all the fields' bytes ("X-A" and a letter) is none of them.
    const longer = await kernel.load(await componentFromWat(wat('X-AB'), WIT, 'fields-name-case-mapping'));
    const other = await kernel.spawn(longer, { grants: ['wasi:http/types'] });
    expect(other.invokeSync('ask', [3, 4]).value).toBe(0);
  } finally {
    await kernel.close();
  }
});
