/**
 * Attack: a loop of straight-line code that never ends (both shapes the meter checks at the
 * back edge instead of the header, host/meter/straight.ts). Every turn after the first passes
 * the check: 1,000,000 fuel ends it with `fuel-exhausted` at once, and the host is consulted at
 * every slice (a deadline's `onSlice` ends it the same way).
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

for (const name of ['run', 'run_while']) {
  it(`straight loop that never ends (${name}): fuel-exhausted at 1,000,000, onSlice at every slice`, async () => {
    const bytes = await watFile('guests/wat/hostile/meter/straight-loop-spin.wat');
    const { exports, meter } = instantiateMetered(bytes, { fuel: 1_000_000 });
    const start = performance.now();
    const error = thrown(() => exports[name]());
    expect(error.code).toBe('fuel-exhausted');
    expect(error.details.used).toBe(1_000_000);
    expect(meter.remaining()).toBe(0);
    expect(performance.now() - start).toBeLessThan(1000);
    // A turn costs 9 (do) or 12 (while) fuel: the turns that ran are what the fuel paid for,
    // and at most one more (the straight-line code between two checks).
    const turns = new Int32Array(exports.memory.buffer)[name === 'run' ? 0 : 1]!;
    const perTurn = name === 'run' ? 9 : 12;
    expect(turns).toBeGreaterThanOrEqual(Math.floor(1_000_000 / perTurn) - 1);
    expect(turns).toBeLessThanOrEqual(Math.ceil(1_000_000 / perTurn) + 1);

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
