/**
 * Attack: a component names record fields and flags after members every JavaScript object
 * inherits (`constructor`, `to-string` → `toString`, `value-of`, `has-own-property`). Read as
 * plain properties, a missing field or flag was `Object.prototype`'s function: `{}` for flags
 * that are all false, or for a record whose fields are options, was refused as
 * invalid-argument ("flag constructor: expected a boolean, got a function"), through `fn` and
 * through `invoke`'s JSON alike. Such fields and flags are read as own properties only.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../../host/index.js';
import { hostileComponent, REALLOC } from './support.js';

let kernel: Kernel;
let sandbox: Sandbox;

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  const component = await hostileComponent(
    `(func (export "flags") (param i32) (result i32) (local.get 0))
    (func (export "rec") (param i32 i32 i32 i32) (result i32)
      (i32.add (i32.mul (local.get 0) (local.get 1)) (i32.mul (i32.const 1000) (i32.mul (local.get 2) (local.get 3)))))
    ${REALLOC}`,
    `world w {
      flags fl { %constructor, to-string, value-of, has-own-property, is-prototype-of }
      record rr { %constructor: option<u32>, to-string: option<u32> }
      export %flags: func(x: fl) -> fl;
      export rec: func(x: rr) -> u32;
    }`,
  );
  sandbox = await kernel.spawn(await kernel.load(component));
});
afterAll(() => kernel.close());

const NONE = {
  constructor: false,
  toString: false,
  valueOf: false,
  hasOwnProperty: false,
  isPrototypeOf: false,
};

it('flags named after inherited members: a missing flag is false (fn)', () => {
  expect(sandbox.fn('flags')({})).toEqual(NONE);
  expect(sandbox.fn('flags')({ toString: true })).toEqual({ ...NONE, toString: true });
  expect(sandbox.fn('flags')({ constructor: true, isPrototypeOf: true })).toEqual({
    ...NONE,
    constructor: true,
    isPrototypeOf: true,
  });
  const lifted = sandbox.fn('flags')({ valueOf: true }) as Record<string, boolean>;
  expect(Object.hasOwn(lifted, 'valueOf')).toBe(true);
});

it('flags named after inherited members: a missing flag is false (invoke)', () => {
  expect(sandbox.invokeSync('flags', [{}]).value).toEqual(NONE);
  expect(sandbox.invokeSync('flags', [{ 'to-string': true }]).value).toEqual({ ...NONE, toString: true });
});

it('record fields named after inherited members: a missing option field is none', () => {
  expect(sandbox.fn('rec')({})).toBe(0);
  expect(sandbox.fn('rec')({ constructor: 3 })).toBe(3);
  expect(sandbox.fn('rec')({ toString: 4 })).toBe(4000);
  expect(sandbox.invokeSync('rec', [{}]).value).toBe(0);
  expect(sandbox.invokeSync('rec', [{ 'to-string': 5 }]).value).toBe(5000);
});

it('an inherited member is still no value: a field of the wrong type is refused', () => {
  expect(() => sandbox.fn('rec')({ constructor: 'x' })).toThrow(/field constructor/);
  expect(() => sandbox.fn('flags')({ toString: 1 })).toThrow(/flag to-string/);
});
