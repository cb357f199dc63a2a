/**
 * Attack: a peeled loop (host/meter/peeled.ts) that never ends, both shapes, in both of its
 * loops: every turn skips the work (the inner loop with its check at the back edge spins), or
 * every turn does it (the outer loop, checked at its header, spins). 1,000,000 fuel ends each
 * with `fuel-exhausted` at once, after exactly the turns per-turn metering runs (the same loop
 * metered without counted loops, which peels nothing), and the host is consulted at every
 * slice (a deadline's `onSlice` ends it the same way).
 */
import { expect, it } from 'vitest';
import { wat } from '../../../scripts/lib/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

// Byte 0 is 1 (skip the work), byte 1 is 0 (do it); the word at 4 counts the turns.
const turn = '(i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1)))';
const SOURCE = `(module (memory (export "memory") 1) (data (i32.const 0) "\\01\\00")
  (global $g (mut i32) (i32.const 0))
  (func $work (global.set $g (i32.add (global.get $g) (i32.const 1))))
  (func (export "skip_while")
    (loop $l (if (i32.const 1) (then (if (i32.eqz (i32.load8_u (i32.const 0))) (then (call $work))) ${turn} (br $l)))))
  (func (export "work_while")
    (loop $l (if (i32.const 1) (then (if (i32.eqz (i32.load8_u (i32.const 1))) (then (call $work))) ${turn} (br $l)))))
  (func (export "skip_do")
    (loop $l (block $s (br_if $s (i32.load8_u (i32.const 0))) (call $work)) ${turn} (br_if $l (i32.const 1))))
  (func (export "work_do")
    (loop $l (block $s (br_if $s (i32.load8_u (i32.const 1))) (call $work)) ${turn} (br_if $l (i32.const 1)))))`;

for (const name of ['skip_while', 'work_while', 'skip_do', 'work_do']) {
  it(`peeled loop that never ends (${name}): fuel-exhausted at 1,000,000 after per-turn metering's turns`, async () => {
    const bytes = await wat(SOURCE, 'peeled-spin.wat');
    const peeled = instantiateMetered(bytes, { fuel: 1_000_000 });
    const perTurn = instantiateMetered(bytes, { fuel: 1_000_000 }, { countedLoops: false });
    // Peeled: no call in the loop that runs the turns that skip the work.
    expect(peeled.bytes.length).toBeGreaterThan(perTurn.bytes.length);
    const start = performance.now();
    const error = thrown(() => peeled.exports[name]());
    expect(error.code).toBe('fuel-exhausted');
    expect(error.details.used).toBe(1_000_000);
    expect(peeled.meter.remaining()).toBe(0);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(thrown(() => perTurn.exports[name]()).code).toBe('fuel-exhausted');
    const turns = (m: typeof peeled) => new Int32Array(m.exports.memory.buffer)[1]!;
    expect(turns(peeled)).toBeGreaterThan(10_000);
    expect(turns(peeled)).toBe(turns(perTurn));

    // A deadline: the host says stop at its third look, with fuel to spare.
    let looks = 0;
    const deadline = instantiateMetered(
      bytes,
      { fuel: 1e12, sliceFuel: 10_000 },
      {},
      {},
      {
        onSlice: () => {
          if (++looks === 3) throw new Error('deadline');
        },
      },
    );
    expect(thrown(() => deadline.exports[name]()).message).toBe('deadline');
    expect(looks).toBe(3);
  });
}
