/**
 * Attack: an outer component catches an inner component's trap. A nested component's export,
 * lowered into its parent's core module, fails (a WebAssembly trap, an exception it throws, a
 * canonical ABI trap lifting its result); the parent's core code, built with legacy exception
 * handling, catches what the host's trampoline threw into it (`catch_all`) and returns normally.
 * Before the fix the call returned 7 and the sandbox stayed `ready` after its inner component
 * trapped. Must: the call fails with the inner component's error (a `trap`) through `fn` and
 * `invokeSync`, the sandbox poisoned, and a second call of the inner export from the same call
 * is refused with the same error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type ModuleHandle } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { WAT_ALL_FEATURES, wat } from '../../../scripts/lib/wat.js';

/** The inner component's export `f(how)`: 0 returns, 1 traps, 2 throws, 3 returns a string past memory. */
const INNER = `(component $inner
    (core module $m
      (tag $t)
      (memory (export "memory") 1)
      (global $calls (mut i32) (i32.const 0))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64))
      (func (export "f") (param $how i32) (result i32)
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (if (i32.eq (local.get $how) (i32.const 1)) (then unreachable))
        (if (i32.eq (local.get $how) (i32.const 2)) (then (throw $t)))
        (i32.const 1))
      (func (export "s") (param $how i32) (result i32)
        (i32.store (i32.const 16) (i32.const 0xfffffff0))
        (i32.store (i32.const 20) (i32.const 100))
        (i32.const 16))
      (func (export "calls") (result i32) (global.get $calls)))
    (core instance $i (instantiate $m))
    (func (export "f") (param "how" u32) (result u32) (canon lift (core func $i "f")))
    (func (export "s") (param "how" u32) (result string)
      (canon lift (core func $i "s") (memory $i "memory") (realloc (func $i "realloc"))))
    (func (export "calls") (result u32) (canon lift (core func $i "calls"))))`;

/**
 * The parent's core module as wasm-tools' text has it (its parser does not take legacy `try`):
 * the same imports and export, a stand-in body. Its bytes are replaced with wabt's output of
 * `OUTER_WAT` (`withCoreModule`).
 */
const OUTER_STANDIN = `(import "in" "f" (func $f (param i32) (result i32)))
    (import "in" "s" (func $s (param i32 i32)))
    (import "in" "calls" (func $calls (result i32)))
    (func (export "run") (param i32 i32) (result i32) (i32.const 0))`;

const OUTER = `(component
  ${INNER}
  (instance $in (instantiate $inner))
  (core module $mem (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 256)))
  (core instance $mi (instantiate $mem))
  (core func $f (canon lower (func $in "f")))
  (core func $s (canon lower (func $in "s") (memory $mi "memory") (realloc (func $mi "realloc"))))
  (core func $calls (canon lower (func $in "calls")))
  (core module $outer ${OUTER_STANDIN})
  (core instance $o (instantiate $outer
    (with "in" (instance (export "f" (func $f)) (export "s" (func $s)) (export "calls" (func $calls))))))
  (func (export "run") (param "how" u32) (param "again" u32) (result u32) (canon lift (core func $o "run"))))`;

/** The parent's core module: it catches what the inner component's failure threw into it. */
const OUTER_WAT = `(module
    (import "in" "f" (func $f (param i32) (result i32)))
    (import "in" "s" (func $s (param i32 i32)))
    (import "in" "calls" (func $calls (result i32)))
    (func $attack (param $how i32)
      (if (i32.eq (local.get $how) (i32.const 3))
        (then (call $s (i32.const 0) (i32.const 32)))
        (else (drop (call $f (local.get $how))))))
    (func (export "run") (param $how i32) (param $again i32) (result i32)
      (try (do (call $attack (local.get $how))) (catch_all))
      ;; Into the inner component again, in the same call.
      (if (local.get $again) (then (drop (call $f (i32.const 0)))))
      (i32.const 7)))`;

/** An unsigned LEB128 at `at`: its value and where it ends. */
function leb(bytes: Uint8Array, at: number): [value: number, end: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

function encodeLeb(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n = Math.floor(n / 128);
    out.push(n > 0 ? b | 0x80 : b);
  } while (n > 0);
  return out;
}

/** The component with its `index`th top-level core module (section 1) replaced by `core`. */
function withCoreModule(component: Uint8Array, index: number, core: Uint8Array): Uint8Array {
  let at = 8;
  let seen = 0;
  while (at < component.length) {
    const id = component[at]!;
    const [size, start] = leb(component, at + 1);
    if (id === 1 && seen++ === index) {
      return new Uint8Array([
        ...component.subarray(0, at),
        1,
        ...encodeLeb(core.length),
        ...core,
        ...component.subarray(start + size),
      ]);
    }
    at = start + size;
  }
  throw new Error('no such core module');
}

let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  const core = await wat(OUTER_WAT, 'outer.wat', WAT_ALL_FEATURES);
  module = await kernel.load(withCoreModule(await parse(OUTER), 1, core));
});
afterAll(() => kernel.close());

const INNER_FAILURES = {
  'a WebAssembly trap': { how: 1, message: /unreachable/ },
  'an exception it throws': { how: 2, message: /uncaught WebAssembly exception/ },
  'a canonical ABI trap lifting its result': { how: 3, message: /run past the end of memory/ },
};

it('outer catches inner trap: a benign call returns', async () => {
  const sandbox = await kernel.spawn(module);
  expect(sandbox.fn<(how: number, again: number) => number>('run')(0, 1)).toBe(7);
  expect(sandbox.invokeSync('run', [0, 1]).value).toBe(7);
});

for (const [failure, { how, message }] of Object.entries(INNER_FAILURES)) {
  it(`outer catches inner trap (${failure}): the call fails with it, the sandbox poisoned`, async () => {
    for (const again of [0, 1]) {
      for (const path of ['fn', 'invokeSync'] as const) {
        const sandbox = await kernel.spawn(module);
        const call = () =>
          path === 'fn'
            ? sandbox.fn<(how: number, again: number) => number>('run')(how, again)
            : sandbox.invokeSync('run', [how, again]).value;
        expect(call, `${path}, again ${again}`).toThrow(
          expect.objectContaining({ code: 'trap', message: expect.stringMatching(message) }),
        );
        expect(sandbox.state).toBe('poisoned');
      }
    }
  });
}
