/**
 * Attack: a callee component's realloc lies to the adapter that passes it another component's
 * string (host/abi/strings.ts, `lowerCarried`: definitions.py's realloc sequence). The guess
 * fits, then the worst case (or the shrink) comes back past the end of memory, misaligned, or at
 * 0xfffffff0; huge code-unit counts from the caller. Must: a `trap` naming realloc or the range
 * (checked before the host writes a byte), never a host error, and the kernel carries on.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { type Encoding, stringCaller, utf16 } from '../../helpers/adapter-strings.js';

/**
 * The callee's realloc: bump-allocates from 4096 (copying what it moves), except that its call
 * number `lie` (0 first) answers `answer`.
 */
function component(
  src: Encoding,
  dst: Encoding,
  bytes: Uint8Array,
  tagged: number,
  lie: number,
  answer: number,
) {
  return `(component
  (component $callee
    (core module $m
      (memory (export "memory") 1)
      (global $heap (mut i32) (i32.const 4096))
      (global $calls (mut i32) (i32.const 0))
      (func (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
        (local $ptr i32)
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (if (i32.eq (global.get $calls) (i32.const ${lie + 1})) (then (return (i32.const ${answer | 0}))))
        (local.set $ptr (i32.and
          (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
        (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
        (if (local.get $old) (then
          (memory.copy (local.get $ptr) (local.get $old)
            (select (local.get $old_size) (local.get $size) (i32.lt_u (local.get $old_size) (local.get $size))))))
        (local.get $ptr))
      (func (export "take") (param i32 i32)))
    (core instance $m (instantiate $m))
    (func (export "take") (param "s" string)
      (canon lift (core func $m "take") (memory $m "memory") (realloc (func $m "realloc")) string-encoding=${dst}))
  )
  ${stringCaller(src, bytes, tagged)}
  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "take" (func $callee "take"))))
  (export "run" (func $caller "run"))
)`;
}

const enc = new TextEncoder();
// [what, source encoding, callee's encoding, bytes, tagged units, which call lies, its answer, the message]
const CASES: [string, Encoding, Encoding, Uint8Array, number, number, number, RegExp][] = [
  // utf16 -> utf8 'aΣb': realloc(0,0,1,3), realloc(p,3,1,9), realloc(p,9,1,4).
  ['worst case past the end', 'utf16', 'utf8', utf16('a\u03a3b'), 3, 1, 65536 - 4, /past the end of memory/],
  ['shrink past the end', 'utf16', 'utf8', utf16('a\u03a3b'), 3, 2, 65535, /past the end of memory/],
  ['guess at 0xfffffff0', 'utf16', 'utf8', utf16('a\u03a3b'), 3, 0, 0xfffffff0, /past the end of memory/],
  // utf8 -> latin1+utf16 'aΣ' (3 bytes): realloc(0,0,2,3), realloc(p,3,2,6), realloc(p,6,2,4).
  ['worst case misaligned', 'utf8', 'latin1+utf16', enc.encode('a\u03a3'), 3, 1, 4097, /not aligned/],
  ['shrink misaligned', 'utf8', 'latin1+utf16', enc.encode('a\u03a3'), 3, 2, 4099, /not aligned/],
  [
    'guess past the end',
    'utf8',
    'latin1+utf16',
    enc.encode('a\u03a3'),
    3,
    0,
    65534,
    /past the end of memory/,
  ],
  // utf8 -> utf16 'é' (2 bytes): realloc(0,0,2,4) then the shrink realloc(p,4,2,2).
  ['utf16 shrink past the end', 'utf8', 'utf16', enc.encode('\u00e9'), 2, 1, 65535, /aligned|past the end/],
  // latin1+utf16 as UTF-16 'ab' -> latin1+utf16: realloc(0,0,2,4), the Latin-1 shrink realloc(p,4,1,2).
  [
    'latin1 shrink past the end',
    'latin1+utf16',
    'latin1+utf16',
    utf16('ab'),
    0x8000_0002,
    1,
    65535,
    /past the end/,
  ],
  // Huge code-unit counts from the caller: refused when lifted, before any realloc.
  ['utf16 units of 2^31 - 1', 'utf16', 'utf8', utf16('a'), 0x7fff_ffff, 9, 0, /./],
  ['latin1+utf16 tagged units of 2^31 - 1', 'latin1+utf16', 'utf8', utf16('a'), 0xffff_ffff, 9, 0, /./],
  ['utf8 units of 2^32 - 1', 'utf8', 'utf16', enc.encode('a'), 0xffff_ffff, 9, 0, /./],
];

it('a callee realloc that lies to an adapter carrying a string traps before the host writes', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    for (const [what, src, dst, bytes, tagged, lie, answer, message] of CASES) {
      const sandbox = await kernel.spawn(
        await kernel.load(await parse(component(src, dst, bytes, tagged, lie, answer))),
      );
      const error = await sandbox.invoke('run', []).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message: string },
      );
      expect(error, what).toBeDefined();
      expect(error!.code, `${what}: ${error!.message}`).toBe('trap');
      expect(error!.message, what).toMatch(message);
      sandbox.terminate();
    }
    // The kernel carries on: an honest string passes.
    const sandbox = await kernel.spawn(
      await kernel.load(await parse(component('utf16', 'utf8', utf16('a\u03a3b'), 3, 99, 0))),
    );
    await sandbox.invoke('run', []);
    sandbox.terminate();
  } finally {
    await kernel.close();
  }
}, 60_000);
