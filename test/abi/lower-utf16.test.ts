/**
 * Lowering strings into components of the two other encodings: utf16 (two bytes a code unit,
 * Node's `ucs2Write` on the guest's memory) and latin1+utf16 (one byte a character when every
 * character is at most U+00FF, `latin1Write`; else utf16, the length tagged), a lone surrogate
 * as U+FFFD. Each string goes in and comes back through the component, read by the fatal
 * decoder; realloc is asked for the exact size.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { hostileComponent, type StringEncoding } from '../hostile/abi/support.js';

const FIELDS = `
(global $size (mut i32) (i32.const -1))
;; One argument at a time: every allocation at 1024; the size asked for is kept for size().
(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
  (if (i32.gt_u (local.get 3) (i32.const 60000)) (then unreachable))
  (global.set $size (local.get 3))
  (i32.const 1024))
(func (export "echo") (param i32 i32) (result i32)
  (i32.store (i32.const 16) (local.get 0)) (i32.store (i32.const 20) (local.get 1)) (i32.const 16))
(func (export "size") (result i32) (global.get $size))
`;

const WORLD = `world w {
  export echo: func(s: string) -> string;
  export size: func() -> s32;
}`;

const latin1 = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

const STRINGS: Record<string, string> = {
  'ASCII of 1 KiB': 'k'.repeat(1024),
  'every Latin-1 character': latin1,
  'one character past U+00FF after Latin-1': `${latin1}Ā`,
  'BMP and astral characters': 'a€中😀é'.repeat(40),
  'lone surrogates, high and low, first and last': `\ud800${'x'.repeat(70)}\udc00a\udbff`,
};

function wellFormed(s: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(s));
}

for (const encoding of ['utf16', 'compact-utf16'] as StringEncoding[]) {
  it(`lowers strings into a ${encoding} component with the exact size asked of realloc, code unit for code unit`, async () => {
    const kernel = new Kernel();
    try {
      const module = await kernel.load(await hostileComponent(FIELDS, WORLD, encoding), {
        name: 'lower-utf16',
      });
      const sandbox = await kernel.spawn(module);
      const echo = sandbox.fn<(s: string) => string>('echo');
      const size = sandbox.fn<() => number>('size');
      for (const [what, s] of Object.entries(STRINGS)) {
        const expected = wellFormed(s);
        expect(echo(s), what).toBe(expected);
        const oneByte = encoding === 'compact-utf16' && !/[^\u0000-\u00ff]/.test(s);
        expect(size(), what).toBe(oneByte ? s.length : s.length * 2);
        expect((await sandbox.invoke('echo', [s])).value, what).toBe(expected);
      }
      expect(sandbox.state).toBe('ready');
    } finally {
      await kernel.close();
    }
  });
}
