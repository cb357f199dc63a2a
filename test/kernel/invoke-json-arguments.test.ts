/**
 * `invoke`'s JSON arguments for exports of up to three parameters (converted by unrolled
 * functions, host/abi/json.ts) and past three (the loop): every position checked and named in
 * its error, the arity, the integer ranges at their edges, number vs BigInt vs string; and a
 * scalar result rendered as JSON (finite numbers as they are, NaN and the infinities as strings,
 * booleans, chars, 64-bit integers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../scripts/lib/fixtures.js';

const WAT = `(module
  (memory (export "memory") 1)
  (func (export "zero") (result i32) (i32.const 7))
  (func (export "one") (param i32) (result i32) (local.get 0))
  (func (export "two") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "three") (param i32 i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "four") (param i32 i32 i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (local.get 1)) (i32.add (local.get 2) (local.get 3))))
  (func (export "text") (param i32 i32 i32) (result i32) (local.get 2))
  (func (export "ratio") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (func (export "wide") (param i64) (result i64) (local.get 0))
  (func (export "flip") (param i32) (result i32) (i32.eqz (local.get 0)))
  (func (export "next-char") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
)`;

const WIT = `package test:json@0.1.0;
world json {
  export zero: func() -> u32;
  export one: func(a: u8) -> u8;
  export two: func(a: u32, b: s8) -> s32;
  export three: func(a: u16, b: s16, c: s32) -> s32;
  export four: func(a: u8, b: u8, c: u8, d: u8) -> u32;
  export text: func(s: string, n: u32) -> u32;
  export ratio: func(a: f64, b: f64) -> f64;
  export wide: func(a: u64) -> u64;
  export flip: func(b: bool) -> bool;
  export next-char: func(c: char) -> char;
}`;

describe("invoke's JSON arguments, by arity", () => {
  let kernel: Kernel;
  let sandbox: Sandbox;
  beforeAll(async () => {
    kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'json'));
    sandbox = await kernel.spawn(module);
  });
  afterAll(async () => {
    await kernel.close();
  });

  const value = (name: string, args: unknown[]) => sandbox.invokeSync(name, args, { timing: false }).value;

  it('converts every position of 0 to 4 parameters', () => {
    expect(value('zero', [])).toBe(7);
    expect(value('one', [255])).toBe(255);
    expect(value('two', [4294967295, -128])).toBe(-129);
    expect(value('three', [65535, -32768, -2147483648])).toBe(-2147450881);
    expect(value('four', [1, 2, 3, 255])).toBe(261);
    expect(value('one', [-0])).toBe(0);
  });

  it('names the argument that does not fit, at every position', () => {
    expect(() => value('one', [256])).toThrow(/argument 1 \(a: u8\) of "one": 256 is not a u8 \(0 to 255\)/);
    expect(() => value('two', [4294967296, 0])).toThrow(/argument 1 \(a: u32\) of "two"/);
    expect(() => value('two', [0, 128])).toThrow(/argument 2 \(b: s8\) of "two": 128 is not a s8/);
    expect(() => value('two', [0, -129])).toThrow(/argument 2 \(b: s8\)/);
    expect(() => value('three', [65536, 0, 0])).toThrow(/argument 1 \(a: u16\)/);
    expect(() => value('three', [0, 32768, 0])).toThrow(/argument 2 \(b: s16\)/);
    expect(() => value('three', [0, 0, 2147483648])).toThrow(/argument 3 \(c: s32\) of "three"/);
    expect(() => value('three', [0, 0, 1.5])).toThrow(/argument 3 \(c: s32\)/);
    expect(() => value('four', [0, 0, 0, 256])).toThrow(/argument 4 \(d: u8\) of "four"/);
    expect(() => value('one', ['1'])).toThrow(/argument 1 \(a: u8\) of "one": expected a number \(u8\), got/);
    expect(() => value('one', [1n])).toThrow(/argument 1 \(a: u8\).*expected a number \(u8\)/);
    expect(() => value('one', [Number.NaN])).toThrow(/argument 1 \(a: u8\)/);
    expect(() => value('one', [Number.POSITIVE_INFINITY])).toThrow(/argument 1 \(a: u8\)/);
    expect(() => value('one', [null])).toThrow(/argument 1 \(a: u8\)/);
    expect(() => value('text', [7, 1])).toThrow(/argument 1 \(s: string\) of "text"/);
    expect(() => value('text', ['x', -1])).toThrow(/argument 2 \(n: u32\) of "text"/);
    expect(() => value('flip', [1])).toThrow(/argument 1 \(b: bool\).*expected a boolean/);
    expect(() => value('next-char', ['ab'])).toThrow(/argument 1 \(c: char\)/);
    expect(() => value('wide', [1.5])).toThrow(/argument 1 \(a: u64\)/);
    // A refused argument leaves the sandbox usable.
    expect(value('two', [1, 2])).toBe(3);
  });

  it('checks the number of arguments for every arity', () => {
    expect(() => value('zero', [1])).toThrow(/"zero" takes 0 argument\(s\) \(\), got 1/);
    expect(() => value('one', [])).toThrow(/"one" takes 1 argument\(s\) \(a: u8\), got 0/);
    expect(() => value('two', [1])).toThrow(/"two" takes 2 argument\(s\) \(a: u32, b: s8\), got 1/);
    expect(() => value('three', [1, 2, 3, 4])).toThrow(/"three" takes 3 argument\(s\).*got 4/);
    expect(() => value('four', [1, 2, 3])).toThrow(/"four" takes 4 argument\(s\).*got 3/);
  });

  it('renders scalar results as JSON', () => {
    expect(value('ratio', [1, 4])).toBe(0.25);
    expect(value('ratio', [0, 0])).toBe('NaN');
    expect(value('ratio', [1, 0])).toBe('Infinity');
    expect(value('ratio', [-1, 0])).toBe('-Infinity');
    expect(value('ratio', ['NaN', 1])).toBe('NaN');
    expect(value('flip', [false])).toBe(true);
    expect(value('next-char', ['a'])).toBe('b');
    expect(value('wide', [42])).toBe(42);
    expect(value('wide', ['18446744073709551615'])).toBe('18446744073709551615');
  });
});
