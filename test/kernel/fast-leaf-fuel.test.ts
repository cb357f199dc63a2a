/**
 * `sandbox.fn` on a metered constant-cost leaf export calls the pass's uncharged twin and charges
 * the export's cost itself, from fuel its meter lends it (host/meter/leaves.ts, host/abi/fast.ts):
 * the fuel used is exactly the export's cost a call (3 for `add`, 0 for `noop`, pinned), a call
 * the budget cannot pay fails with `fuel-exhausted` before it runs (not one unit past the budget,
 * also across slices and after a refuel), every reading of the fuel is exact while the fast path
 * holds a loan, an invocation in between keeps its own account, and a leaf that traps pays
 * nothing. Before the twins, the export charged its own counter and never checked it: calls of a
 * leaf went on past the budget without end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeelEvent, Kernel, type ModuleHandle } from '../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../scripts/lib/fixtures.js';

const LEAF_WAT = `(module
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "noop"))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "count") (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $s)))`;
const LEAF_WIT = `package test:leaf@0.1.0;
world leaf {
  export add: func(a: u32, b: u32) -> u32;
  export noop: func();
  export load: func(addr: u32) -> u32;
  export count: func(n: u32) -> u32;
}`;

/** What `add` costs: two `local.get`s and an `i32.add` (docs/fuel.md's cost model). */
const ADD = 3;

describe('the fast path of a metered constant-cost leaf', () => {
  let kernel: Kernel;
  let module: ModuleHandle;
  beforeAll(async () => {
    kernel = new Kernel({ cacheDir: tempCacheDir() });
    module = await kernel.load(await componentFromWat(LEAF_WAT, LEAF_WIT, 'leaf'));
  });
  afterAll(async () => {
    await kernel.close();
  });

  it("charges the export's cost a call, exactly, and nothing for a leaf that costs nothing", async () => {
    const sandbox = await kernel.spawn(module);
    const add = sandbox.fn<(a: number, b: number) => number>('add');
    const noop = sandbox.fn<() => void>('noop');
    expect(add(40, 2)).toBe(42);
    const before = sandbox.fuel().used;
    for (let i = 0; i < 1000; i++) add(i, 1);
    expect(sandbox.fuel().used - before).toBe(1000 * ADD);
    for (let i = 0; i < 1000; i++) noop();
    expect(sandbox.fuel().used - before).toBe(1000 * ADD);
    expect(sandbox.fuel().remaining).toBe(sandbox.limits.fuel - 1001 * ADD);
  });

  for (const [budget, slice] of [
    [30, 'within one slice'],
    [31, 'within one slice'],
    [32, 'within one slice'],
    [400_001, 'across slices'],
  ] as const) {
    it(`runs exactly the calls a budget of ${budget} pays for, ${slice}, and fails the next before it runs`, async () => {
      const sandbox = await kernel.spawn(module, { limits: { fuel: budget } });
      const events: KeelEvent[] = [];
      const off = kernel.on('fuel:exhausted', (event) => void events.push(event));
      const add = sandbox.fn<(a: number, b: number) => number>('add');
      const paid = Math.floor(budget / ADD);
      let sum = 0;
      for (let i = 0; i < paid; i++) sum += add(i, 1) - i;
      expect(sum).toBe(paid);
      expect(sandbox.fuel().used).toBe(paid * ADD);
      expect(sandbox.fuel().remaining).toBe(budget - paid * ADD);
      expect(() => add(1, 1)).toThrow(expect.objectContaining({ code: 'fuel-exhausted' }));
      off();
      // Not one unit past the budget: the call that could not be paid did not run.
      expect(sandbox.fuel().used).toBe(paid * ADD);
      expect(sandbox.state).toBe('poisoned');
      expect(events.filter((e) => e.sandbox === sandbox.id)).toHaveLength(1);
    });
  }

  it('keeps every reading exact around refuels and invocations', async () => {
    const sandbox = await kernel.spawn(module, { limits: { fuel: 1_000_000 } });
    const add = sandbox.fn<(a: number, b: number) => number>('add');
    for (let i = 0; i < 10; i++) add(i, 1);
    expect(sandbox.fuel().used).toBe(10 * ADD);
    // A refuel takes back what the fast path holds: the budget is exactly the refuel's.
    sandbox.refuel(7);
    expect(sandbox.fuel().remaining).toBe(7);
    add(1, 1);
    add(1, 1);
    expect(sandbox.fuel().remaining).toBe(1);
    expect(() => add(1, 1)).toThrow(expect.objectContaining({ code: 'fuel-exhausted' }));
    expect(sandbox.fuel().used).toBe(12 * ADD);

    // An invocation between fast calls: its own account, and the fast path's after it.
    const other = await kernel.spawn(module, { limits: { fuel: 1_000_000 } });
    const count = other.fn<(n: number) => number>('count');
    const plus = other.fn<(a: number, b: number) => number>('add');
    const first = other.invokeSync('count', [100]);
    for (let i = 0; i < 5; i++) plus(i, 1);
    const second = other.invokeSync('count', [100]);
    expect(second.fuel).toEqual(first.fuel);
    const before = other.fuel().used;
    plus(1, 2);
    expect(count(100)).toBe(5050);
    const afterCount = other.fuel().used;
    plus(1, 2);
    expect(other.fuel().used - afterCount).toBe(ADD);
    expect(afterCount - before).toBeGreaterThan(ADD);
  });

  it('charges a leaf that trapped nothing, as the metered export would', async () => {
    const sandbox = await kernel.spawn(module);
    const load = sandbox.fn<(addr: number) => number>('load');
    expect(load(0)).toBe(0);
    const before = sandbox.fuel().used;
    expect(() => load(65536)).toThrow(expect.objectContaining({ code: 'trap' }));
    expect(sandbox.fuel().used).toBe(before);
  });
});
