/**
 * Functions that never escape carry the counter in an extra parameter and result. Every mix of
 * conventions (internal and escaping callers and callees, calls, tail calls, indirect calls,
 * exceptions, many locals) must compute what plain V8 computes and charge the same fuel as the
 * `global` strategy, which never passes fuel.
 */
import { describe, expect, it } from 'vitest';
import { meterModule } from '../../host/meter/index.js';
import { instantiateMetered, instantiatePlain, toText, watAll } from './support.js';

const manyLocals = Array.from({ length: 200 }, (_, i) => `(local $l${i} i32)`).join(' ');

const PROGRAM = `(module
  (type $i2i (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $escaping_odd $square)
  (tag $boom (param i32))
  ;; internal: many locals, so local indices need two-byte LEBs and move up by one
  (func $wide (param $a i32) (param $b i32) (result i32) ${manyLocals}
    (local.set $l150 (i32.add (local.get $a) (local.get $b)))
    (local.set $l199 (i32.mul (local.get $l150) (i32.const 3)))
    (local.get $l199))
  (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  ;; internal <-> escaping mutual tail recursion
  (func $internal_even (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
      (else (return_call $escaping_odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $escaping_odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (return_call $internal_even (i32.sub (local.get 0) (i32.const 1))))))
  ;; internal -> internal tail recursion (a loop in disguise)
  (func $count (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 2))))))
  ;; internal tail call through a table
  (func $via_table (param i32 i32) (result i32)
    (return_call_indirect (type $i2i) (local.get 0) (local.get 1)))
  ;; internal function that throws after doing work, and one that returns early
  (func $thrower (param i32) (result i32)
    (if (i32.gt_u (local.get 0) (i32.const 10)) (then (throw $boom (local.get 0))))
    (local.get 0))
  (func $early (param i32) (result i32)
    (block $out (br_if $out (local.get 0)) (return (i32.const 11)))
    (i32.const 22))
  (func $multi (param i32) (result i32 i64) (local.get 0) (i64.extend_i32_u (local.get 0)))
  (func (export "wide") (param i32 i32) (result i32) (call $wide (local.get 0) (local.get 1)))
  (func (export "even") (param i32) (result i32) (call $internal_even (local.get 0)))
  (func (export "count") (param i32) (result i32) (call $count (local.get 0) (i32.const 0)))
  (func (export "viaTable") (param i32 i32) (result i32) (call $via_table (local.get 0) (local.get 1)))
  (func (export "caught") (param i32) (result i32)
    (try (result i32) (do (call $thrower (local.get 0))) (catch $boom (i32.const 1000) (i32.add))))
  (func (export "early") (param i32) (result i32) (call $early (local.get 0)))
  (func (export "multi") (param i32) (result i64) (local i64)
    (call $multi (local.get 0)) (local.set 1) (i64.extend_i32_u) (local.get 1) (i64.add))
)`;

const CALLS: [string, unknown[]][] = [
  ['wide', [2, 5]],
  ['even', [0]],
  ['even', [7]],
  ['even', [10_000]],
  ['count', [100_000]],
  ['viaTable', [6, 1]],
  ['viaTable', [3, 0]],
  ['caught', [5]],
  ['caught', [50]],
  ['early', [0]],
  ['early', [1]],
  ['multi', [21]],
];

function run(exports: Record<string, any>, fuelOf?: () => number): unknown[][] {
  return CALLS.map(([name, args]) => {
    const before = fuelOf?.() ?? 0;
    let result: unknown;
    try {
      result = exports[name](...args);
    } catch (error) {
      result = (error as Error).message;
    }
    return [name, args, result, fuelOf ? fuelOf() - before : undefined];
  });
}

