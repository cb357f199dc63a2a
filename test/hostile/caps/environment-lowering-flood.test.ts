/**
 * Attack: call `wasi:cli/environment`'s `get-environment` (or `get-arguments`) in a loop under
 * a grant of many variables. Each call hands every string back again, each lowered into the
 * guest by a call of its `cabi_realloc` and copied (about 70 ns a string), at the price of a
 * call: 200 variables cost the host 102x compute per unit of fuel, 200 arguments 49x (load 21).
 * Each string handed back cost `LOWERED_STRING_BYTES` and its bytes, charged by the provider
 * (7f4e6bd, 1.2-1.3x); now the canonical ABI charges every provider's result as it lowers it
 * (`LOWERED_ALLOC_BYTES` an allocation, host/abi/context.ts) and the provider charges nothing.
 * preview1's `environ_get`: hostile/preview1/environ-get-flood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOWERED_ALLOC_BYTES } from '../../../host/abi/context.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { Kernel, Sandbox } from '../../../host/index.js';
import { componentEmbed, componentNew } from '../../../scripts/lib/wasm-tools.js';
import { wat } from '../../../scripts/lib/wat.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const ITEMS = 200;
const VALUE = 'x'.repeat(8);
const CALLS = 200;

const WIT = `package test:hostile;
world w {
  import wasi:cli/environment@0.2.3;
  export run: func(op: u32, n: u32) -> u32;
}
package wasi:cli@0.2.3 {
  interface environment {
    get-environment: func() -> list<tuple<string, string>>;
    get-arguments: func() -> list<string>;
  }
}`;

/** run(op, n): get-environment (op 0) or get-arguments (1) n times; the last list's length. */
const WAT = `(module
  (import "wasi:cli/environment@0.2.3" "get-environment" (func $env (param i32)))
  (import "wasi:cli/environment@0.2.3" "get-arguments" (func $args (param i32)))
  (memory (export "memory") 2)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 8192))
  (func (export "run") (param $op i32) (param $n i32) (result i32) (local $i i32)
    (loop $l
      (if (i32.eqz (local.get $op)) (then (call $env (i32.const 16))) (else (call $args (i32.const 16))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.load (i32.const 20))))`;

let kernel: Kernel;
let sandbox: Sandbox;
beforeAll(async () => {
  kernel = floodKernel();
  const embedded = await componentEmbed({
    binary: await wat(WAT, 'environment.wat'),
    witSource: WIT,
    world: 'w',
  });
  const names = Array.from({ length: ITEMS }, (_, i) => `V${i}`);
  const scope = { env: Object.fromEntries(names.map((name) => [name, VALUE])), args: names.map(() => VALUE) };
  sandbox = await kernel.spawn(await kernel.load(await componentNew(embedded, [])), {
    grants: [{ interface: 'wasi:cli/environment', scope }],
  });
});
afterAll(() => kernel.close());

describe('environment lowering flood', () => {
  for (const [op, name, strings] of [
    [0, 'get-environment', 2 * ITEMS],
    [1, 'get-arguments', ITEMS],
  ] as const) {
    it(`${name} of ${ITEMS} items: each string handed back is charged, a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const run = () => sandbox.invokeSync('run', [op, CALLS]);
      expect(run().value).toBe(ITEMS);
      expect(run().fuel.used).toBeGreaterThanOrEqual(
        CALLS * strings * LOWERED_ALLOC_BYTES * DEFAULT_HOST_COSTS.byte,
      );
      const before = heapUsed();
      const ratio = await fuelRatio(() => run().fuel.used);
      // Before: 102x and 49x (load 21).
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
      expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
    }, 120_000);
  }
});
