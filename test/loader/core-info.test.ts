import { describe, expect, it } from 'vitest';
import { asciiText, readCoreModuleInfo } from '../../host/loader/core-info.js';

/** A core module that imports one function `module.name` (names as raw bytes). */
function importing(module: number[], name: number[]): Uint8Array {
  const imports = [1, module.length, ...module, name.length, ...name, 0x00, 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[1, 4, 1, 0x60, 0, 0],
    ...[2, imports.length, ...imports],
  ]);
}

const bytesOf = (text: string) => [...new TextEncoder().encode(text)];

describe('core module names', () => {
  it('reads short ASCII names without TextDecoder, and nothing past the end', () => {
    const bytes = new Uint8Array(bytesOf('fd_write'));
    expect(asciiText(bytes, 0, 8)).toBe('fd_write');
    expect(asciiText(bytes, 3, 5)).toBe('write');
    expect(asciiText(bytes, 0, 0)).toBe('');
    // Past the end: left to the decoder's clamped view, never read as NULs.
    expect(asciiText(bytes, 4, 5)).toBeUndefined();
    expect(asciiText(new Uint8Array([0x61, 0xc3, 0xa9]), 0, 3)).toBeUndefined();
    expect(asciiText(new Uint8Array(65).fill(0x61), 0, 65)).toBeUndefined();
  });

  it('decodes names that are not ASCII as UTF-8, as before', () => {
    const info = readCoreModuleInfo(importing(bytesOf('env'), bytesOf('café')));
    expect(info.imports.map((i) => [i.module, i.name])).toEqual([['env', 'café']]);
    // Invalid UTF-8 reads with U+FFFD (the loader's core name check then refuses it).
    const bad = readCoreModuleInfo(importing(bytesOf('env'), [0x61, 0xff]));
    expect(bad.imports[0]!.name).toBe('a\ufffd');
    const long = 'x'.repeat(100);
    expect(readCoreModuleInfo(importing(bytesOf(long), bytesOf('f'))).imports[0]!.module).toBe(long);
  });
});
