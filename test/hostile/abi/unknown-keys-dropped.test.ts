/**
 * Attack (on the embedder's intent): a record or flags value given to an export through `fn`
 * with a key its type does not name — a typo (`{ reed: true }` for `read`), a field of another
 * version of the WIT, `__proto__` — was silently dropped: the guest ran with the flag unset or
 * the field missing, while `invoke`'s JSON refused the same value. Every entry refuses it now as
 * invalid-argument naming the key and the type's keys (a provider's result lowered into the
 * guest is still read as its fields only: its own objects may carry more).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../../host/index.js';
import { hostileComponent, REALLOC } from './support.js';

let kernel: Kernel;
let sandbox: Sandbox;

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  const component = await hostileComponent(
    `(func (export "perms") (param i32) (result i32) (local.get 0))
    (func (export "area") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
    (func (export "nested") (param i32 i32 i32) (result i32) (i32.add (local.get 0) (i32.mul (local.get 1) (local.get 2))))
    ${REALLOC}`,
    `world w {
      flags perm { read, write, exec }
      record size { width: u32, height: u32 }
      export perms: func(p: perm) -> perm;
      export area: func(s: size) -> u32;
      export nested: func(t: tuple<perm, size>) -> u32;
    }`,
  );
  sandbox = await kernel.spawn(await kernel.load(component));
});
afterAll(() => kernel.close());

it('unknown-keys-dropped: a flag name the type does not have is invalid-argument through fn', () => {
  expect(sandbox.fn('perms')({ read: true })).toEqual({ read: true, write: false, exec: false });
  const typo = () => sandbox.fn('perms')({ reed: true });
  expect(typo).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  expect(typo).toThrow(/unknown flag "reed" \(read, write, exec\)/);
});

it('unknown-keys-dropped: a record field the type does not have is invalid-argument through fn', () => {
  expect(sandbox.fn('area')({ width: 3, height: 4 })).toBe(12);
  expect(() => sandbox.fn('area')({ width: 3, height: 4, depth: 5 })).toThrow(
    /argument 1 \(s: record \{ width: u32, height: u32 \}\) of "area": unknown field "depth" \(width, height\)/,
  );
  const proto = JSON.parse('{"width": 3, "height": 4, "__proto__": {"x": 1}}');
  expect(() => sandbox.fn('area')(proto)).toThrow(/unknown field "__proto__"/);
});

it('unknown-keys-dropped: nested values are checked too, and every entry agrees', () => {
  const bad = [{ read: true }, { width: 2, height: 5, extra: 0 }];
  expect(() => sandbox.fn('nested')(bad)).toThrow(/element 1: unknown field "extra"/);
  expect(() => sandbox.invokeSync('nested', [bad])).toThrow(/unknown field "extra"/);
  expect(sandbox.fn('nested')([{ read: true }, { width: 2, height: 5 }])).toBe(11);
});

it('unknown-keys-dropped: the sandbox is not poisoned by a refused argument', () => {
  expect(() => sandbox.fn('area')({ width: 1, height: 1, z: 1 })).toThrow();
  expect(sandbox.fn('area')({ width: 6, height: 7 })).toBe(42);
});
