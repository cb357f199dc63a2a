/**
 * Attack (perf-fn16): call a metered export that has no loop and no call, and no leaf twin (a
 * branch, or four parameters), through `sandbox.fn` on a small budget. Such a body charges its
 * counter and never checks it (docs/fuel.md: nothing can run unbounded between checks inside
 * one call), and `fn` checked only before a call: a call that started with a little fuel ran to
 * its end and left the counter below zero, and the next did the same, without end (a budget of
 * N ran every one of 2,000 calls costing more than N each). Now after each such call a counter
 * below zero is what a check would find: the slice refilled from the budget, or `fuel-exhausted`,
 * the result not returned. Each call costs fuel; memory and time are a few calls'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeelEvent, Kernel, type ModuleHandle } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../../scripts/lib/fixtures.js';

const WAT = `(module
  (memory (export "memory") 1)
  (func (export "pick") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 1)))
      (else (i32.const 7))))
  (func (export "sum4") (param i64 i64 i64 i64) (result i64)
    (i64.add (i64.add (local.get 0) (local.get 1)) (i64.add (local.get 2) (local.get 3)))))`;
const WIT = `package test:loopfree@0.1.0;
world loopfree {
  export pick: func(a: u32) -> u32;
  export sum4: func(a: u64, b: u64, c: u64, d: u64) -> u64;
}`;

const CALLS = 2_000;

describe('fn calls of a loop-free export without a twin stay within the budget', () => {
  let kernel: Kernel;
  let module: ModuleHandle;
  beforeAll(async () => {
    kernel = new Kernel({ cacheDir: tempCacheDir() });
    module = await kernel.load(await componentFromWat(WAT, WIT, 'loopfree'));
  });
  afterAll(async () => {
    await kernel.close();
  });

  /** What one call of `name` costs, read on a large budget. */
  async function costOf(name: string, call: (f: (...a: never[]) => unknown) => unknown): Promise<number> {
    const sandbox = await kernel.spawn(module);
    const f = sandbox.fn(name);
    call(f);
    const before = sandbox.fuel().used;
    call(f);
    const cost = sandbox.fuel().used - before;
    sandbox.terminate();
    return cost;
  }

  const shapes = [
    ['pick (a branch: the scalar path)', 'pick', (f: (a: number) => unknown) => f(5)],
    [
      'sum4 (four parameters: the general path)',
      'sum4',
      (f: (...a: bigint[]) => unknown) => f(1n, 2n, 3n, 4n),
    ],
  ] as const;

  for (const [what, name, call] of shapes) {
    it(`${what}: a budget below one call's cost runs none to a result`, async () => {
      const cost = await costOf(name, call as never);
      expect(cost).toBeGreaterThan(1);
      const sandbox = await kernel.spawn(module, { limits: { fuel: cost - 1 } });
      const events: KeelEvent[] = [];
      const off = kernel.on('fuel:exhausted', (event) => void events.push(event));
      const f = sandbox.fn(name);
      let returned = 0;
      let failure: unknown;
      for (let i = 0; i < CALLS && failure === undefined; i++) {
        try {
          (call as (f: unknown) => unknown)(f);
          returned++;
        } catch (error) {
          failure = error;
        }
      }
      off();
      // Before: all 2,000 returned, the budget long gone.
      expect(returned).toBe(0);
      expect(failure).toMatchObject({ code: 'fuel-exhausted' });
      expect(sandbox.state).toBe('poisoned');
      expect(events.filter((e) => e.sandbox === sandbox.id)).toHaveLength(1);
    });

    it(`${what}: a budget of ten calls and a half returns ten, within one slice and across slices`, async () => {
      const cost = await costOf(name, call as never);
      for (const paid of [10, 300_000]) {
        const budget = paid * cost + Math.floor(cost / 2);
        const sandbox = await kernel.spawn(module, { limits: { fuel: budget } });
        const f = sandbox.fn(name);
        let returned = 0;
        let failure: unknown;
        for (let i = 0; i < paid + CALLS && failure === undefined; i++) {
          try {
            (call as (f: unknown) => unknown)(f);
            returned++;
          } catch (error) {
            failure = error;
          }
        }
        expect(returned).toBe(paid);
        expect(failure).toMatchObject({ code: 'fuel-exhausted' });
        expect(sandbox.fuel().used).toBe(budget);
      }
    });
  }
});
