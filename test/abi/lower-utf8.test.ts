/**
 * Lowering UTF-8 strings past the short-ASCII loop (over 64 characters, or not ASCII): the exact
 * UTF-8 length asked of realloc, then the string written straight into the guest's memory
 * (host/abi/strings.ts: the one-byte write for ASCII, the UTF-8 write for the rest), a lone
 * surrogate as U+FFFD (ef bf bd). A Latin-1 string (one byte a character in V8, 0x80-0xff
 * included) is not ASCII: its characters past 0x7f are two bytes each.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { hostileComponent } from '../hostile/abi/support.js';

const FIELDS = `
(global $size (mut i32) (i32.const -1))
;; One argument at a time: every allocation at 1024; the size asked for is kept for size().
(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
  (if (i32.gt_u (local.get 3) (i32.const 60000)) (then unreachable))
  (global.set $size (local.get 3))
  (i32.const 1024))
(func (export "echo") (param i32 i32) (result i32) (i32.store (i32.const 16) (local.get 0)) (i32.store (i32.const 20) (local.get 1)) (i32.const 16))
(func (export "bytes") (param i32 i32) (result i32) (i32.store (i32.const 16) (local.get 0)) (i32.store (i32.const 20) (local.get 1)) (i32.const 16))
(func (export "size") (result i32) (global.get $size))
`;

const WORLD = `world w {
  export echo: func(s: string) -> string;
  export bytes: func(s: string) -> list<u8>;
  export size: func() -> s32;
}`;

const latin1 = Array.from({ length: 128 }, (_, i) => String.fromCharCode(0x80 + i)).join('');

const STRINGS: Record<string, string> = {
  'ASCII, 0x00 and 0x7f included, past 64 characters': `\u0000${'k'.repeat(70)}\u007f`,
  'ASCII of 1 KiB': 'k'.repeat(1024),
  'one non-ASCII character': 'é',
  'two-, three- and four-byte characters, past 64 characters': 'aé€😀中'.repeat(30),
  'Latin-1 past 0x7f, one byte a character in V8': latin1 + 'a'.repeat(10),
  'lone surrogates, high and low, first and last': `\ud800${'x'.repeat(70)}\udc00a\udbff`,
  'a surrogate pair split by the end of a short prefix': `${'y'.repeat(63)}😀`,
};

it('lowers long and non-ASCII UTF-8 strings with the exact size asked of realloc, byte for byte', async () => {
  const kernel = new Kernel();
  try {
    const module = await kernel.load(await hostileComponent(FIELDS, WORLD), { name: 'lower-utf8' });
    const sandbox = await kernel.spawn(module);
    const echo = sandbox.fn<(s: string) => string>('echo');
    const bytes = sandbox.fn<(s: string) => Uint8Array>('bytes');
    const size = sandbox.fn<() => number>('size');
    for (const [what, s] of Object.entries(STRINGS)) {
      const encoded = new TextEncoder().encode(s);
      // What the guest must read: the string with its lone surrogates as U+FFFD.
      const wellFormed = new TextDecoder().decode(encoded);
      expect(echo(s), what).toBe(wellFormed);
      expect(size(), what).toBe(encoded.length);
      expect(Array.from(bytes(s)), what).toEqual(Array.from(encoded));
      expect((await sandbox.invoke('echo', [s])).value, what).toBe(wellFormed);
    }
    // The lone surrogates' bytes: U+FFFD each.
    const lone = Array.from(bytes('\ud800a\udc00'));
    expect(lone).toEqual([0xef, 0xbf, 0xbd, 0x61, 0xef, 0xbf, 0xbd]);
    expect(sandbox.state).toBe('ready');
  } finally {
    await kernel.close();
  }
});
