/**
 * The spawn measure takes the same number of spawns in every subject's sample: sized by time, a
 * sample held none, one or two of V8's own full collections depending on its subject's speed and
 * the calibration's luck, and a cell moved by 2x between runs (bench/wasm.ts, SPAWN_BATCH).
 */
import { describe, expect, it } from 'vitest';
import { compare } from '../../bench/lib/measure.js';
import { SPAWN_BATCH, spawnOptions } from '../../bench/wasm.js';

/** Some microseconds of work. */
function work(steps: number): number {
  let x = 0;
  for (let i = 0; i < steps; i++) x += Math.sqrt(i);
  return x;
}

describe('the spawn measure', () => {
  it('gives every subject the same count of spawns per sample, whatever its speed', async () => {
    for (const quick of [true, false]) {
      const options = spawnOptions(quick);
      expect(options.batch).toBe(SPAWN_BATCH);
      expect(options.sampleMs).toBeUndefined();
      expect(options.collect).toBe(true);
      // The harness's handling of a fixed batch, without the collections (vitest exposes no gc).
      const timings = await compare(
        [
          { subject: 'fast', op: () => 0 },
          { subject: 'slow', op: () => work(5_000) },
        ],
        { ...options, collect: false, samples: 1, warmupMs: 0, warmupOps: 1 },
      );
      expect(timings.map((t) => t.batch)).toEqual([SPAWN_BATCH, SPAWN_BATCH]);
    }
  }, 30_000);
});
