/**
 * Where a function checks the counter: at its entry only when it calls outside every loop whose
 * header checks (docs/fuel.md, "Where fuel is charged and checked"). A call inside such a loop
 * comes after the loop's check in the same frame, so a cycle of calls passes a check at every
 * round without one at the entry (c-fib's recursion sits in a loop: one check a call, not two).
 */
import { describe, expect, it } from 'vitest';
import { KeelError } from '../../host/kernel/errors.js';
import { wat } from '../helpers/wat.js';
import { instantiateMetered, thrown } from './support.js';

// `burn` runs 20 fuel of straight-line code with no check, so after it the counter of a one-fuel
// slice is below zero and the next check refills; `mark` says whether the function called next
// ran its first instruction before that refill.
const SOURCE = `(module
  (global $mark (export "mark") (mut i32) (i32.const 0))
  (func (export "burn") (result i32)
    (i32.add (i32.add (i32.add (i32.const 1) (i32.const 2)) (i32.add (i32.const 3) (i32.const 4)))
      (i32.add (i32.add (i32.const 5) (i32.const 6)) (i32.add (i32.const 7) (i32.const 8)))))
  (func $leaf (param i32) (result i32) (local.get 0))
  (func (export "inLoop") (param $n i32) (result i32)
    (global.set $mark (i32.const 1))
    (loop $l
      (local.set $n (call $leaf (i32.sub (local.get $n) (i32.const 1))))
      (br_if $l (local.get $n)))
    (local.get $n))
  (func (export "outside") (param $n i32) (result i32)
    (global.set $mark (i32.const 1))
    (call $leaf (local.get $n)))
  (func $spin (export "spin") (param $n i32) (result i32)
    (loop $l
      (local.set $n (call $spin (local.get $n)))
      (br $l))
    (local.get $n)))`;

async function setUp(onSlice: (mark: number) => void = () => {}) {
  let mark: WebAssembly.Global | undefined;
  const m = instantiateMetered(
    await wat(SOURCE),
    { sliceFuel: 1 },
    {},
    {},
    { onSlice: () => onSlice(mark!.value) },
  );
  mark = m.exports.mark as WebAssembly.Global;
  return { ...m, mark };
}

describe('the entry check', () => {
  it('is left out of a function whose every call is inside a loop that checks', async () => {
    const marks: number[] = [];
    const m = await setUp((mark) => marks.push(mark));
    m.exports.burn();
    marks.length = 0;
    expect(m.exports.inLoop(3)).toBe(0);
    // The first refill came at the loop's header, after the function's first instruction.
    expect(marks[0]).toBe(1);
  });

  it('stays in a function that calls outside any loop', async () => {
    const marks: number[] = [];
    const m = await setUp((mark) => marks.push(mark));
    m.exports.burn();
    marks.length = 0;
    expect(m.exports.outside(3)).toBe(3);
    expect(marks[0]).toBe(0);
  });

  it('charges the same fuel either way (the global strategy checks at every entry)', async () => {
    for (const n of [1, 2, 7]) {
      const local = await setUp();
      const global = instantiateMetered(await wat(SOURCE), {}, { strategy: 'global' });
      expect(local.exports.inLoop(n)).toBe(global.exports.inLoop(n));
      expect(local.meter.used()).toBe(global.meter.used());
    }
  });

  it('still stops a recursion that runs through loops only', async () => {
    const m = instantiateMetered(await wat(SOURCE), { fuel: 20_000 });
    const error = thrown(() => m.exports.spin(1));
    expect(error).toBeInstanceOf(KeelError);
    expect(error.code).toBe('fuel-exhausted');
  });

  it('lets a slice hook stop such a recursion (a deadline)', async () => {
    let slices = 0;
    const stop = new KeelError('timeout', 'deadline');
    const m = instantiateMetered(
      await wat(SOURCE),
      { fuel: 1e12, sliceFuel: 1_000 },
      {},
      {},
      {
        onSlice: () => {
          if (++slices === 5) throw stop;
        },
      },
    );
    expect(thrown(() => m.exports.spin(1))).toBe(stop);
    expect(slices).toBe(5);
  });
});
