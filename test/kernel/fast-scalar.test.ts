/**
 * `sandbox.fn` on an export whose values are all scalars goes through the fast path's own
 * function (host/abi/fast.ts): the same values and the same strict errors as the generic lifting
 * (ranges, number vs BigInt, arity, naming the parameter and its WIT type), an argument error
 * still reported as an `invoke:error` and leaving the sandbox usable, a killed sandbox refused,
 * and the invocation after fast-path calls still given its whole budget.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeelEvent, Kernel, type Sandbox } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;

describe('the fast path of scalar exports', () => {
  let kernel: Kernel;
  let sandbox: Sandbox;
  beforeAll(async () => {
    kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(new Uint8Array(readFileSync(root('guests/as/types/types.wasm'))));
    sandbox = await kernel.spawn(module);
  });
  afterAll(async () => {
    await kernel.close();
  });

  it('gives the values the generic lifting gives, for every scalar kind', () => {
    const f = (name: string) => sandbox.fn(name);
    expect(f('numbers#add-u8')(200, 100)).toBe(44);
    expect(f('numbers#negate-s8')(-128)).toBe(-128);
    expect(f('numbers#add-u16')(65535, 2)).toBe(1);
    expect(f('numbers#negate-s16')(5)).toBe(-5);
    expect(f('numbers#add-u32')(4294967295, 0)).toBe(4294967295);
    expect(f('numbers#add-u32')(2147483648, 1)).toBe(2147483649);
    expect(f('numbers#mul-s64')(4294967296n, 2n)).toBe(8589934592n);
    expect(f('numbers#max-u64')()).toBe(18446744073709551615n);
    expect(f('numbers#half-f32')(3)).toBe(1.5);
    expect(f('numbers#sqrt-f64')(2)).toBe(Math.SQRT2);
    expect(f('numbers#invert')(true)).toBe(false);
    expect(f('numbers#invert')(false)).toBe(true);
    // JavaScript names, as `resolve` takes them.
    expect(f('numbers#addU8')(1, 2)).toBe(3);
  });

  it('checks every argument strictly, naming the parameter and its WIT type', () => {
    const f = (name: string) => sandbox.fn(name);
    expect(() => f('numbers#add-u8')(300, 1)).toThrow(
      /argument 1 \(a: u8\) of "numbers#add-u8": 300 is not a u8/,
    );
    expect(() => f('numbers#add-u8')(1, -1)).toThrow(/argument 2 \(b: u8\)/);
    expect(() => f('numbers#add-u8')(1.5, 1)).toThrow(/argument 1 \(a: u8\)/);
    expect(() => f('numbers#negate-s8')(128)).toThrow(/argument 1 \(a: s8\)/);
    expect(() => f('numbers#negate-s8')(-129)).toThrow(/argument 1 \(a: s8\)/);
    expect(() => f('numbers#add-u32')(2 ** 32, 0)).toThrow(/argument 1 \(a: u32\)/);
    expect(() => f('numbers#add-u32')(-1, 0)).toThrow(/argument 1 \(a: u32\)/);
    expect(() => f('numbers#add-u32')(Number.NaN, 0)).toThrow(/argument 1 \(a: u32\)/);
    expect(() => f('numbers#add-u32')(1n, 0)).toThrow(/argument 1 \(a: u32\)/);
    expect(() => f('numbers#add-u32')('1', 0)).toThrow(/argument 1 \(a: u32\)/);
    expect(() => f('numbers#add-u32')(1)).toThrow(/takes 2 argument\(s\) \(a: u32, b: u32\), got 1/);
    expect(() => f('numbers#add-u32')(1, 2, 3)).toThrow(/got 3/);
    expect(() => f('numbers#mul-s64')(1, 2n)).toThrow(/argument 1 \(a: s64\).*expected a BigInt/);
    expect(() => f('numbers#mul-s64')(2n ** 63n, 2n)).toThrow(/argument 1 \(a: s64\)/);
    expect(() => f('numbers#half-f32')(1n)).toThrow(/argument 1 \(a: f32\)/);
    expect(() => f('numbers#invert')(1)).toThrow(/argument 1 \(b: bool\)/);
    for (const bad of [() => f('numbers#add-u8')(300, 1), () => f('numbers#add-u32')(1)]) {
      try {
        bad();
        expect.unreachable();
      } catch (error) {
        expect(error).toMatchObject({ code: 'invalid-argument' });
      }
    }
    // An argument error is the embedder's: the sandbox goes on.
    expect(sandbox.state).toBe('ready');
    expect(f('numbers#add-u8')(1, 2)).toBe(3);
  });

  it('reports an argument error as an invoke:error, as the generic path does', () => {
    const errors: KeelEvent[] = [];
    const off = kernel.on('invoke:error', (event) => void errors.push(event));
    try {
      expect(() => sandbox.fn('numbers#add-u8')(300, 1)).toThrow(/is not a u8/);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.error).toMatchObject({ code: 'invalid-argument' });
    } finally {
      off();
    }
  });

  it('gives the invocation after fast-path calls its whole budget, and reports its own fuel', () => {
    const first = sandbox.invokeSync('numbers#add-u32', [1, 2]);
    const second = sandbox.invokeSync('numbers#add-u32', [1, 2], { timing: false });
    expect(second.fuel).toEqual(first.fuel);
    const add = sandbox.fn<(a: number, b: number) => number>('numbers#add-u32');
    const before = sandbox.fuel().used;
    for (let i = 0; i < 1000; i++) add(i, 1);
    const spent = sandbox.fuel().used - before;
    expect(spent).toBeGreaterThanOrEqual(1000);
    expect(sandbox.fuel().remaining).toBe(sandbox.limits.fuel - spent);
    const third = sandbox.invokeSync('numbers#add-u32', [1, 2]);
    expect(third.fuel).toEqual(first.fuel);
    expect(sandbox.fuel().remaining).toBe(sandbox.limits.fuel);
  });

  it('refuses every call once the sandbox is killed', async () => {
    const other = await kernel.spawn(sandbox.module);
    const add = other.fn<(a: number, b: number) => number>('numbers#add-u32');
    expect(add(1, 2)).toBe(3);
    other.terminate('test');
    expect(() => add(1, 2)).toThrow(expect.objectContaining({ code: 'killed' }));
    // Bad arguments or not: the kill is what the caller hears.
    expect(() => add(-1, 2)).toThrow(expect.objectContaining({ code: 'killed' }));
  });
});
