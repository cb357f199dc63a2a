/**
 * Load time against size, for the attacks of many definitions (many-types, many-exports): the
 * same kind of component at two sizes, each loaded in a fresh kernel; the larger must load in
 * time about proportional to its size (not its square), and each in bounded time and memory.
 */
import { expect } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentText } from './support.js';

export async function expectLinearLoad(make: (n: number) => string, small: number): Promise<void> {
  const timeOf = async (n: number) => {
    const bytes = await componentText(make(n));
    const kernel = new Kernel({ cacheDir: false });
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      await kernel.load(bytes);
      const ms = performance.now() - started;
      expect(process.memoryUsage().heapUsed - heapBefore, `heap growth for ${n}`).toBeLessThan(
        256 * 1024 * 1024,
      );
      return ms;
    } finally {
      await kernel.close();
    }
  };
  await timeOf(small); // warm-up: the first load compiles the parser
  // The least of three loads at each size: noise (a collection, another process) only adds time,
  // and one sample of a few milliseconds made the ratio swing past the bound on a loaded machine.
  const least = async (n: number) => Math.min(await timeOf(n), await timeOf(n), await timeOf(n));
  const a = await least(small);
  const b = await least(small * 4);
  // Four times the definitions: linear is about 4x; quadratic would be 16x. Generous for a loaded machine.
  expect(b / Math.max(a, 1), `${small}: ${a.toFixed(0)} ms, ${small * 4}: ${b.toFixed(0)} ms`).toBeLessThan(
    10,
  );
  expect(b).toBeLessThan(30_000);
}
