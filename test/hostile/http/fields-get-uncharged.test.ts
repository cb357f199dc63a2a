/**
 * Attack: `fields.get` of a 16 KiB header value, again and again. The host copies the value and
 * lowers it into the guest on every call, priced as the call alone: `entries` and `clone` charge
 * the bytes they hand back (`byte` each), `get` did not. No grant is needed: wasi:http/types
 * links without one. Now `get` charges its bytes as `entries` does, before copying them.
 */
import { expect, it } from 'vitest';
import { LOWERED_ALLOC_BYTES, LOWERED_ELEMENT_BYTES } from '../../../host/abi/context.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import { FIELD_SCAN_BYTES } from '../../../host/caps/wasi-http.js';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { fieldsWorld, HTTP_TYPES as HTTP } from '../../helpers/wasi-http-fields.js';

const WIT = fieldsWorld(
  'fields-get-uncharged',
  [
    '/// Makes fields with one value of len bytes under "x", then gets it n times; returns the last length.',
    'export flood: func(n: u32, len: u32) -> u32;',
  ],
  [
    'constructor();',
    'get: func(name: field-name) -> list<field-value>;',
    'append: func(name: field-name, value: field-value) -> result<_, header-error>;',
  ],
);

const WAT = `(module
  (import "${HTTP}" "[constructor]fields" (func $fields (result i32)))
  (import "${HTTP}" "[method]fields.get" (func $get (param i32 i32 i32 i32)))
  (import "${HTTP}" "[method]fields.append" (func $append (param i32 i32 i32 i32 i32 i32)))
  (import "${HTTP}" "[resource-drop]fields" (func $drop (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "x")
  ;; Each lowering lands in the same places: the outer list at 1024, a value at 65536.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (select (i32.const 1024) (i32.const 65536) (i32.le_u (local.get 3) (i32.const 64))))
  (func (export "flood") (param $n i32) (param $len i32) (result i32) (local $f i32) (local $i i32)
    (local.set $f (call $fields))
    (memory.fill (i32.const 65536) (i32.const 97) (local.get $len))
    (call $append (local.get $f) (i32.const 16) (i32.const 1) (i32.const 65536) (local.get $len) (i32.const 32))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $get (local.get $f) (i32.const 16) (i32.const 1) (i32.const 48))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $drop (local.get $f))
    ;; The length of the one value got.
    (i32.load (i32.const 1028))))`;

it('fields get uncharged: each get of a 16 KiB value is charged its bytes, as entries is', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'fields-get-uncharged'));
    const sandbox = await kernel.spawn(module, { grants: ['wasi:http/types'] });
    // The largest value one fields object holds by default (16 KiB of names and values).
    const len = 16 * 1024 - 1;
    const none = sandbox.invokeSync('flood', [0, len]);
    const some = sandbox.invokeSync('flood', [100, len]);
    expect(some.value).toBe(len);
    const perGet = (some.fuel.used - none.fuel.used) / 100;
    // The call, the bytes copied, the one entry walked (fields-scan-many-headers), and the
    // canonical ABI's lowering: the outer list (an allocation, 8 bytes, one element) and the value
    // (an allocation and its bytes; result-lowering-unpriced).
    const lowering = 2 * LOWERED_ALLOC_BYTES + 8 + LOWERED_ELEMENT_BYTES + len;
    const price = DEFAULT_HOST_COSTS.call + (len + FIELD_SCAN_BYTES + lowering) * DEFAULT_HOST_COSTS.byte;
    expect(perGet).toBeGreaterThanOrEqual(price);
    // Nothing else of note (the guest loop costs a few units a turn).
    expect(perGet).toBeLessThan(price + 1_000);
  } finally {
    await kernel.close();
  }
});
