/**
 * Metering must not change what a module computes. Every export of a feature-rich module is
 * called on plain V8 and metered (zero-cost model with zero fuel, and the default model with
 * ample fuel); results and traps must be identical.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COSTS } from '../../host/meter/costs.js';
import { createMeterHook, meterModule } from '../../host/meter/index.js';
import { instantiateMetered, instantiatePlain, watAll } from './support.js';

const PROGRAM = `
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "base" (global $base i32))
  (import "env" "log" (func $log (param i32)))
  (type $binop (func (param i32 i32) (result i32)))
  (type $i2i (func (param i32) (result i32)))
  (memory (export "memory") 1 4)
  (table $t 8 funcref)
  (table $ext 2 externref)
  (global $counter (mut i32) (i32.const 0))
  (global $seed (mut i32) (global.get $base))
  (global $fref funcref (ref.func $mul))
  (tag $oops (param i32))
  (elem (table $t) (i32.const 0) func $add $mul $sub $fib)
  (elem declare func $square)
  (data (i32.const 16) "hello, metering")
  (data $passive "0123456789abcdef")
  (start $init)
  (func $init (global.set $counter (i32.const 100)))
  (func $mul (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
  (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $fib (export "fib") (param i32 i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)) (i32.const 0))))))
  (func (export "dispatch") (param i32 i32 i32) (result i32)
    (call_indirect $t (type $binop) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "counter") (result i32) (global.get $counter))
  (func (export "seed") (result i32) (global.get $seed))
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
  (func (export "viaref") (param i32) (result i32)
    (call $call_ref_free (local.get 0)))
  (func $call_ref_free (param i32) (result i32)
    (table.set $t (i32.const 5) (ref.func $square))
    (call_indirect $t (type $i2i) (local.get 0) (i32.const 5)))
  (func (export "fref_is_null") (result i32) (ref.is_null (global.get $fref)))
  (func (export "sum") (param i64) (result i64) (local $acc i64)
    (block $done (loop $l
      (br_if $done (i64.eqz (local.get 0)))
      (local.set $acc (i64.add (local.get $acc) (local.get 0)))
      (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
      (br $l)))
    (local.get $acc))
  (func (export "switch") (param i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (i32.const 40))
  (func (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trap") (unreachable))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "bulk") (result i32)
    (memory.fill (i32.const 100) (i32.const 7) (i32.const 300))
    (memory.copy (i32.const 500) (i32.const 16) (i32.const 15))
    (memory.init $passive (i32.const 600) (i32.const 2) (i32.const 8))
    (data.drop $passive)
    (i32.add (i32.load8_u (i32.const 399)) (i32.add (i32.load8_u (i32.const 504)) (i32.load8_u (i32.const 601)))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "tsize") (result i32) (table.size $t))
  (func (export "xgrow") (param i32) (result i32) (table.grow $ext (ref.null extern) (local.get 0)))
  (func (export "pair") (param i32) (result i32 i32) (local.get 0) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "usepair") (param i32) (result i32) (call $pairsum (local.get 0)))
  (func $pairsum (param i32) (result i32)
    (local.get 0) (block (param i32) (result i32 i32) (i32.const 3)) (i32.add))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (if (local.get 0) (then (throw $oops (local.get 0)))) (i32.const -1))
      (catch $oops (i32.const 1000) (i32.add))))
  (func (export "rethrow") (param i32) (result i32)
    (try (result i32)
      (do (try (do (throw $oops (local.get 0))) (catch $oops (drop) (rethrow 0))) (i32.const 0))
      (catch_all (i32.const 77))))
  (func (export "delegate") (param i32) (result i32)
    (try (result i32)
      (do (try (do (throw $oops (local.get 0))) (delegate 0)) (i32.const 0))
      (catch $oops)))
  (func $even (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1)) (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "even") (param i32) (result i32) (return_call $even (local.get 0)))
  (func (export "simd") (param i32) (result i32)
    (i32x4.extract_lane 2 (i32x4.mul (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4))))
  (func (export "imported") (param i32 i32) (result i32) (call $log (local.get 0)) (call $add (local.get 0) (local.get 1)))
  (func (export "select") (param i32) (result i32) (select (result i32) (i32.const 1) (i32.const 2) (local.get 0)))
  (func (export "sat") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
  (func (export "ext") (param i32) (result i32) (i32.extend8_s (local.get 0)))
  (func (export "atomic") (result i32) (i32.atomic.rmw.add (i32.const 64) (i32.const 5)) (i32.atomic.load (i32.const 64)) (i32.add))
  (func (export "early") (param i32) (result i32)
    (block $out (br_if 1 (i32.const 5) (local.get 0)) (br $out)) (i32.const 6))
)`;

const CALLS: [string, unknown[]][] = [
  ['fib', [0, 0]],
  ['fib', [15, 0]],
  ['dispatch', [0, 20, 3]],
  ['dispatch', [1, 20, 3]],
  ['dispatch', [2, 20, 3]],
  ['dispatch', [3, 10, 0]],
  ['dispatch', [7, 1, 1]],
  ['counter', []],
  ['seed', []],
  ['bump', []],
  ['bump', []],
  ['viaref', [9]],
  ['fref_is_null', []],
  ['sum', [1000n]],
  ['switch', [0]],
  ['switch', [2]],
  ['switch', [99]],
  ['divide', [7, 2]],
  ['divide', [1, 0]],
  ['trap', []],
  ['load', [20]],
  ['load', [70000]],
  ['bulk', []],
  ['bulk', []],
  ['size', []],
  ['grow', [1]],
  ['grow', [10]],
  ['size', []],
  ['tsize', []],
  ['tgrow', [3]],
  ['tsize', []],
  ['xgrow', [1]],
  ['pair', [21]],
  ['usepair', [4]],
  ['catch', [0]],
  ['catch', [5]],
  ['rethrow', [3]],
  ['delegate', [8]],
  ['even', [10001]],
  ['even', [10000]],
  ['simd', [7]],
  ['imported', [2, 40]],
  ['select', [0]],
  ['select', [1]],
  ['sat', [1e20]],
  ['ext', [200]],
  ['atomic', []],
  ['early', [0]],
  ['early', [1]],
];

function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (error) {
    return { error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

function runAll(exports: Record<string, any>): unknown[] {
  return CALLS.map(([name, args]) => [name, args, outcome(() => exports[name](...args))]);
}

function imports(logged: number[]): WebAssembly.Imports {
  return {
    env: {
      add: (a: number, b: number) => a + b,
      base: new WebAssembly.Global({ value: 'i32', mutable: false }, 42),
      log: (x: number) => logged.push(x),
    },
  };
}

describe('round trip', () => {
  it('zero-cost model with zero fuel computes exactly what plain V8 computes', async () => {
    const bytes = await watAll(PROGRAM);
    const plainLog: number[] = [];
    const expected = runAll(instantiatePlain(bytes, imports(plainLog)));
    for (const strategy of ['local', 'global'] as const) {
      const log: number[] = [];
      const { exports, meter } = instantiateMetered(
        bytes,
        { fuel: 0 },
        {
          strategy,
          costs: {
            default: 0,
            // Every instruction the default model prices apart, and the ones these modules use.
            instructions: {
              ...Object.fromEntries(Object.keys(DEFAULT_COSTS.instructions).map((name) => [name, 0])),
              if: 0,
              br: 0,
              br_if: 0,
              br_table: 0,
              call: 0,
            },
            simd: 0,
            atomic: 0,
            memoryGrowPerPage: 0,
            tableGrowPerElement: 0,
            bulkMemoryBytesPerFuel: 0,
            bulkTableFuelPerElement: 0,
          },
        },
        imports(log),
      );
      expect(runAll(exports)).toEqual(expected);
      expect(log).toEqual(plainLog);
      expect(meter.used()).toBe(0);
    }
  });

  it('default model with ample fuel computes exactly what plain V8 computes', async () => {
    const bytes = await watAll(PROGRAM);
    const expected = runAll(instantiatePlain(bytes, imports([])));
    const { exports, meter } = instantiateMetered(bytes, {}, {}, imports([]));
    expect(runAll(exports)).toEqual(expected);
    expect(meter.used()).toBeGreaterThan(0);
  });

  it('rewriting is deterministic: byte-identical output', async () => {
    const bytes = await watAll(PROGRAM);
    const a = meterModule(bytes);
    const b = meterModule(bytes.slice());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('meterModule hands out a buffer of its own; the loader hook a view of the same bytes', async () => {
    const bytes = await watAll(PROGRAM);
    const own = meterModule(bytes);
    // The whole ArrayBuffer is the module: `.buffer` may be handed to APIs that read all of it.
    expect(own.byteOffset).toBe(0);
    expect(own.buffer.byteLength).toBe(own.length);
    expect(WebAssembly.validate(own.buffer as ArrayBuffer)).toBe(true);
    const view = createMeterHook().transform(bytes, { file: 'module.wasm', kind: 'core' });
    expect(Buffer.from(view).equals(Buffer.from(own))).toBe(true);
  });
});
