/**
 * Attack: hand the host long strings that are not ASCII (valid UTF-8: CJK, Greek, U+0130) on
 * every call. ASCII is a one-byte copy; anything else goes through Node 20's fatal UTF-8 decoder,
 * which makes a two-byte string at 4-11 ns a byte (18-27 ns for a whole 300 KB string: one of
 * V8's large objects per call). Priced as bytes (2 fuel each) like ASCII, such strings cost the
 * host 21-174x compute per unit of fuel (redteam11, load 10-26). Now a decoded byte pays
 * DECODED_BYTE_WEIGHT more and long strings are decoded in pieces (DECODE_PIECE): about 1-4x.
 */
import { expect, it } from 'vitest';
import { DECODED_BYTE_WEIGHT } from '../../../host/abi/strings.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const WIT = `package test:hostile;
world non-ascii-string-underpriced {
  import wasi:http/types@0.2.3;
  /// fields.has of the len bytes at 65536, n times, on empty fields: "a" each (cjk 0), or
  /// U+4E00 in UTF-8 (cjk 1, len a multiple of 3).
  export ask: func(n: u32, len: u32, cjk: u32) -> u32;
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
  (func (export "ask") (param $n i32) (param $len i32) (param $cjk i32) (result i32)
    (local $f i32) (local $i i32) (local $has i32) (local $p i32)
    (local.set $f (call $fields))
    (if (local.get $cjk)
      (then
        (local.set $p (i32.const 65536))
        (block $filled (loop $fill
          (br_if $filled (i32.ge_u (local.get $p) (i32.add (i32.const 65536) (local.get $len))))
          (i32.store8 (local.get $p) (i32.const 0xe4))
          (i32.store8 offset=1 (local.get $p) (i32.const 0xb8))
          (i32.store8 offset=2 (local.get $p) (i32.const 0x80))
          (local.set $p (i32.add (local.get $p) (i32.const 3)))
          (br $fill))))
      (else (memory.fill (i32.const 65536) (i32.const 97) (local.get $len))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $has (i32.or (local.get $has) (call $has (local.get $f) (i32.const 65536) (local.get $len))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $has)))`;

async function withSandbox(
  run: (ask: (n: number, len: number, cjk: number) => { ns: number; fuel: number }) => void,
) {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'non-ascii-string-underpriced'));
    const sandbox = await kernel.spawn(module, { grants: ['wasi:http/types'] });
    run((n, len, cjk) => {
      const started = performance.now();
      const { value, fuel } = sandbox.invokeSync('ask', [n, len, cjk]);
      const ns = (performance.now() - started) * 1e6;
      expect(value).toBe(0);
      return { ns, fuel: fuel.used };
    });
  } finally {
    await kernel.close();
  }
}

it('a decoded byte is charged beyond the bytes admitted, before the decoder runs', async () => {
  await withSandbox((ask) => {
    const len = 30_000;
    const ascii = ask(10, len, 0).fuel;
    const cjk = ask(10, len, 1).fuel;
    // The guest's fill loop costs fuel too: the difference is at least the decode's price.
    expect(cjk - ascii).toBeGreaterThanOrEqual(10 * len * DECODED_BYTE_WEIGHT * DEFAULT_HOST_COSTS.byte);
  });
});

it('a non-ASCII string lifted per call costs the host per unit of fuel about what ASCII does', async () => {
  await withSandbox((ask) => {
    const best = {
      ascii: Number.POSITIVE_INFINITY,
      cjk: Number.POSITIVE_INFINITY,
      longCjk: Number.POSITIVE_INFINITY,
    };
    const perFuel = (n: number, len: number, cjk: number) => {
      const { ns, fuel } = ask(n, len, cjk);
      return ns / fuel;
    };
    // About 8-16 MB a sample each.
    for (let round = 0; round < 6; round++) {
      best.ascii = Math.min(best.ascii, perFuel(256, 60_000, 0));
      best.cjk = Math.min(best.cjk, perFuel(256, 30_000, 1));
      best.longCjk = Math.min(best.longCjk, perFuel(8, 990_000, 1));
    }
    // Before: 21-174x compute per unit of fuel where ASCII is about 1x; now 1-4x.
    expect(best.cjk / best.ascii).toBeLessThan(10);
    expect(best.longCjk / best.ascii).toBeLessThan(10);
  });
}, 60_000);
