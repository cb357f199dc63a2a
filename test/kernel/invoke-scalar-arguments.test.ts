/**
 * A scalar export's JSON arguments are checked and lowered into the sandbox's record of the
 * invocation (no array), and its call reads them there (`ResolvedExport.run`). An argument's
 * getter may invoke the same sandbox, whose invocation writes the same record: the record is
 * written only once every argument has been read and checked, so the outer call runs with its
 * own values (a value an inner call of another type left behind would reach the core export
 * unchecked: a bigint, or a float out of the parameter's range). Each argument is read once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../scripts/lib/fixtures.js';

const WAT = `(module
  (memory (export "memory") 1)
  (func (export "one") (param i32) (result i32) (local.get 0))
  (func (export "two") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "three") (param i32 i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "wide") (param i64 i64 i64) (result i64) (i64.add (local.get 0) (local.get 2)))
  (func (export "ratio") (param f64 f64 f64) (result f64) (f64.add (local.get 0) (local.get 2)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
)`;

const WIT = `package test:held@0.1.0;
world held {
  export one: func(a: u8) -> u8;
  export two: func(a: u32, b: u32) -> u32;
  export three: func(a: u8, b: u8, c: u8) -> u32;
  export wide: func(a: u64, b: u64, c: u64) -> u64;
  export ratio: func(a: f64, b: f64, c: f64) -> f64;
}`;

describe("a scalar export's arguments, held in the invocation's record", () => {
  let kernel: Kernel;
  let sandbox: Sandbox;
  beforeAll(async () => {
    kernel = new Kernel({ cacheDir: tempCacheDir() });
    sandbox = await kernel.spawn(await kernel.load(await componentFromWat(WAT, WIT, 'held')));
  });
  afterAll(async () => {
    await kernel.close();
  });

  /** `values` as an argument list whose element `at` is a getter that runs `inner` first (counted). */
  function withGetter(values: unknown[], at: number, inner: () => void) {
    const reads = { count: 0 };
    const args = [...values];
    Object.defineProperty(args, at, {
      get() {
        reads.count++;
        inner();
        return values[at];
      },
    });
    return { args, reads };
  }

  it('an argument getter that invokes the sandbox leaves the outer call its own arguments', () => {
    let inner: unknown;
    const { args, reads } = withGetter([5, 7], 1, () => {
      inner = sandbox.invokeSync('one', [200]).value;
    });
    expect(sandbox.invokeSync('two', args).value).toBe(12);
    expect(inner).toBe(200);
    expect(reads.count).toBe(1);
  });

  it('an inner call of other types (u64, f64) never reaches the outer call', () => {
    const big = 2n ** 63n;
    const { args: a, reads: ra } = withGetter([1, 2, 3], 2, () => {
      expect(String(sandbox.invokeSync('wide', [big, 0, 1]).value)).toBe('9223372036854775809');
    });
    expect(sandbox.invokeSync('three', a).value).toBe(6);
    const { args: b, reads: rb } = withGetter([1, 2, 3], 1, () => {
      expect(sandbox.invokeSync('ratio', [1e300, 0, 1e300]).value).toBe(2e300);
    });
    expect(sandbox.invokeSync('three', b).value).toBe(6);
    expect([ra.count, rb.count]).toEqual([1, 1]);
  });

  it('an inner call whose arguments are refused leaves the outer call its own arguments', () => {
    const { args } = withGetter([3, 4], 1, () => {
      expect(() => sandbox.invokeSync('one', [256])).toThrow(/argument 1 \(a: u8\) of "one"/);
    });
    expect(sandbox.invokeSync('two', args).value).toBe(7);
  });

  it('a refused argument after an inner call: the error names the outer export, nothing runs', () => {
    const { args } = withGetter([3, -1], 1, () => {
      expect(sandbox.invokeSync('one', [9]).value).toBe(9);
    });
    expect(() => sandbox.invokeSync('two', args)).toThrow(/argument 2 \(b: u32\) of "two"/);
    expect(sandbox.invokeSync('two', [1, 1]).value).toBe(2);
    expect(sandbox.state).toBe('ready');
  });
});
