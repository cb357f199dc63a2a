/**
 * The memory group's cost per sandbox: the slope over several counts of sandboxes, each read in
 * a fresh process, so that what a process pays once (loading, allocator leftovers) cancels and
 * one odd reading does not move it.
 */
import { describe, expect, it } from 'vitest';
import { cost, QUANTITIES, type Reading } from '../../bench/memory.js';

const reading = (n: number, heap: number, external = 0, rss = heap): Reading => ({
  subject: 's',
  n,
  rss,
  heap,
  external,
  arrayBuffers: 0,
});

describe('memory cost per sandbox', () => {
  it('is the slope over the counts: a fixed cost per process cancels', () => {
    // 4,000 B per sandbox on top of 50 MB of loading, three runs at each count.
    const readings = [2_000, 6_000, 10_000].flatMap((n) =>
      [0, 1, 2].map((run) => reading(n, 50e6 + run * 1_000 + 4_000 * n)),
    );
    const c = cost(readings, QUANTITIES.heap);
    expect(c.median).toBe(4_000);
    expect(c.min).toBe(4_000);
    expect(c.max).toBe(4_000);
  });

  it('reads the median run at each count, and says how far the slopes of single runs spread', () => {
    const readings = [
      reading(2_000, 8_000_000),
      reading(2_000, 8_000_000),
      reading(2_000, 30_000_000), // a process whose baseline was 22 MB higher
      reading(6_000, 24_000_000),
      reading(6_000, 24_000_000),
      reading(6_000, 24_000_000),
      reading(10_000, 40_000_000),
      reading(10_000, 40_000_000),
      reading(10_000, 40_000_000),
    ];
    const c = cost(readings, QUANTITIES.heap);
    expect(c.median).toBe(4_000);
    expect(c.min).toBeLessThan(4_000);
    expect(c.max).toBe(4_000);
  });

  it('counts external memory with the heap once (array buffers are part of external)', () => {
    const r = { ...reading(1, 100, 70), arrayBuffers: 50 };
    expect(QUANTITIES.heapExternal(r)).toBe(170);
    expect(QUANTITIES.rss(reading(1, 100, 0, 900))).toBe(900);
  });
});
