/**
 * Attack: hand the host a long ASCII string (a megabyte, within limits.hostArgBytes) on every
 * call. The host lifts it by one-byte copies of `ONE_BYTE_PIECE` bytes joined (7da14f2); pieces of
 * 256 KiB are each a large object for V8 (over 128 KiB): a fresh mapping of the process's memory,
 * faulted in page by page and unmapped at the next collection, per piece and per call. Priced as
 * bytes (2 fuel each) like a short string's, a megabyte cost the host 28-88x compute per unit of
 * fuel at load 15-26 where 60 KB cost 0.6-2x. Pieces of 64 KiB stay in V8's young generation:
 * 1.1-1.4x. Measured here against the same string at 60 KB, in one process, interleaved (the
 * call and the guest's loop are a sliver of either).
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const WIT = `package test:hostile;
world long-string-large-objects {
  import wasi:http/types@0.2.3;
  /// fields.has of the len bytes at 65536 ("a" each), n times, on empty fields.
  export ask: func(n: u32, len: u32) -> u32;
}
package wasi:http@0.2.3 { interface types {
  type field-key = string;
  type field-name = field-key;
  resource fields {
    constructor();
    has: func(name: field-name) -> bool;
  }
} }
`;

const HTTP = 'wasi:http/types@0.2.3';
const WAT = `(module
  (import "${HTTP}" "[constructor]fields" (func $fields (result i32)))
  (import "${HTTP}" "[method]fields.has" (func $has (param i32 i32 i32) (result i32)))
  (memory (export "memory") 17)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "ask") (param $n i32) (param $len i32) (result i32) (local $f i32) (local $i i32) (local $has i32)
    (local.set $f (call $fields))
    (memory.fill (i32.const 65536) (i32.const 97) (local.get $len))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $has (i32.or (local.get $has) (call $has (local.get $f) (i32.const 65536) (local.get $len))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $has)))`;

it('a megabyte string lifted per call costs the host per unit of fuel what 60 KB does', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'long-string-large-objects'));
    const sandbox = await kernel.spawn(module, { grants: ['wasi:http/types'] });
    const best = { short: Number.POSITIVE_INFINITY, long: Number.POSITIVE_INFINITY };
    const perFuel = (n: number, len: number) => {
      const started = performance.now();
      const { value, fuel } = sandbox.invokeSync('ask', [n, len]);
      const ns = (performance.now() - started) * 1e6;
      expect(value).toBe(0);
      return ns / fuel.used;
    };
    // About 16 MB a sample either way.
    for (let round = 0; round < 6; round++) {
      best.short = Math.min(best.short, perFuel(256, 60_000));
      best.long = Math.min(best.long, perFuel(16, 990_000));
    }
    // Before: 28-88x (the pieces' mappings); now about 1x.
    expect(best.long / best.short).toBeLessThan(4);
  } finally {
    await kernel.close();
  }
}, 60_000);
