/**
 * Attack: `table.grow` a thousand elements at a time, forever. The sandbox's table limit
 * refuses it at once.
 */
import { expect, it } from 'vitest';
import { watFile } from '../../helpers/wat.js';
import { instantiateMetered, thrown } from '../../meter/support.js';

const GUEST = 'guests/wat/hostile/meter/table-grow-bomb.wat';

it('table.grow bomb: stops at the sandbox limit, instantly', async () => {
  const refused: number[] = [];
  const { exports } = instantiateMetered(
    await watFile(GUEST),
    { fuel: 1e12, tableElements: 10_000 },
    {},
    {},
    { onTableLimit: (n) => refused.push(n) },
  );
  const start = performance.now();
  expect(exports.run()).toBe(9001);
  expect(performance.now() - start).toBeLessThan(2000);
  expect(refused).toEqual([10_001]);
});

it("table.grow bomb: growFailure 'error' ends the call with table-limit", async () => {
  const { exports } = instantiateMetered(await watFile(GUEST), {
    tableElements: 10_000,
    growFailure: 'error',
  });
  expect(thrown(() => exports.run()).code).toBe('table-limit');
});
