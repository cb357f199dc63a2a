/**
 * Long one-byte strings (ASCII UTF-8, latin1) are joined from pieces of `ONE_BYTE_PIECE` bytes
 * (host/abi/strings.ts): Node makes a longer single copy an external string, outside V8's heap
 * and a worker's heap limit (test/hostile/isolate/worker-heap-exhaustion). Each length around a
 * piece's edge lifts byte for byte.
 */
import { expect, it } from 'vitest';
import { ONE_BYTE_PIECE } from '../../host/abi/strings.js';
import { Kernel } from '../../host/index.js';
import { hostileComponent } from '../hostile/abi/support.js';

const AT = 65536;
/** `make(n)`: n bytes at 64 KiB, byte i being 32 + i % 95 (printable ASCII), as a string. */
const FIELDS = `(func (export "make") (param $n i32) (result i32) (local $i i32)
  (if (i32.lt_u (memory.size) (i32.const 32)) (then (drop (memory.grow (i32.const 31)))))
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
    (i32.store8 (i32.add (i32.const ${AT}) (local.get $i))
      (i32.add (i32.const 32) (i32.rem_u (local.get $i) (i32.const 95))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $next)))
  (i32.store (i32.const 16) (i32.const ${AT})) (i32.store (i32.const 20) (local.get $n)) (i32.const 16))`;

function expected(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(32 + (i % 95));
  return s;
}

for (const encoding of ['utf8', 'compact-utf16'] as const) {
  it(`lifts ${encoding} one-byte strings across the pieces' edges byte for byte`, async () => {
    expect(ONE_BYTE_PIECE).toBeLessThan(0xfbee9); // below Node's external-string size
    const kernel = new Kernel();
    try {
      const component = await hostileComponent(
        FIELDS,
        'world w { export make: func(n: u32) -> string; }',
        encoding,
      );
      const module = await kernel.load(component, { name: `pieces-${encoding}` });
      const sandbox = await kernel.spawn(module);
      const make = sandbox.fn<(n: number) => string>('make');
      for (const n of [ONE_BYTE_PIECE - 1, ONE_BYTE_PIECE, ONE_BYTE_PIECE + 1, 3 * ONE_BYTE_PIECE + 5]) {
        expect(make(n) === expected(n), `${n} bytes`).toBe(true);
      }
    } finally {
      await kernel.close();
    }
  });
}
