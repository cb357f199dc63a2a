/**
 * Lifting UTF-8 strings past the short-string loop (over 32 bytes): ASCII is made by Node's
 * one-byte copy from the guest's memory (host/abi/strings.ts), anything else by the fatal
 * decoder, so a BOM is kept, a non-ASCII byte anywhere (the last one included) is decoded, and
 * invalid UTF-8 is still a trap.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { Kernel } from '../../host/index.js';
import { hostileComponent, returnsPair } from '../hostile/abi/support.js';

/** Each export returns its bytes from a data segment of its own. */
const STRINGS: Record<string, string> = {
  // Every ASCII byte, 0x00 and 0x7f included, then 'k' up to 1 KiB.
  ascii: Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('') + 'k'.repeat(896),
  // 63 ASCII bytes, then é (c3 a9): the only non-ASCII bytes are the last two.
  tail: `${'a'.repeat(63)}é`,
  // A BOM (ef bb bf) first: the decoder keeps it (ignoreBOM).
  bom: `\ufeff${'b'.repeat(40)}`,
};

function watBytes(s: string): { text: string; length: number } {
  const bytes = new TextEncoder().encode(s);
  return {
    text: Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, '0')}`).join(''),
    length: bytes.length,
  };
}

async function component(): Promise<Uint8Array> {
  let fields = '';
  let at = 4096;
  const segment = (text: string, length: number, name: string) => {
    fields += `(data (i32.const ${at}) "${text}")\n(func (export "${name}") (result i32) ${returnsPair(at, length)})\n`;
    at += length + 16;
  };
  for (const [name, s] of Object.entries(STRINGS)) {
    const { text, length } = watBytes(s);
    segment(text, length, name);
  }
  // 40 ASCII bytes, then ff: not UTF-8.
  segment(`${'c'.repeat(40)}\\ff`, 41, 'bad');
  // 40 ASCII bytes, then c3 with nothing after it: a truncated sequence.
  segment(`${'d'.repeat(40)}\\c3`, 41, 'cut');
  const world = `world w {\n${[...Object.keys(STRINGS), 'bad', 'cut'].map((n) => `  export ${n}: func() -> string;`).join('\n')}\n}`;
  return hostileComponent(fields, world);
}

afterEach(() => {
  vi.restoreAllMocks();
});

it('lifts long strings as the fatal decoder does: ASCII, a non-ASCII tail, a BOM kept, invalid UTF-8 a trap', async () => {
  const kernel = new Kernel();
  try {
    const module = await kernel.load(await component(), { name: 'lift-utf8' });
    for (const [name, s] of Object.entries(STRINGS)) {
      const sandbox = await kernel.spawn(module);
      expect(sandbox.fn(name)()).toBe(s);
      expect((await sandbox.invoke(name)).value).toBe(s);
    }
    for (const name of ['bad', 'cut']) {
      const sandbox = await kernel.spawn(module);
      expect(() => sandbox.fn(name)()).toThrow(/is not valid UTF-8/);
      expect(sandbox.state).toBe('poisoned');
    }
  } finally {
    await kernel.close();
  }
});

it('lifts a long ASCII string without the decoder, and anything else with it', async () => {
  const kernel = new Kernel();
  try {
    const module = await kernel.load(await component(), { name: 'lift-utf8' });
    const sandbox = await kernel.spawn(module);
    const decode = vi.spyOn(TextDecoder.prototype, 'decode');
    expect(sandbox.fn('ascii')()).toBe(STRINGS.ascii);
    expect(decode).not.toHaveBeenCalled();
    expect(sandbox.fn('tail')()).toBe(STRINGS.tail);
    expect(decode).toHaveBeenCalledTimes(1);
  } finally {
    await kernel.close();
  }
});
