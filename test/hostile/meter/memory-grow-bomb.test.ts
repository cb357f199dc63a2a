/**
 * Attack: `memory.grow` one page at a time, forever. Plain V8 takes over a minute to reach
 * 4 GiB; metered, the sandbox limit refuses the grow at once (-1, as the spec allows).
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

const GUEST = 'guests/wat/hostile/meter/memory-grow-bomb.wat';

it('memory.grow bomb: stops at the sandbox limit, instantly', async () => {
  const refused: number[] = [];
  const { exports } = instantiateMetered(
    await watFile(GUEST),
    { fuel: 1e12, memoryBytes: 64 * 1024 * 1024 },
    {},
    {},
    { onMemoryLimit: (pages) => refused.push(pages) },
  );
  const start = performance.now();
  expect(exports.run()).toBe(1024);
  expect(performance.now() - start).toBeLessThan(2000);
  expect(exports.memory.buffer.byteLength).toBe(64 * 1024 * 1024);
  expect(refused).toEqual([1025]);
});

it("memory.grow bomb: growFailure 'error' ends the call with memory-limit", async () => {
  const { exports } = instantiateMetered(await watFile(GUEST), {
    memoryBytes: 16 * 65536,
    growFailure: 'error',
  });
  expect(thrown(() => exports.run()).code).toBe('memory-limit');
});

it('memory.grow bomb: fuel pays per page, so a small budget stops it first', async () => {
  const { exports } = instantiateMetered(await watFile(GUEST), { fuel: 100_000, memoryBytes: 2 ** 32 });
  expect(thrown(() => exports.run()).code).toBe('fuel-exhausted');
  expect(exports.memory.buffer.byteLength).toBeLessThanOrEqual(100 * 65536);
});
