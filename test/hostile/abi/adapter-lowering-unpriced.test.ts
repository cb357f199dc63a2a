/**
 * Attack (review16 M2): strings one component passes another through an adapter. 0b7b127 priced
 * the lowering of a host function's result (LOWERED_ALLOC_BYTES an allocation) but not an
 * adapter's, whose lowering makes the same realloc calls (up to three a string since e335f3c):
 * a list of 2,000 one-character latin1 strings into utf8 cost the host 22x its fuel's compute,
 * empty utf8 strings 5.8x. Each adapter realloc is priced now. A caller passes a list of N
 * strings to a callee whose realloc returns one fixed pointer: host time per unit of fuel.
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { fuelRatio } from '../../helpers/fuel-ratio.js';

const N = 2_000;
const kernel = new Kernel({
  cacheDir: false,
  limits: { fuel: Number.MAX_SAFE_INTEGER, fuelTotal: Number.MAX_SAFE_INTEGER },
});
afterAll(() => kernel.close());

function component(src: string, dst: string, len: number): string {
  return `(component
  (component $callee
    (core module $m
      (memory (export "memory") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 4096))
      (func (export "take") (param i32 i32)))
    (core instance $m (instantiate $m))
    (func (export "take") (param "s" (list string))
      (canon lift (core func $m "take") (memory $m "memory") (realloc (func $m "realloc")) string-encoding=${dst})))
  (component $caller
    (import "take" (func $take (param "s" (list string))))
    (core module $libc (memory (export "memory") 1)
      (data (memory 0) (i32.const 0) "\\e9\\e9\\e9\\e9\\e9\\e9\\e9\\e9"))
    (core instance $libc (instantiate $libc))
    (core func $take (canon lower (func $take) (memory $libc "memory") string-encoding=${src}))
    (core module $m (import "" "take" (func $take (param i32 i32))) (import "" "memory" (memory 1))
      (func (export "run")
        (local $i i32)
        (loop $l
          (i32.store (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0))
          (i32.store (i32.add (i32.const 1028) (i32.shl (local.get $i) (i32.const 3))) (i32.const ${len}))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${N}))))
        (call $take (i32.const 1024) (i32.const ${N}))))
    (core instance $m (instantiate $m (with "" (instance (export "take" (func $take)) (export "memory" (memory $libc "memory"))))))
    (func (export "run") (canon lift (core func $m "run"))))
  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "take" (func $callee "take"))))
  (export "run" (func $caller "run")))`;
}

for (const [src, dst, len] of [
  ['utf8', 'utf8', 0],
  ['latin1+utf16', 'utf8', 1],
  ['utf16', 'latin1+utf16', 0],
] as const) {
  it(`${N} strings of ${len} units, ${src} -> ${dst}, through an adapter: host time per unit of fuel`, async () => {
    const sandbox = await kernel.spawn(await kernel.load(await parse(component(src, dst, len))));
    const fuel = sandbox.invokeSync('run', []).fuel.used;
    const ratio = await fuelRatio(() => sandbox.invokeSync('run', []).fuel.used);
    console.log(
      `adapter lowering: ${src} -> ${dst} len ${len}: ${fuel} fuel a call (${(fuel / N).toFixed(0)} an element), ${ratio.toFixed(1)}x compute per unit of fuel`,
    );
    sandbox.terminate('done');
    expect(ratio).toBeLessThan(10);
  }, 120_000);
}
