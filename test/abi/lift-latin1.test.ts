/**
 * Lifting latin1 strings (a component whose string encoding is latin1+utf16): each byte is its
 * code unit, 0x80-0xff included, made by Node's one-byte copy from the guest's memory
 * (host/abi/strings.ts), across the lengths the old 4096-byte chunks split.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { Kernel } from '../../host/index.js';
import { hostileComponent, returnsPair } from '../hostile/abi/support.js';

const every = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
/** Each export returns its latin1 bytes from a data segment of its own. */
const STRINGS: Record<string, string> = {
  short: 'é\u00ffa',
  every,
  long: every.repeat(20).slice(0, 5000),
};

async function component(): Promise<Uint8Array> {
  let fields = '';
  let at = 4096;
  for (const [name, s] of Object.entries(STRINGS)) {
    const text = Array.from(s, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    fields += `(data (i32.const ${at}) "${text}")\n(func (export "${name}") (result i32) ${returnsPair(at, s.length)})\n`;
    at += s.length + (16 - (s.length % 16));
  }
  const world = `world w {\n${Object.keys(STRINGS)
    .map((n) => `  export ${n}: func() -> string;`)
    .join('\n')}\n}`;
  return hostileComponent(fields, world, 'compact-utf16');
}

afterEach(() => {
  vi.restoreAllMocks();
});

it('lifts latin1 strings byte for byte, 0x80-0xff and 5000 bytes included, without String.fromCharCode', async () => {
  const kernel = new Kernel();
  try {
    const module = await kernel.load(await component(), { name: 'lift-latin1' });
    const sandbox = await kernel.spawn(module);
    const fromCharCode = vi.spyOn(String, 'fromCharCode');
    for (const [name, s] of Object.entries(STRINGS)) expect(sandbox.fn(name)()).toBe(s);
    expect(fromCharCode).not.toHaveBeenCalled();
    fromCharCode.mockRestore();
    for (const [name, s] of Object.entries(STRINGS)) expect((await sandbox.invoke(name)).value).toBe(s);
  } finally {
    await kernel.close();
  }
});
