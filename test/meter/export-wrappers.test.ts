/**
 * Which exports get a wrapper: only those the module reaches itself (a direct call, a tail
 * call, `ref.func`, an element segment). The others are exported as they are, with the plain
 * convention, and count exactly the same fuel (docs/fuel.md, "Where the counter lives").
 */
import { describe, expect, it } from 'vitest';
import { meterModule } from '../../host/meter/index.js';
import { instantiateMetered, toText, watAll } from './support.js';

const MODULE = `(module
  (table $t 1 funcref)
  (elem (i32.const 0) $inTable)
  (global $ref funcref (ref.func $inGlobal))
  (func $alone (export "alone") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $tail (export "tail") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))
      (else (return_call $tail (i32.sub (local.get 0) (i32.const 1))))))
  (func $inTable (export "inTable") (result i32) (i32.const 5))
  (func $inGlobal (export "inGlobal") (result i32) (i32.const 6))
  (func $refd (export "refd") (result i32) (i32.const 8))
  (func (export "takesRef") (result funcref) (ref.func $refd))
  (func (export "indirect") (result i32) (call_indirect $t (result i32) (i32.const 0))))`;

describe('export wrappers', () => {
  it('only exports the module reaches itself get one', async () => {
    const text = await toText(meterModule(await watAll(MODULE)));
    // Never reached from inside: exported as it is, in the plain convention.
    expect(text).toContain('(export "alone" (func $alone))');
    expect(text).toMatch(/\(func \$alone \(type \d+\) \(param i32 i32\) \(result i32\)/);
    // Reached (call, return_call, element, global, ref.func): a wrapper stands for it.
    for (const name of ['fib', 'tail', 'inTable', 'inGlobal', 'refd'])
      expect(text).toContain(`(export "${name}" (func $${name}.1))`);
    expect(text).toMatch(/\(func \$fib \(type \d+\) \(param i32 i64\) \(result i32 i64\)/);
  });

  it('counts the same fuel with and without wrappers, as the global strategy does', async () => {
    const bytes = await watAll(MODULE);
    const local = instantiateMetered(bytes);
    const global = instantiateMetered(bytes, {}, { strategy: 'global' });
    for (const [name, args, value] of [
      ['alone', [2, 3], 5],
      ['fib', [15], 610],
      ['tail', [1000], 7],
      ['inTable', [], 5],
      ['inGlobal', [], 6],
      ['refd', [], 8],
      ['indirect', [], 5],
    ] as const) {
      const before = [local.meter.used(), global.meter.used()];
      expect(local.exports[name](...args)).toBe(value);
      expect(global.exports[name](...args)).toBe(value);
      expect(local.meter.used() - before[0]!).toBe(global.meter.used() - before[1]!);
      expect(local.meter.used() - before[0]!).toBeGreaterThan(0);
    }
  });

  it('an unwrapped export still runs out of fuel where the counter says', async () => {
    const bytes = await watAll(`(module
      (func (export "spin") (param i32) (result i32) (local i32)
        (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
        (local.get 1)))`);
    expect(await toText(meterModule(bytes))).toContain('(export "spin" (func 3))');
    const { exports, meter } = instantiateMetered(bytes, { fuel: 1000 });
    expect(exports.spin(10)).toBe(10);
    expect(() => exports.spin(1_000_000)).toThrow(expect.objectContaining({ code: 'fuel-exhausted' }));
    expect(meter.exhausted()).toBe(true);
    expect(meter.remaining()).toBe(0);
  });

  it('wrappers and restart trampolines of functions of many parameters are sized right', async () => {
    // 300 i32 parameters: local.get indices of one, two and (in the restart's counter of a
    // function that passes fuel) more bytes; the pass writes each appended function after its
    // size, computed before it is written.
    const count = 300;
    const params = Array.from({ length: count }, () => 'i32').join(' ');
    const args = Array.from({ length: count - 1 }, (_, i) => `(local.get ${i + 1})`).join(' ');
    const bytes = await watAll(`(module
      (func $many (export "many") (param ${params}) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (local.get ${count - 1}))
          (else (call $many (i32.sub (local.get 0) (i32.const 1)) ${args}))))
      (func (export "plain") (param ${params}) (result i32) (local.get 299)))`);
    for (const options of [{}, { strategy: 'global' as const }, { counter: 'defined' as const }]) {
      const metered = meterModule(bytes, options);
      expect(WebAssembly.validate(metered as Uint8Array<ArrayBuffer>)).toBe(true);
      const text = await toText(metered);
      expect(text).toContain('local.get 299');
    }
    const { exports, meter } = instantiateMetered(bytes);
    const values = Array.from({ length: count }, (_, i) => i);
    values[0] = 3;
    expect(exports.many(...values)).toBe(count - 1);
    expect(exports.plain(...values)).toBe(count - 1);
    expect(meter.used()).toBeGreaterThan(0);
  });
});
