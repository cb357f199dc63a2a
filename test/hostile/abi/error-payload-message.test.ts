/**
 * Attack: return a `result::err` whose payload makes its error's message expensive or impossible.
 * An export's `err` is thrown as a `ComponentError` (through `fn`, and through `invoke` before it
 * becomes `{ tag: 'err' }`) whose message was `String(payload)`: a list joined every element (a
 * 16 MiB byte list: a 64 MB string, seconds of the kernel's thread, unpriced), and a record with
 * fields `to-string` and `value-of` (JavaScript's `toString` and `valueOf`, numbers) made
 * `String` throw a TypeError: a valid value refused as the embedder's `invalid-argument`
 * ("Cannot convert object to primitive value"). Now a list is described by its length and an
 * object by its tag, neither rendered nor asked.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const WIT = `package keel:hostile;
world w {
  record r { to-string: u32, value-of: u32 }
  export named: func() -> result<u32, r>;
  export long: func(len: u32) -> result<u32, list<u8>>;
}`;

const WAT = `(module
  (memory (export "memory") 1024)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "named") (result i32)
    (i32.store (i32.const 0) (i32.const 1)) (i32.store (i32.const 4) (i32.const 7)) (i32.const 0))
  (func (export "long") (param $len i32) (result i32)
    (memory.fill (i32.const 64) (i32.const 0xff) (local.get $len))
    (i32.store (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 64)) (i32.store (i32.const 8) (local.get $len)) (i32.const 0)))`;

const LONG = 16 * 1024 * 1024;

it('error payload message: an err payload becomes an error without being rendered or asked', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const component = await kernel.load(await componentFromWat(WAT, WIT, 'w'));
    const sandbox = await kernel.spawn(component);
    // A record whose fields are named as Object.prototype's methods is a value like any other.
    expect(sandbox.invokeSync('named', [])).toMatchObject({
      value: { tag: 'err', val: { toString: 7, valueOf: 0 } },
      err: true,
    });
    let thrown: unknown;
    try {
      sandbox.fn<() => number>('named')();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'ComponentError', payload: { toString: 7, valueOf: 0 } });
    expect(sandbox.state).toBe('ready');
    // A long list's error is made at once, its message a line.
    const long = sandbox.fn<(n: number) => number>('long');
    const started = performance.now();
    for (let i = 0; i < 4; i++) {
      try {
        long(LONG);
        thrown = undefined;
      } catch (error) {
        thrown = error;
      }
      expect((thrown as { payload: Uint8Array }).payload.length).toBe(LONG);
      expect((thrown as Error).message.length).toBeLessThan(100);
    }
    // Before: a 64 MB message joined each time, seconds at load 20.
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(sandbox.state).toBe('ready');
  } finally {
    await kernel.close();
  }
}, 120_000);
