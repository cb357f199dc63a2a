/**
 * What `sandbox.fn` finds of a scalar export is worked out once per module (the export, its
 * shape, its twin's name and cost: host/abi/instance.ts `#scalarFacts`), and the functions it
 * calls are still each sandbox's own: two sandboxes of one module each store into and load from
 * their own memory through the twins, and each is charged on its own meter, metered or not.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../scripts/lib/fixtures.js';

const WAT = `(module
  (memory (export "memory") 1)
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))`;
const WIT = `package test:cells@0.1.0;
world cells {
  export store: func(addr: u32, value: u32);
  export load: func(addr: u32) -> u32;
}`;

describe("the fast path's facts, found once per module", () => {
  const kernels: Kernel[] = [];
  afterAll(async () => {
    for (const kernel of kernels) await kernel.close();
  });

  for (const metering of [true, false]) {
    it(`calls each sandbox's own instance (${metering ? 'metered: the twins' : 'unmetered'})`, async () => {
      const kernel = new Kernel({ cacheDir: tempCacheDir(), ...(metering ? {} : { metering: false }) });
      kernels.push(kernel);
      const module = await kernel.load(await componentFromWat(WAT, WIT, 'cells'));
      const a = await kernel.spawn(module);
      const b = await kernel.spawn(module);
      const storeA = a.fn<(addr: number, value: number) => void>('store');
      const loadA = a.fn<(addr: number) => number>('load');
      const storeB = b.fn<(addr: number, value: number) => void>('store');
      const loadB = b.fn<(addr: number) => number>('load');
      storeA(8, 7);
      storeB(8, 11);
      expect(loadA(8)).toBe(7);
      expect(loadB(8)).toBe(11);
      if (metering) {
        const usedA = a.fuel().used;
        const usedB = b.fuel().used;
        for (let i = 0; i < 100; i++) loadB(8);
        expect(a.fuel().used).toBe(usedA);
        expect(b.fuel().used).toBeGreaterThan(usedB);
      }
      // A third sandbox, spawned after the facts were found, is its own too.
      const c = await kernel.spawn(module);
      expect(c.fn<(addr: number) => number>('load')(8)).toBe(0);
      a.terminate();
      expect(loadB(8)).toBe(11);
      b.terminate();
      c.terminate();
    });
  }
});
