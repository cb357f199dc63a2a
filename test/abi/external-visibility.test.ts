/**
 * External visibility of types (the Explainer; wasmparser's validator): a function, type or
 * instance a component imports or exports may name a record, variant, enum, flags or resource
 * only through a type the component itself imported or exported by name. Before, Keel accepted
 * any (values lift and lower by structure), and 14 commands of the component model's
 * validation/external-visibility.wast failed. These are the class, beyond the script's examples:
 * each direction, each sort that names types, types reached through structural ones, nested
 * components, bags of exports and a resource's new identity under its export.
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { loadOutcome } from '../helpers/components.js';

const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

const CORE = `(core module $m
    (memory (export "mem") 1)
    (func (export "f") (result i32) unreachable)
    (func (export "g") (param i32))
    (func (export "r") (param i32 i32 i32 i32) (result i32) unreachable))
  (core instance $i (instantiate $m))
  (alias core export $i "mem" (core memory $mem))`;

async function outcome(body: string): Promise<string> {
  return loadOutcome(kernel, await parse(`(component ${CORE}\n${body})`));
}

const REFUSED = /^invalid-module: .*not valid to be used as an? (export|import)/;

it('refused: an unnamed record, variant, enum or flags reached through lists, options, tuples and results', async () => {
  for (const [def, use] of [
    ['(type $t (record (field "x" u32)))', '(list $t)'],
    ['(type $t (variant (case "a") (case "b" u8)))', '(option $t)'],
    ['(type $t (enum "a" "b"))', '(tuple u8 $t)'],
    ['(type $t (flags "a" "b"))', '(result u8 (error $t))'],
  ]) {
    expect(
      await outcome(`${def}
        (func $f (result ${use}) (canon lift (core func $i "f") (memory $mem)))
        (export "f" (func $f))`),
    ).toMatch(REFUSED);
  }
});

it('refused: a parameter naming the unexported original when the type was exported under another index', async () => {
  expect(
    await outcome(`(type $t (enum "a" "b"))
      (export $t2 "t" (type $t))
      (func $f (param "x" $t) (canon lift (core func $i "g")))
      (export "f" (func $f))`),
  ).toMatch(REFUSED);
});

it('refused: a type exported whose field names an unnamed record', async () => {
  expect(
    await outcome(`(type $in (record (field "x" u32)))
      (type $out (record (field "in" $in)))
      (export "out" (type $out))`),
  ).toMatch(REFUSED);
});

it('refused: an import naming an exported (not imported) or unnamed type', async () => {
  expect(await outcome(`(type $t (flags "a")) (import "f" (func (param "x" $t)))`)).toMatch(REFUSED);
  expect(
    await outcome(`(type $t (flags "a")) (export $t2 "t" (type $t)) (import "f" (func (param "x" $t2)))`),
  ).toMatch(REFUSED);
});

it('refused: a resource named by its definition after it was exported under a new index', async () => {
  expect(
    await outcome(`(type $R (resource (rep i32)))
      (export $R2 "r" (type $R))
      (type $o (own $R))
      (func $f (result $o) (canon lift (core func $i "f")))
      (export "f" (func $f))`),
  ).toMatch(REFUSED);
});

it('refused: a bag of exports, and a nested component, exporting a function of an unnamed record', async () => {
  expect(
    await outcome(`(type $t (record (field "x" u32)))
      (func $f (result $t) (canon lift (core func $i "f") (memory $mem)))
      (instance $bag (export "f" (func $f)))
      (export "bag" (instance $bag))`),
  ).toMatch(/^invalid-module: .*instance "bag" is not valid to be used as an export/);
  expect(
    await outcome(`(component $c
        (core module $m (func (export "f") (result i32) unreachable))
        (core instance $i (instantiate $m))
        (type $t (enum "a"))
        (func $f (result $t) (canon lift (core func $i "f")))
        (export "f" (func $f)))
      (instance (instantiate $c))`),
  ).toMatch(REFUSED);
});

it('loads: names given by export, by an import (eq or an instance), by ascription, and in bags', async () => {
  expect(
    await outcome(`(type $t (record (field "x" u32)))
      (export $t2 "t" (type $t))
      (type $l (list $t2))
      (func $f (result $l) (canon lift (core func $i "f") (memory $mem) (realloc (func $i "r"))))
      (export "f" (func $f))
      (func $g (result $t) (canon lift (core func $i "f") (memory $mem)))
      (export "g" (func $g) (func (result $t2)))
      (instance $bag (export "t" (type $t2)) (export "f" (func $f)))
      (export "bag" (instance $bag))`),
  ).toBe('loaded');
  expect(
    await outcome(`(type $e' (enum "a" "b"))
      (import "e" (type $e (eq $e')))
      (import "i" (instance $imp
        (type $v (variant (case "x" u8)))
        (export "v" (type $v2 (eq $v)))
        (export "r" (type (sub resource)))
        (export "h" (func (param "v" $v2)))))
      (alias export $imp "r" (type $r))
      (type $o (own $r))
      (import "take" (func (param "e" $e) (param "o" $o)))
      (func $f (param "e" $e) (canon lift (core func $i "g")))
      (export "f" (func $f))`),
  ).toBe('loaded');
  expect(
    await outcome(`(type $R (resource (rep i32)))
      (export $R2 "r" (type $R))
      (type $o (own $R2))
      (func $f (result $o) (canon lift (core func $i "f")))
      (export "f" (func $f))`),
  ).toBe('loaded');
});
