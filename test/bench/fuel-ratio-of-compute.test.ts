/**
 * The hostile floods' measure (test/helpers/fuel-ratio.ts) read on compute itself: the median
 * compute kernel timed as if it were an attack costs about 1x compute, on a quiet machine and on
 * a loaded one. The measure compared the attack with the committed calibration alone; on a
 * machine loaded by other processes a unit of compute cost this process up to 7x that reference
 * in CPU time (load 28), so every flood's ratio grew with the load, and one failed its bound of
 * 10 at 11.03 in a full run (send to a peer that does not exist, 2-3 on a quieter machine). It
 * runs the kernel between the attack's windows now and compares with the dearer of the two.
 * Here the load is two threads of this process spinning beside the measure: its CPU time counts
 * theirs (as it counts V8's collector's and compiler's), about 3x compute against the committed
 * reference alone.
 */
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { computeKernel, fuelRatio } from '../helpers/fuel-ratio.js';

it('compute measured as an attack costs about one unit of compute per unit of fuel', async () => {
  const ratio = await fuelRatio(computeKernel());
  expect(ratio).toBeLessThan(1.5);
  expect(ratio).toBeGreaterThan(0.2);
});

it('likewise while other threads load the process', async () => {
  const spinners = [0, 1].map(() => new Worker('for (;;) {}', { eval: true }));
  try {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ratio = await fuelRatio(computeKernel());
    expect(ratio).toBeLessThan(1.5);
  } finally {
    await Promise.all(spinners.map((w) => w.terminate()));
  }
});