describe('fuel passing', () => {
  it('computes what plain V8 computes, with the same fuel as the global strategy', async () => {
    const bytes = await watAll(PROGRAM);
    const plain = run(instantiatePlain(bytes)).map(([n, a, r]) => [n, a, r]);
    const local = instantiateMetered(bytes, { fuel: 1e9 }, { strategy: 'local' });
    const global = instantiateMetered(bytes, { fuel: 1e9 }, { strategy: 'global' });
    const localRun = run(local.exports, () => local.meter.used());
    const globalRun = run(global.exports, () => global.meter.used());
    expect(localRun.map(([n, a, r]) => [n, a, r])).toEqual(plain);
    expect(localRun).toEqual(globalRun);
  });

  it('internal tail recursion stays a tail call (no stack growth) and is still metered', async () => {
    const bytes = await watAll(PROGRAM);
    const { exports, meter } = instantiateMetered(bytes, { fuel: 1e9 });
    expect(exports.count(3_000_000)).toBe(6_000_000);
    const small = instantiateMetered(bytes, { fuel: 1000 });
    expect(() => small.exports.count(3_000_000)).toThrow(/all fuel consumed/);
    expect(meter.used()).toBeGreaterThan(3_000_000);
  });

  it('only functions that never escape change type; local names follow', async () => {
    const text = await toText(meterModule(await watAll(PROGRAM)));
    expect(text).toMatch(
      /\(func \$wide \(type \d+\) \(param \$a i32\) \(param \$b i32\) \(param i64\) \(result i32 i64\)/,
    );
    // In a table that only call_indirect uses: they pass fuel too, and so do the calls.
    expect(text).toMatch(/\(func \$square \(type \d+\) \(param i32 i64\) \(result i32 i64\)/);
    expect(text).toMatch(/\(func \$escaping_odd \(type \d+\) \(param i32 i64\) \(result i32 i64\)/);
    expect(text).toMatch(/return_call_indirect \(type \d+\)/);
    expect(text).toContain('local.set $l150');
    expect(text).toContain('local.get $l199');
  });

  it('a table that JavaScript or the code can read keeps the plain convention', async () => {
    const exported = PROGRAM.replace('(table 2 funcref)', '(table (export "t") 2 funcref)');
    const inspected = PROGRAM.replace(
      '(func $square (param i32) (result i32)',
      '(func $peek (result i32) (ref.is_null (table.get 0 (i32.const 0))))\n  (func $square (param i32) (result i32)',
    );
    const referenced = PROGRAM.replace(
      '(func $square (param i32) (result i32)',
      '(func $take (result funcref) (ref.func $square))\n  (func $square (param i32) (result i32)',
    );
    for (const source of [exported, inspected]) {
      const text = await toText(meterModule(await watAll(source)));
      expect(text).toContain('(func $square (type $i2i) (param i32) (result i32)\n');
      expect(text).toContain('(func $escaping_odd (type $i2i) (param i32) (result i32)\n');
    }
    // A function the code takes a reference to keeps its type, and so does its group.
    const text = await toText(meterModule(await watAll(referenced)));
    expect(text).toContain('(func $square (type $i2i) (param i32) (result i32)\n');
    expect(text).toContain('(func $escaping_odd (type $i2i) (param i32) (result i32)\n');
    for (const source of [exported, inspected, referenced]) {
      const bytes = await watAll(source);
      const plain = run(instantiatePlain(bytes));
      const local = instantiateMetered(bytes, { fuel: 1e9 });
      const global = instantiateMetered(bytes, { fuel: 1e9 }, { strategy: 'global' });
      const localRun = run(local.exports, () => local.meter.used());
      expect(localRun.map(([n, a, r]) => [n, a, r])).toEqual(plain.map(([n, a, r]) => [n, a, r]));
      expect(localRun).toEqual(run(global.exports, () => global.meter.used()));
    }
  });

  it("a twin signature that matches one of the module's own types is not used through tables", async () => {
    // $f: (i32) -> i32 would become (i32 i64) -> (i32 i64), which this module also declares.
    const source = `(module
      (type $plain (func (param i32) (result i32)))
      (type $clash (func (param i32 i64) (result i32 i64)))
      (table 2 funcref) (elem (i32.const 0) $f $g)
      (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $g (param i32 i64) (result i32 i64) (local.get 0) (local.get 1))
      (func (export "viaF") (param i32) (result i32) (call_indirect (type $plain) (local.get 0) (i32.const 0)))
      (func (export "clash") (result i32) (call_indirect (type $clash) (i32.const 5) (i64.const 7) (i32.const 0)) (drop)))`;
    const bytes = await watAll(source);
    const { exports } = instantiateMetered(bytes);
    expect(exports.viaF(41)).toBe(42);
    expect(() => exports.clash()).toThrow(/signature mismatch/);
  });

  it('a tail call across conventions stays a tail call: no try of the caller, no frame left', async () => {
    const source = `(module
      (tag $e)
      (func $throws (throw $e))
      (func $odd (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))
      (func $even (export "even") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
          (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
      (func (export "escapes") (result i32)
        (try (result i32) (do (return_call $throws_i32)) (catch $e (i32.const 7))))
      (func $throws_i32 (result i32) (call $throws) (i32.const 0)))`;
    const bytes = await watAll(source);
    const { exports } = instantiateMetered(bytes, { fuel: 1e12 });
    // An exported function and an internal one tail-call each other a million times.
    expect(exports.even(1_000_001)).toBe(0);
    // The callee's exception is not caught by the try around the tail call (it left the frame).
    // (WebAssembly.Exception is not in TypeScript's DOM types yet.)
    const WasmException = (WebAssembly as unknown as { Exception: new (...args: never[]) => Error })
      .Exception;
    expect(() => exports.escapes()).toThrow(WasmException);
    expect(() => instantiatePlain(bytes).escapes()).toThrow(WasmException);
  });
});
