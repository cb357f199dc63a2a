/**
 * A `result<T, E>` export: `ok` is the value; `err` is a value too, not a failure. `invoke`
 * hands it back as `{ tag: 'err', val }`; the fast path throws it as jco's glue does (a
 * ComponentError carrying the payload). Either way the sandbox stays usable.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../host/index.js';
import { componentFromWat, tempCacheDir } from '../helpers/components.js';

const WAT = `(module
  (memory (export "memory") 1)
  (data (i32.const 100) "zero")
  ;; check(x): ok(x * 2), or err("zero") when x is 0. The result is written at 200.
  (func (export "check") (param $x i32) (result i32)
    (if (i32.eqz (local.get $x))
      (then
        (i32.store8 (i32.const 200) (i32.const 1))
        (i32.store (i32.const 204) (i32.const 100))
        (i32.store (i32.const 208) (i32.const 4)))
      (else
        (i32.store8 (i32.const 200) (i32.const 0))
        (i32.store (i32.const 204) (i32.mul (local.get $x) (i32.const 2)))))
    (i32.const 200)))`;
const WIT = `package docs:check@0.1.0;
world checker { export check: func(x: u32) -> result<u32, string>; }`;

let kernel: Kernel;
let sandbox: Sandbox;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: tempCacheDir() });
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'checker'));
  sandbox = await kernel.spawn(module);
});
afterAll(() => kernel.close());

it('invoke returns ok values and err values alike, and the sandbox goes on', async () => {
  expect((await sandbox.invoke('check', [21])).value).toEqual(42);
  expect((await sandbox.invoke('check', [0])).value).toEqual({ tag: 'err', val: 'zero' });
  expect(sandbox.state).toBe('ready');
  expect((await sandbox.invoke('check', [1])).value).toEqual(2);
});

it('the fast path returns ok and throws err with its payload, and the sandbox goes on', () => {
  const check = sandbox.fn<(x: number) => number>('check');
  expect(check(5)).toBe(10);
  expect(() => check(0)).toThrow(expect.objectContaining({ payload: 'zero' }));
  expect(sandbox.state).toBe('ready');
  expect(check(7)).toBe(14);
});
