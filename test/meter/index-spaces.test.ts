/**
 * Adding imports moves every defined function up by 3 and every defined global up by 1. Calls,
 * exports, elements, start, ref.func, constant expressions and the name section must follow.
 */
import { describe, expect, it } from 'vitest';
import { meterModule } from '../../host/meter/index.js';
import { wat } from '../helpers/wat.js';
import { instantiateMetered, toText } from './support.js';

const MODULE = `(module
  (import "env" "one" (func $one (result i32)))
  (import "env" "g" (global $imported i32))
  (import "env" "two" (func $two (result i32)))
  (global $defined (mut i32) (i32.const 5))
  (global $copy i32 (global.get $imported))
  (global $ref funcref (ref.func $three))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $one $three $two $four)
  (elem $passive funcref (ref.func $four) (ref.null func))
  (func $three (result i32) (i32.const 3))
  (func $four (result i32) (i32.const 4))
  (func $started (global.set $defined (i32.const 50)))
  (start $started)
  (func (export "callThree") (result i32) (call $three))
  (func (export "callOne") (result i32) (call $one))
  (func (export "indirect") (param i32) (result i32) (call_indirect $t (result i32) (local.get 0)))
  (func (export "passive") (result i32)
    (table.init $t $passive (i32.const 2) (i32.const 0) (i32.const 1))
    (call_indirect $t (result i32) (i32.const 2)))
  (func (export "viaGlobalRef") (result i32)
    (table.set $t (i32.const 3) (global.get $ref))
    (call_indirect $t (result i32) (i32.const 3)))
  (func (export "refFunc") (result i32)
    (table.set $t (i32.const 3) (ref.func $four))
    (call_indirect $t (result i32) (i32.const 3)))
  (func (export "defined") (result i32) (global.get $defined))
  (func (export "copy") (result i32) (global.get $copy))
  (export "four" (func $four))
  (export "two" (func $two))
  (export "g" (global $defined))
)`;

const env = () => ({
  env: { one: () => 1, two: () => 2, g: new WebAssembly.Global({ value: 'i32', mutable: false }, 77) },
});

describe('index spaces', () => {
  it('calls, exports, elements, start, ref.func and constant expressions still resolve', async () => {
    const { exports } = instantiateMetered(await wat(MODULE), {}, {}, env());
    expect(exports.callThree()).toBe(3);
    expect(exports.callOne()).toBe(1);
    expect([0, 1, 2, 3].map((i) => exports.indirect(i))).toEqual([1, 3, 2, 4]);
    expect(exports.passive()).toBe(4);
    expect(exports.viaGlobalRef()).toBe(3);
    expect(exports.refFunc()).toBe(4);
    expect(exports.defined()).toBe(50);
    expect(exports.copy()).toBe(77);
    expect(exports.four()).toBe(4);
    expect(exports.two()).toBe(2);
    expect(exports.g.value).toBe(50);
  });

  it('the name section follows the functions and globals it names', async () => {
    // wabt prints a name wherever the name section names the index used: a wrong renumbering
    // shows as a wrong name or a bare number.
    const text = await toText(meterModule(await wat(MODULE)));
    expect(text).toMatch(/\(import "env" "one" \(func \$one /);
    expect(text).toMatch(/\(import "env" "two" \(func \$two /);
    expect(text).toContain('call $three');
    expect(text).toContain('call $one');
    // $four is exported: its body passes fuel, and a wrapper of the same name (wabt shows it
    // as $four.1) stands for it wherever it escapes: export, elements, ref.func.
    expect(text).toContain('(func $four (type 5) (param i64) (result i32 i64)');
    expect(text).toContain('(func $four.1 (type 0) (result i32)');
    expect(text).toContain('ref.func $four.1');
    expect(text).toContain('global.get $defined');
    expect(text).toContain('global.set $defined');
    expect(text).toContain('(global $copy i32 (global.get $imported))');
    expect(text).toContain('(global $ref funcref (ref.func $three))');
    expect(text).toContain('func $one $three $two $four.1');
    expect(text).toContain('(start $started)');
    expect(text).toContain('(export "four" (func $four.1))');
    expect(text).toContain('(export "g" (global $defined))');
    expect(text).toMatch(/\(import "keel" "fuel" \(global \(;1;\) \(mut i64\)\)\)/);
    expect(text).toMatch(new RegExp(`\\(import "keel" "fuel_slice" \\(func \\(;${2};\\)`));
  });

  it('debug sections that name code offsets are dropped, other custom sections kept', async () => {
    const base = await wat('(module (func))');
    const custom = (name: string, payload: number[]) => {
      const nameBytes = [...new TextEncoder().encode(name)];
      const content = [nameBytes.length, ...nameBytes, ...payload];
      return [0, content.length, ...content];
    };
    const bytes = Uint8Array.from([
      ...base,
      ...custom('.debug_info', [1, 2, 3]),
      ...custom('producers', [0]),
      ...custom('sourceMappingURL', [1, 0x61]),
    ]);
    const module = new WebAssembly.Module(meterModule(bytes) as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.customSections(module, '.debug_info')).toHaveLength(0);
    expect(WebAssembly.Module.customSections(module, 'sourceMappingURL')).toHaveLength(0);
    expect(WebAssembly.Module.customSections(module, 'producers')).toHaveLength(1);
  });
});
