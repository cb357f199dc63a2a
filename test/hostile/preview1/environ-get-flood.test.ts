/**
 * Attack: call `environ_get` (or `args_get`) in a loop under a grant of many variables. Each
 * call writes every variable out again (a pointer and its bytes, each write checked: about
 * 50 ns a variable) at the price of a call: 200 variables cost the host 39x compute per unit
 * of fuel, 64 of 32 bytes 13x (load 21). Each item written now costs `LISTED_ITEM_BYTES` and its
 * bytes, before any is written (0.9-1.0x).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTED_ITEM_BYTES } from '../../../host/caps/preview1/process.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const CALLS = 1_000;

let kernel: Kernel;
beforeAll(() => {
  kernel = floodKernel();
});
afterAll(() => kernel.close());

function command(fn: 'environ_get' | 'args_get'): string {
  return `(module
  (import "wasi_snapshot_preview1" "${fn}" (func $get (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start") (local $i i32)
    (loop $l
      (drop (call $get (i32.const 1024) (i32.const 8192)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${CALLS}))))))`;
}

// [function, items, bytes of each value]
const FLOODS: ['environ_get' | 'args_get', number, number][] = [
  ['environ_get', 200, 8],
  ['environ_get', 64, 32],
  ['args_get', 200, 8],
];

describe('environ_get flood', () => {
  for (const [fn, items, len] of FLOODS) {
    it(`${fn} of ${items} items: each item is charged, a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const values = Array.from({ length: items }, (_, i) => [`V${i}`, 'x'.repeat(len)] as const);
      const scope =
        fn === 'environ_get' ? { env: Object.fromEntries(values) } : { args: values.map(([, v]) => v) };
      const module = await kernel.load(await wat(command(fn), `${fn}.wat`), { name: fn });
      const sandbox = await kernel.spawn(module, { grants: [{ interface: 'wasi:cli/environment', scope }] });
      const run = () => sandbox.invokeSync('wasi:cli/run#run').fuel.used;
      expect(run()).toBeGreaterThanOrEqual(
        CALLS * (DEFAULT_HOST_COSTS.call + items * (LISTED_ITEM_BYTES + len) * DEFAULT_HOST_COSTS.byte),
      );
      const before = heapUsed();
      const ratio = await fuelRatio(run);
      // Before: 39x and 13x (load 21).
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
      expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
      sandbox.terminate('done');
    }, 120_000);
  }
});
