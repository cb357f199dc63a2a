/**
 * Attack: a partition loop that never ends (host/meter/outlined.ts writes its refills and the
 * rest of its turn after each scan outside it): in its first scan, in its second (reached
 * through the copy of the turn after the first scan's refill), and in the loop itself with scans
 * that leave at once. 1,000,000 fuel ends each with `fuel-exhausted` at once, and the host is
 * consulted at every slice (a deadline's `onSlice` ends it the same way).
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

// Memory word 0 counts the first scan's turns, word 1 the second's, word 2 the loop's.
const count = (k: number) =>
  `(i32.store (i32.const ${4 * k}) (i32.add (i32.load (i32.const ${4 * k})) (i32.const 1)))`;
const scan = (k: number, spins: boolean) =>
  `(loop $s${k} ${count(k)} (br_if $s${k} (i32.const ${spins ? 1 : 0})))`;
const partition = (first: boolean, second: boolean) =>
  `(loop $P ${scan(0, first)} ${scan(1, second)} ${count(2)} (br_if $P (i32.const 1)))`;

const MODULE = `(module (memory (export "memory") 1)
  (func (export "first") ${partition(true, false)})
  (func (export "second") ${partition(false, true)})
  (func (export "loop") ${partition(false, false)}))`;

for (const [name, word] of [
  ['first', 0],
  ['second', 1],
  ['loop', 2],
] as const) {
  it(`partition loop that never ends (${name}): fuel-exhausted at 1,000,000, onSlice at every slice`, async () => {
    const bytes = await wat(MODULE, 'outlined-loop-spin.wat');
    // The loops are outlined (the output differs from the one without counted loops, which is not).
    expect(
      Buffer.from(meterModule(bytes)).equals(Buffer.from(meterModule(bytes, { countedLoops: false }))),
    ).toBe(false);
    const { exports, meter } = instantiateMetered(bytes, { fuel: 1_000_000 });
    const start = performance.now();
    const error = thrown(() => exports[name]());
    expect(error.code).toBe('fuel-exhausted');
    expect(error.details.used).toBe(1_000_000);
    expect(meter.remaining()).toBe(0);
    expect(performance.now() - start).toBeLessThan(1000);
    // The spinning loop ran the turns the fuel paid for: at least 1,000,000 / 40 (a turn of
    // either scan costs under 20, of the loop with both scans under 60).
    const turns = new Int32Array(exports.memory.buffer)[word]!;
    expect(turns).toBeGreaterThan(1_000_000 / (name === 'loop' ? 60 : 20));

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
