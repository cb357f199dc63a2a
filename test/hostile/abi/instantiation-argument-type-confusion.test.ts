/**
 * Attack: a composed component instantiates a nested component with arguments of other types
 * than its imports declare: an instance whose function takes a `u32` where the import says a
 * `string` (the caller lowers a pointer and a length, the callee lifts a number), a type argument
 * of another type than an `eq` bound, a function whose parameters are named otherwise.
 * Must: `invalid-module` at load, as wasmparser refuses them (the component model's reference
 * tests, validation/instantiation.wast). Before, the nested component's imports were checked by
 * sort only: each loaded and spawned, the nested component's declarations ignored (its import
 * bound to the argument's own type: a core module written against the argument's type ran).
 */
import { expect, it } from 'vitest';
import { componentText, expectContained, launch } from './support.js';

const CALLEE = `(component $C
    (core module $M (func (export "a") (param i32) (result i32) (local.get 0)))
    (core instance $m (instantiate $M))
    (func (export "a") (param "x" u32) (result u32) (canon lift (core func $m "a"))))`;

const CONFUSED_INSTANCE = `(component
  ${CALLEE}
  (component $D
    (import "i" (instance $i (export "a" (func (param "x" string) (result u32)))))
    (core module $Libc (memory (export "mem") 1))
    (core instance $libc (instantiate $Libc))
    (core func $a (canon lower (func $i "a") (memory $libc "mem")))
    (core module $Main
      (import "" "a" (func $a (param i32) (result i32)))
      (func (export "run") (result i32) (call $a (i32.const 1234))))
    (core instance $main (instantiate $Main (with "" (instance (export "a" (func $a))))))
    (func (export "run") (result u32) (canon lift (core func $main "run"))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "i" (instance $c))))
  (func (export "run") (alias export $d "run")))`;

const CONFUSED_TYPE = `(component
  (component $c (type $t (tuple u8)) (import "x" (type (eq $t))))
  (type $x (tuple u16))
  (instance (instantiate $c (with "x" (type $x)))))`;

const RENAMED_PARAMETER = `(component
  ${CALLEE}
  (component $D (import "a" (func (param "y" u32) (result u32))))
  (instance $c (instantiate $C))
  (instance (instantiate $D (with "a" (func $c "a")))))`;

for (const [name, text] of [
  ['an instance whose function has another type', CONFUSED_INSTANCE],
  ['a type argument of another type than its eq bound', CONFUSED_TYPE],
  ['a function whose parameter is named otherwise', RENAMED_PARAMETER],
] as const) {
  it(`instantiation-argument-type-confusion: ${name} is invalid-module at load`, async () => {
    const aftermath = await launch({ component: () => componentText(text), call: 'run' });
    expectContained(aftermath, 'invalid-module');
    expect(aftermath.error!.message).toMatch(/instantiation argument/);
  });
}
