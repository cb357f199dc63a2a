/**
 * Attack: clone a full fields object (16 KiB, no grant needed) until the sandbox's held-bytes
 * budget (`maxHeldBytes`, 16 MiB) is spent. `clone` returns `fields`, no error case, so the
 * provider's refusal could only unwind the guest; it threw the host's stream error object (not
 * an Error), which ended the call as `internal`, the host's own code, at the guest's will.
 * Now it is `resource-limit` (the guest's fault, a limit), with the host alive and a neighbour
 * answering.
 */
import { describe, expect, it } from 'vitest';
import { KeelError, Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { PLACEMENTS } from '../../helpers/placements.js';
import { fieldsWorld, HTTP_TYPES as HTTP } from '../../helpers/wasi-http-fields.js';

const WIT = fieldsWorld(
  'fields-clone-past-held-cap',
  [
    '/// Makes fields of one value of len bytes, then clones it n times (keeping every clone); returns n.',
    'export flood: func(n: u32, len: u32) -> u32;',
  ],
  [
    'from-list: static func(entries: list<tuple<field-name, field-value>>) -> result<fields, header-error>;',
    'clone: func() -> fields;',
  ],
);

const WAT = `(module
  (import "${HTTP}" "[static]fields.from-list" (func $from (param i32 i32 i32)))
  (import "${HTTP}" "[method]fields.clone" (func $clone (param i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "a")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 4096))
  (func (export "flood") (param $n i32) (param $len i32) (result i32) (local $i i32) (local $f i32)
    (i32.store (i32.const 64) (i32.const 16))
    (i32.store (i32.const 68) (i32.const 1))
    (i32.store (i32.const 72) (i32.const 65536))
    (i32.store (i32.const 76) (local.get $len))
    (memory.fill (i32.const 65536) (i32.const 118) (local.get $len))
    (call $from (i32.const 64) (i32.const 1) (i32.const 32))
    (if (i32.load8_u (i32.const 32)) (then unreachable))
    (local.set $f (i32.load (i32.const 36)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (drop (call $clone (local.get $f)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $n)))`;

describe.each(PLACEMENTS)('%s', (placement) => {
  it('fields clone past held cap: the refusal is a limit, never internal', async () => {
    const kernel = new Kernel({ cacheDir: false, placement });
    try {
      const module = await kernel.load(await componentFromWat(WAT, WIT, 'fields-clone-past-held-cap'));
      const sandbox = await kernel.spawn(module, { grants: ['wasi:http/types'] });
      const neighbour = await kernel.spawn(module, { grants: ['wasi:http/types'] });
      // 16 MiB held in all: about 1,000 clones of 16,000 bytes fit, 2,000 do not.
      let failure: unknown;
      try {
        sandbox.invokeSync('flood', [2_000, 16_000]);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(KeelError);
      expect((failure as KeelError).code).toBe('resource-limit');
      expect(neighbour.invokeSync('flood', [10, 16_000]).value).toBe(10);
    } finally {
      await kernel.close();
    }
  }, 60_000);
});
