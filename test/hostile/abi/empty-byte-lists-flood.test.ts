/**
 * Attack: hand the host thousands of empty byte lists in one call (`fields.from-list` with
 * 4,000 entries whose values are empty: no grant needed), again and again. Each list lifted was
 * copied by `ArrayBuffer#slice`, a backing store outside V8's heap per list (1.6 us for 16 bytes
 * at load 20), and V8 makes even an empty typed array one (650-800 ns); each is counted at the
 * heap bytes a list takes (168: 336 fuel). The call cost the host 145-260x compute per unit of
 * fuel. Now a byte list is copied by `Uint8Array#slice` (on V8's heap when small) and an empty
 * list is a view of one empty buffer: about 4x. Measured against a compute loop's cost per unit
 * of fuel in the same process, interleaved, the best of six rounds each.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { fieldsWorld, HTTP_TYPES as HTTP } from '../../helpers/wasi-http-fields.js';

const WIT = fieldsWorld(
  'empty-byte-lists-flood',
  [
    '/// fields.from-list of count entries named "a" with empty values, n times; returns 1 (refused: too many).',
    'export flood: func(n: u32, count: u32) -> u32;',
  ],
  ['from-list: static func(entries: list<tuple<field-name, field-value>>) -> result<fields, header-error>;'],
);

const WAT = `(module
  (import "${HTTP}" "[static]fields.from-list" (func $from (param i32 i32 i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "a")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "flood") (param $n i32) (param $count i32) (result i32) (local $i i32) (local $p i32)
    (local.set $p (i32.const 65536))
    (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $count)))
      (i32.store (local.get $p) (i32.const 16))
      (i32.store offset=4 (local.get $p) (i32.const 1))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.set $i (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $from (i32.const 65536) (local.get $count) (i32.const 32))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.load8_u (i32.const 32))))`;

it('empty byte lists flood: thousands of empty lists in one call cost the host near their fuel', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const flood = await kernel.spawn(
      await kernel.load(await componentFromWat(WAT, WIT, 'empty-byte-lists-flood')),
      { grants: ['wasi:http/types'] },
    );
    const ratio = await spinRatios(kernel, {
      lists: () => nsPerFuel(() => flood.invokeSync('flood', [40, 4000])),
    });
    // Refused (more than the 64 fields a grant's default holds), after every list was lifted.
    expect(flood.invokeSync('flood', [1, 4000]).value).toBe(1);
    // Before: 145-260x; now about 4x (docs/fuel.md's bound is 10x: 20x leaves the load room).
    expect(ratio.lists).toBeLessThan(20);
  } finally {
    await kernel.close();
  }
}, 60_000);
