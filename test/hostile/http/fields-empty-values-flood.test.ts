/**
 * Attack: fields holding 64 empty values (the default cap: no grant needed, `from-list` of
 * 64 entries named "a"), handed back again and again by `get`, `entries` and `clone`. Each was
 * priced by its bytes only (`byte` each, 0 for an empty value), but the host makes an object
 * per value (a copy, a tuple) and lowers each as a list of its own (the guest's realloc called
 * per list): about 700 ns of host time per value at no fuel. Measured against a compute loop's
 * cost per unit of fuel in the same process, interleaved, the best of six rounds each.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { fieldsWorld, HTTP_TYPES as HTTP } from '../../helpers/wasi-http-fields.js';

const WIT = fieldsWorld(
  'fields-empty-values-flood',
  [
    '/// Makes fields of count empty values named "a", then does op (0 get, 1 entries, 2 clone) n times; returns the handle\'s count of values.',
    'export flood: func(op: u32, n: u32, count: u32) -> u32;',
  ],
  [
    'from-list: static func(entries: list<tuple<field-name, field-value>>) -> result<fields, header-error>;',
    'get: func(name: field-name) -> list<field-value>;',
    'entries: func() -> list<tuple<field-name, field-value>>;',
    'clone: func() -> fields;',
  ],
);

const WAT = `(module
  (import "${HTTP}" "[static]fields.from-list" (func $from (param i32 i32 i32)))
  (import "${HTTP}" "[method]fields.get" (func $get (param i32 i32 i32 i32)))
  (import "${HTTP}" "[method]fields.entries" (func $entries (param i32 i32)))
  (import "${HTTP}" "[method]fields.clone" (func $clone (param i32) (result i32)))
  (import "${HTTP}" "[resource-drop]fields" (func $drop (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "a")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 4096))
  (func (export "flood") (param $op i32) (param $n i32) (param $count i32) (result i32)
    (local $i i32) (local $p i32) (local $f i32)
    (local.set $p (i32.const 65536))
    (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $count)))
      (i32.store (local.get $p) (i32.const 16))
      (i32.store offset=4 (local.get $p) (i32.const 1))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (call $from (i32.const 65536) (local.get $count) (i32.const 32))
    (if (i32.load8_u (i32.const 32)) (then unreachable))
    (local.set $f (i32.load (i32.const 36)))
    (local.set $i (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.eqz (local.get $op))
        (then (call $get (local.get $f) (i32.const 16) (i32.const 1) (i32.const 48))))
      (if (i32.eq (local.get $op) (i32.const 1))
        (then (call $entries (local.get $f) (i32.const 48))))
      (if (i32.eq (local.get $op) (i32.const 2))
        (then (call $drop (call $clone (local.get $f)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $drop (local.get $f))
    (i32.load (i32.const 52))))`;

it('fields empty values flood: get, entries and clone of 64 empty values cost the host near their fuel', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const flood = await kernel.spawn(
      await kernel.load(await componentFromWat(WAT, WIT, 'fields-empty-values-flood')),
      { grants: ['wasi:http/types'] },
    );
    const ops = ['get', 'entries', 'clone'] as const;
    const ratios = await spinRatios(kernel, {
      get: () => nsPerFuel(() => flood.invokeSync('flood', [0, 2_000, 64])),
      entries: () => nsPerFuel(() => flood.invokeSync('flood', [1, 2_000, 64])),
      clone: () => nsPerFuel(() => flood.invokeSync('flood', [2, 2_000, 64])),
    });
    // Before: 180-300x (the copies alone 23-55x); now 1.7-4.4x (docs/fuel.md's bound is 10x:
    // 20x leaves the load room).
    for (const op of ops) expect(ratios[op], op).toBeLessThan(20);
  } finally {
    await kernel.close();
  }
}, 120_000);
