/**
 * Every WIT type the AssemblyScript SDK binds (guests/as/types), through the real kernel:
 * scalars at their edges, lists of each kind, a named interface, an inline interface,
 * kebab-case names and the sixteen-parameter limit of flat calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../host/index.js';

const TYPES = new URL('../../guests/as/types/types.wasm', import.meta.url).pathname;

let cacheDir: string;
let kernel: Kernel;
let sandbox: Sandbox;

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'keel-sdk-types-'));
  kernel = new Kernel({ cacheDir });
  // No grants: a guest that imports nothing needs none.
  sandbox = await kernel.spawn(await kernel.load(TYPES));
});

afterAll(async () => {
  await kernel.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('AssemblyScript SDK types', () => {
  it('binds functions of a named interface, by versioned or unversioned name', async () => {
    expect(await sandbox.call('keel:types/text#upper', 'abc é')).toBe('ABC É');
    expect(await sandbox.call('keel:types/text@0.1.0#char-count', 'a🚀b')).toBe(3);
  });

  it('binds small integers, wrapping as the WIT types do', async () => {
    expect(await sandbox.call('numbers#add-u8', 200, 100)).toBe(44);
    expect(await sandbox.call('numbers#negate-s8', -128)).toBe(-128);
    expect(await sandbox.call('numbers#negate-s8', 5)).toBe(-5);
    expect(await sandbox.call('numbers#add-u16', 65_535, 2)).toBe(1);
    expect(await sandbox.call('numbers#negate-s16', -32_768)).toBe(-32_768);
    expect(await sandbox.call('numbers#add-u32', 4_294_967_295, 2)).toBe(1);
  });

  it('binds 64-bit integers, floats and bools', async () => {
    expect(await sandbox.call('numbers#mul-s64', 3_000_000_000n, 3_000_000_000n)).toBe('9000000000000000000');
    expect(await sandbox.call('numbers#mul-s64', -4n, 5n)).toBe(-20);
    expect(await sandbox.call('numbers#max-u64')).toBe('18446744073709551615');
    expect(await sandbox.call('numbers#half-f32', 3)).toBe(1.5);
    expect(await sandbox.call('numbers#sqrt-f64', 2)).toBe(Math.SQRT2);
    expect(await sandbox.call('numbers#invert', true)).toBe(false);
    expect(await sandbox.call('numbers#invert', false)).toBe(true);
  });

  it('binds list<u8> as bytes', async () => {
    expect(await sandbox.call('xor-bytes', Uint8Array.of(1, 2, 3), 0xff)).toEqual([254, 253, 252]);
    expect(await sandbox.call('xor-bytes', new Uint8Array(0), 1)).toEqual([]);
  });

  it('binds list<bool> in and out', async () => {
    expect(await sandbox.call('count-true', [true, false, true, true])).toBe(3);
    expect(await sandbox.call('negate-all', [true, false])).toEqual([false, true]);
    expect(await sandbox.call('negate-all', [])).toEqual([]);
  });

  it('binds list<u32> in and list<u64> out', async () => {
    expect(await sandbox.call('widen', Uint32Array.of(1, 2))).toEqual([4_294_967_296, 8_589_934_592]);
  });

  it('binds list<string> in and out, empty strings included', async () => {
    expect(await sandbox.call('join', ['a', 'b', 'c'], ', ')).toBe('a, b, c');
    expect(await sandbox.call('join', [], '-')).toBe('');
    expect(await sandbox.call('echo-strings', ['x', '', '🚀', 'é'])).toEqual(['x', '', '🚀', 'é']);
  });

  it('passes sixteen flat parameters', async () => {
    const args = Array.from({ length: 16 }, (_, i) => i + 1);
    expect(await sandbox.call('sixteen', ...args)).toBe(args.reduce((n, v, i) => n + v * (i + 1), 0));
  });

  it('binds a function with neither parameters nor result', async () => {
    expect(await sandbox.call('nothing')).toBeNull();
  });
});
