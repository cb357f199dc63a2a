/**
 * Attack (redteam17): lists one component passes another through an adapter. d38c611 priced
 * each realloc call an adapter makes for a string (LOWERED_ALLOC_BYTES and a byte's worth a
 * byte, as a host function's result is priced, 0b7b127), but not the allocation of a list: a
 * `list<list<bool>>` of 2,000 empty lists made 2,000 calls of the callee's realloc a call, each
 * at the price of its element's lifting (241 fuel), 5-7x compute per unit of fuel (load 7-12),
 * both ways (arguments into the callee, results into the caller). Each allocation an adapter
 * asks of a guest's realloc is priced now, either way. The callee's or caller's realloc returns
 * one fixed pointer.
 */
import { afterAll, expect, it } from 'vitest';
import { LOWERED_ALLOC_BYTES } from '../../../host/abi/context.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { fuelRatio } from '../../helpers/fuel-ratio.js';

const N = 2_000;
const kernel = new Kernel({
  cacheDir: false,
  limits: { fuel: Number.MAX_SAFE_INTEGER, fuelTotal: Number.MAX_SAFE_INTEGER },
});
afterAll(() => kernel.close());

const REALLOC = '(func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 32768))';

/** run(n): the caller hands the callee n empty lists (its memory's zeros at 1024). */
const ARGUMENTS = `(component
  (component $callee
    (core module $m (memory (export "memory") 1) ${REALLOC} (func (export "take") (param i32 i32)))
    (core instance $m (instantiate $m))
    (func (export "take") (param "s" (list (list bool)))
      (canon lift (core func $m "take") (memory $m "memory") (realloc (func $m "realloc")))))
  (component $caller
    (import "take" (func $take (param "s" (list (list bool)))))
    (core module $libc (memory (export "memory") 1))
    (core instance $libc (instantiate $libc))
    (core func $take (canon lower (func $take) (memory $libc "memory")))
    (core module $m (import "" "take" (func $take (param i32 i32)))
      (func (export "run") (param i32) (call $take (i32.const 1024) (local.get 0))))
    (core instance $m (instantiate $m (with "" (instance (export "take" (func $take))))))
    (func (export "run") (param "n" u32) (canon lift (core func $m "run"))))
  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "take" (func $callee "take"))))
  (export "run" (func $caller "run")))`;

/** run(n): the callee hands the caller n empty lists as its result. */
const RESULTS = `(component
  (component $callee
    (core module $m (memory (export "memory") 1)
      (func (export "give") (param i32) (result i32)
        (i32.store (i32.const 8) (i32.const 1024))
        (i32.store (i32.const 12) (local.get 0))
        (i32.const 8)))
    (core instance $m (instantiate $m))
    (func (export "give") (param "n" u32) (result (list (list bool)))
      (canon lift (core func $m "give") (memory $m "memory"))))
  (component $caller
    (import "give" (func $give (param "n" u32) (result (list (list bool)))))
    (core module $libc (memory (export "memory") 1) ${REALLOC})
    (core instance $libc (instantiate $libc))
    (core func $give (canon lower (func $give) (memory $libc "memory") (realloc (func $libc "realloc"))))
    (core module $m (import "" "give" (func $give (param i32 i32)))
      (func (export "run") (param i32) (call $give (local.get 0) (i32.const 16))))
    (core instance $m (instantiate $m (with "" (instance (export "give" (func $give))))))
    (func (export "run") (param "n" u32) (canon lift (core func $m "run"))))
  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "give" (func $callee "give"))))
  (export "run" (func $caller "run")))`;

for (const [way, text] of [
  ['arguments into the callee', ARGUMENTS],
  ['results into the caller', RESULTS],
] as const) {
  it(`${N} empty lists through an adapter, ${way}: each allocation priced, within 10x compute`, async () => {
    const sandbox = await kernel.spawn(await kernel.load(await parse(text)));
    try {
      const fuel = (n: number) => sandbox.invokeSync('run', [n]).fuel.used;
      // Each of the N inner lists is one call of the guest's realloc (definitions.py's
      // store_list_into_range), priced before it runs; before, 241 fuel an element in all.
      const more = fuel(N) - fuel(0);
      expect(more).toBeGreaterThanOrEqual(N * LOWERED_ALLOC_BYTES * DEFAULT_HOST_COSTS.byte);
      const ratio = await fuelRatio(() => fuel(N));
      console.log(`adapter lists, ${way}: ${more} fuel for ${N} empty lists, ${ratio.toFixed(1)}x compute`);
      expect(ratio).toBeLessThan(10);
    } finally {
      sandbox.terminate('done');
    }
  }, 120_000);
}
