/**
 * Attack: throw a core WebAssembly exception (`throw`, exception handling as V8 ships it) out of
 * an export, out of a start function, or out of a nested component's export called by its
 * parent. The failure was sorted as `internal` ("unexpected failure ... [object
 * WebAssembly.Exception]"): a guest could make its call end as the host's own bug. An exception
 * has no meaning across the component model's boundary: now it is a `trap`, through `fn`,
 * `invoke` and `spawn`, and the sandbox is poisoned as after any trap.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';

const THROWS = `(core module $m (tag $t (param i32))
    (func (export "f") (param i32) (result i32) (throw $t (local.get 0)))
    (func (export "g") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))`;
const C = `(component
  ${THROWS}
  (func (export "f") (param "a" u32) (result u32) (canon lift (core func $i "f")))
  (func (export "g") (param "a" u32) (result u32) (canon lift (core func $i "g"))))`;
/** The same export, lifted by a nested component and lowered into its parent's core module. */
const NESTED = `(component
  (component $inner
    ${THROWS}
    (func (export "f") (param "a" u32) (result u32) (canon lift (core func $i "f"))))
  (instance $in (instantiate $inner))
  (core func $f (canon lower (func $in "f")))
  (core module $outer (import "in" "f" (func $f (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) (call $f (local.get 0))))
  (core instance $o (instantiate $outer (with "in" (instance (export "f" (func $f))))))
  (func (export "f") (param "a" u32) (result u32) (canon lift (core func $o "f"))))`;

const trapped = { code: 'trap', message: expect.stringMatching(/uncaught WebAssembly exception/) };

it('guest exception escapes: fn, fn after a call, invoke and a nested export end as a trap', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const module = await kernel.load(await parse(C));
    const calls: ((s: Awaited<ReturnType<Kernel['spawn']>>) => unknown)[] = [
      (s) => s.fn<(a: number) => number>('f')(1),
      (s) => {
        expect(s.fn<(a: number) => number>('g')(1)).toBe(1);
        return s.fn<(a: number) => number>('f')(1);
      },
      (s) => s.invokeSync('f', [1]),
    ];
    for (const call of calls) {
      const sandbox = await kernel.spawn(module);
      expect(() => call(sandbox)).toThrow(expect.objectContaining(trapped));
      expect(sandbox.state).toBe('poisoned');
    }
    await expect((await kernel.spawn(module)).invoke('f', [1])).rejects.toMatchObject(trapped);
    const nested = await kernel.spawn(await kernel.load(await parse(NESTED)));
    expect(() => nested.invokeSync('f', [1])).toThrow(expect.objectContaining(trapped));
  } finally {
    await kernel.close();
  }
});

it('guest exception escapes: a start function that throws fails its spawn as a trap', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const module = await kernel.load(
      await parse(`(component
  (core module $m (tag $t) (func $s (throw $t)) (start $s)
    (func (export "g") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))
  (func (export "g") (param "a" u32) (result u32) (canon lift (core func $i "g"))))`),
    );
    await expect(kernel.spawn(module)).rejects.toMatchObject(trapped);
  } finally {
    await kernel.close();
  }
});
