/**
 * Attack: a list argument whose byte size passes the canonical ABI's 32-bit lengths (a sparse
 * array of 2^28 records of 16 bytes: 4 GiB, made in no time). It is the caller's value that
 * cannot be lowered, so the call is `invalid-argument` before the guest's realloc is asked for
 * anything, and the sandbox carries on; before, it was a `trap` that poisoned the sandbox for
 * the embedder's mistake.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../../host/index.js';
import { hostileComponent } from './support.js';

let kernel: Kernel;
let sandbox: Sandbox;

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  const component = await hostileComponent(
    `(global $calls (mut i32) (i32.const 0))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (global.set $calls (i32.add (global.get $calls) (i32.const 1))) (i32.const 1024))
    (func (export "f") (param i32 i32) (result i32) (local.get 1))
    (func (export "reallocs") (result i32) (global.get $calls))`,
    `world w { record big { a: u64, b: u64 } export f: func(x: list<big>) -> u32; export reallocs: func() -> u32; }`,
  );
  sandbox = await kernel.spawn(await kernel.load(component));
});
afterAll(() => kernel.close());

it('a list argument of 4 GiB is invalid-argument, the guest untouched and still usable', () => {
  expect(() => sandbox.fn('f')(new Array(2 ** 28))).toThrow(
    expect.objectContaining({ code: 'invalid-argument', message: expect.stringMatching(/too long/) }),
  );
  expect(sandbox.state).not.toBe('poisoned');
  expect(sandbox.fn('reallocs')()).toBe(0);
  expect(sandbox.fn('f')([{ a: 1n, b: 2n }])).toBe(1);
  expect(sandbox.fn('reallocs')()).toBe(1);
});
