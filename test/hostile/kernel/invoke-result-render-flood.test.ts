/**
 * Attack: return a long list from an export called through `invoke`/`invokeSync`, whose result
 * is rendered as JSON after the call: a `list<u8>` is lifted as a copy at a byte's price, then
 * rendered one number an element, and a `list<u64>` of values past 2^53 one string an element.
 * Nothing priced or bounded the rendering: a 16 MiB byte list held the kernel's thread 41 s
 * (past the call's 30 s deadline, which had stopped counting) and took 307 MB of heap, a list of
 * 4 Mi such `u64`s 25 s and 282 MB, at load 23, for 42-84 million fuel; a `result::err`'s payload
 * the same. Now the rendering is admitted before it is made: a rendering past the call's byte cap
 * (`limits.memoryBytes`) is a `trap`, and one within it is charged at its heap bytes and
 * `VALUE_RENDER_BYTES` a value.
 */
import { expect, it } from 'vitest';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import { Kernel } from '../../../host/index.js';
import { VALUE_RENDER_BYTES, WIDE_RENDER_BYTES } from '../../../host/kernel/values.js';
import { componentFromWat } from '../../helpers/components.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';

const WIT = `package keel:hostile;
world w {
  export bytes: func(len: u32) -> list<u8>;
  export wides: func(len: u32) -> list<u64>;
  export failing: func(len: u32) -> result<u32, list<u8>>;
}`;

/** Each export fills len elements of 0xff from 64 and returns them (failing: as its error). */
const WAT = `(module
  (memory (export "memory") 1024)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "bytes") (param $len i32) (result i32)
    (memory.fill (i32.const 64) (i32.const 0xff) (local.get $len))
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (local.get $len)) (i32.const 0))
  (func (export "wides") (param $len i32) (result i32)
    (memory.fill (i32.const 64) (i32.const 0xff) (i32.shl (local.get $len) (i32.const 3)))
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (local.get $len)) (i32.const 0))
  (func (export "failing") (param $len i32) (result i32)
    (memory.fill (i32.const 64) (i32.const 0xff) (local.get $len))
    (i32.store (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 64)) (i32.store (i32.const 8) (local.get $len)) (i32.const 0)))`;

const MiB = 1024 * 1024;

it('invoke result render flood: a long result is bounded and priced before it is rendered as JSON', async () => {
  const kernel = new Kernel({
    cacheDir: false,
    limits: { fuel: Number.MAX_SAFE_INTEGER, fuelTotal: Number.MAX_SAFE_INTEGER, deadlineMs: 600_000 },
  });
  try {
    const component = await kernel.load(await componentFromWat(WAT, WIT, 'w'));
    // Past the cap: 16 Mi numbers (128 MiB rendered) or 1 Mi strings of 20 digits, a result or an error.
    for (const [name, len] of [
      ['bytes', 16 * MiB],
      ['wides', MiB],
      ['failing', 16 * MiB],
    ] as const) {
      const sandbox = await kernel.spawn(component);
      const heap = process.memoryUsage().heapUsed;
      const started = performance.now();
      let code: string | undefined;
      try {
        sandbox.invokeSync(name, [len]);
      } catch (error) {
        code = (error as { code?: string }).code;
      }
      expect(code, name).toBe('trap');
      expect(sandbox.state, name).toBe('poisoned');
      // Before: 41 s and 307 MB for the byte list (load 23); the lift's own copy stays.
      expect(performance.now() - started, name).toBeLessThan(10_000);
      expect(process.memoryUsage().heapUsed - heap, name).toBeLessThan(48 * MiB);
      // The typed path returns the list as it is: nothing to render.
      const fresh = await kernel.spawn(component);
      expect(fresh.fn<(n: number) => Uint8Array>('bytes')(16 * MiB).length).toBe(16 * MiB);
    }
    // Within it: each value rendered pays, a result's or an error's.
    const sandbox = await kernel.spawn(component);
    const fuel = (name: string, len: number) => sandbox.invokeSync(name, [len]).fuel.used;
    const price = (values: number, bytesEach: number) =>
      values * (bytesEach + VALUE_RENDER_BYTES) * DEFAULT_HOST_COSTS.byte;
    expect(fuel('bytes', MiB) - fuel('bytes', 1)).toBeGreaterThanOrEqual(price(MiB - 1, 8));
    expect(fuel('wides', 1024) - fuel('wides', 1)).toBeGreaterThanOrEqual(
      price(1023, 64 + WIDE_RENDER_BYTES),
    );
    expect(fuel('failing', MiB) - fuel('failing', 1)).toBeGreaterThanOrEqual(price(MiB - 1, 8));
    expect((sandbox.invokeSync('wides', [1]).value as string[])[0]).toBe('18446744073709551615');
    const ratio = await spinRatios(kernel, {
      bytes: () => nsPerFuel(() => sandbox.invokeSync('bytes', [256 * 1024])),
      wides: () => nsPerFuel(() => sandbox.invokeSync('wides', [64 * 1024])),
    });
    expect(ratio.bytes).toBeLessThan(10);
    expect(ratio.wides).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 300_000);
