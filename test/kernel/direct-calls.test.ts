/**
 * The fast path calls a core export directly where jco 1.12's glue is one plain layer of
 * 32-bit conversions around it (host/kernel/direct-calls.ts), and keeps the glue otherwise.
 * Either way a call must give exactly what the glue gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type ModuleHandle } from '../../host/index.js';
import { directShape } from '../../host/kernel/direct-calls.js';
import { loadedModule } from '../../host/kernel/module.js';
import { createMeterRuntime } from '../../host/meter/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

const WAT = `(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "neg") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
  (func (export "mix") (param i32 i32 i32 i32 i32) (result i32)
    (i32.add (i32.add (i32.add (local.get 0) (local.get 1)) (i32.add (local.get 2) (local.get 3))) (local.get 4)))
  (global $seen (mut i32) (i32.const 0))
  (func (export "store") (param i32) (global.set $seen (local.get 0)))
  (func (export "seen") (result i32) (global.get $seen))
  (func (export "wide") (param i64) (result i64) (local.get 0)))`;
const WIT = `package docs:direct@0.1.0;
world direct {
  export neg: func(x: s32) -> s32;
  export mix: func(a: u32, b: s32, c: u32, d: u32, e: s32) -> u32;
  export store: func(x: u32);
  export seen: func() -> u32;
  export wide: func(x: u64) -> u64;
}`;

/** The glue's exports, instantiated by hand around the module's (metered) core modules. */
function glueExports(handle: ModuleHandle): Record<string, any> {
  const loaded = loadedModule(handle);
  const meter = createMeterRuntime({ fuel: 1e12, memoryBytes: 1 << 20, tableElements: 100 });
  return loaded.instantiate!(
    (f) => loaded.coreModules.get(f)!,
    {},
    (m, imports) => new WebAssembly.Instance(m, { ...imports, keel: meter.imports.keel }),
  ) as Record<string, any>;
}

let kernel: Kernel;
let module: ModuleHandle;
let adder: ModuleHandle;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: tempCacheDir() });
  module = await kernel.load(await componentFromWat(WAT, WIT, 'direct'));
  adder = await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'));
});
afterAll(() => kernel.close());

describe('which glue functions are called directly', () => {
  it('recognizes the plain 32-bit shapes in the glue jco 1.12 generated', async () => {
    const glue = loadedModule(module).glueSource!;
    const instantiated = glueExports(module);
    expect(directShape(glue, instantiated.neg!)).toEqual({
      instance: 0,
      coreExport: 'neg',
      arity: 1,
      result: 's32',
    });
    expect(directShape(glue, instantiated.mix!)).toEqual({
      instance: 0,
      coreExport: 'mix',
      arity: 5,
      result: 'u32',
    });
    expect(directShape(glue, instantiated.store!)).toEqual({
      instance: 0,
      coreExport: 'store',
      arity: 1,
      result: 'void',
    });
    expect(directShape(glue, instantiated.seen!)).toEqual({
      instance: 0,
      coreExport: 'seen',
      arity: 0,
      result: 'u32',
    });
    // 64-bit values go through BigInt conversions: the glue stays.
    expect(directShape(glue, instantiated.wide!)).toBeUndefined();
  });

  it('finds interface exports and leaves strings to the glue', () => {
    const loaded = loadedModule(adder);
    const exports = glueExports(adder);
    expect(directShape(loaded.glueSource!, exports['docs:adder/add@0.1.0'].add)).toEqual({
      instance: 0,
      coreExport: 'docs:adder/add@0.1.0#add',
      arity: 2,
      result: 'u32',
    });
    expect(directShape(loaded.glueSource!, exports.shout)).toBeUndefined();
    expect(directShape(loaded.glueSource!, exports.noop)).toMatchObject({
      coreExport: 'noop',
      result: 'void',
    });
  });

  it('refuses a shape whose helper is not what it should be', () => {
    const loaded = loadedModule(module);
    const exports = glueExports(module);
    const tampered = loaded.glueSource!.replace('return val >>> 0;', 'return (val >>> 0) % 256;');
    expect(directShape(tampered, exports.mix!)).toBeUndefined();
  });
});

describe('a direct call gives what the glue gives', () => {
  const values: unknown[] = [
    0,
    1,
    -1,
    2 ** 31,
    2 ** 32 + 5,
    -(2 ** 31) - 1,
    1.9,
    -1.9,
    Number.NaN,
    '7',
    true,
    null,
    undefined,
  ];

  it('for every argument the glue accepts, including ones it converts', async () => {
    const other = await kernel.spawn(module);
    const viaGlue = glueExports(module);
    expect(['neg', 'mix', 'store', 'seen'].map((n) => other.callPath(n))).toEqual([
      'direct',
      'direct',
      'direct',
      'direct',
    ]);
    expect(other.callPath('wide')).toBe('glue');
    const neg = other.fn<(x: unknown) => number>('neg');
    const mix = other.fn<(...x: unknown[]) => number>('mix');
    for (const v of values) {
      expect(neg(v)).toBe(viaGlue.neg!(v));
      expect(mix(v, v, 1, v, v)).toBe(viaGlue.mix!(v, v, 1, v, v));
    }
    const store = other.fn<(x: unknown) => void>('store');
    expect(store(2 ** 32 - 1)).toBeUndefined();
    expect(other.fn<() => number>('seen')()).toBe(2 ** 32 - 1);
    // valueOf is called once per argument, as through the glue.
    let calls = 0;
    const counted = { valueOf: () => ++calls };
    expect(neg(counted)).toBe(-1);
    expect(calls).toBe(1);
    // A BigInt is refused before the guest runs (a TypeError, as from the glue); the sandbox goes on.
    expect(() => neg(10n)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(other.state).toBe('ready');
    expect(other.fn<(x: bigint) => bigint>('wide')(2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
  });

  it('is still metered and still ends with the sandbox', async () => {
    const other = await kernel.spawn(module);
    const neg = other.fn<(x: number) => number>('neg');
    const before = other.fuel().used;
    expect(neg(5)).toBe(-5);
    expect(other.fuel().used).toBeGreaterThan(before);
    other.terminate('test');
    expect(() => neg(1)).toThrow(expect.objectContaining({ code: 'killed' }));
  });
});
