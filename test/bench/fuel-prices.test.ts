/**
 * docs/fuel.md publishes the prices of fuel: the metering pass's cost model (`DEFAULT_COSTS`)
 * and what host work costs (`DEFAULT_HOST_COSTS`, with where each charge is made). The prices
 * the page states must be the code's constants, every one of them, so that the page stays true
 * when a price changes or a new one appears.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST_COSTS } from '../../host/caps/provider.js';
import { DEFAULT_COSTS } from '../../host/meter/costs.js';

const page = readFileSync(new URL('../../docs/fuel.md', import.meta.url), 'utf8');

/** The number the page states for `name`: `` `name` = <number> ``, or `<number> <words> (`name``. */
function stated(name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const after = new RegExp(`\`${escaped}\` = ([\\d,]+)`).exec(page);
  if (after) return Number(after[1]!.replace(/,/g, ''));
  const before = new RegExp(`(\\d[\\d,]*) [a-z ]*\\(\`${escaped}\``).exec(page);
  if (before) return Number(before[1]!.replace(/,/g, ''));
  throw new Error(`docs/fuel.md states no price for ${name}`);
}

/** The fuel the cost-model table gives an instruction: the number its row starts its second cell with. */
function instructionRow(name: string): number {
  const row = page
    .split('\n')
    .find((line) => line.startsWith('| ') && line.split(' | ')[0]!.includes(`\`${name}\``));
  if (!row) throw new Error(`docs/fuel.md's cost model has no row for ${name}`);
  const cell = row.split(' | ')[1]!;
  return Number(/^[\d,]+/.exec(cell)![0].replace(/,/g, ''));
}

describe('docs/fuel.md states the prices the code charges', () => {
  it('for the metering pass', () => {
    for (const key of [
      'memoryGrowPerPage',
      'bulkMemoryBytesPerFuel',
      'bulkTableFuelPerElement',
      'tableGrowPerElement',
      'default',
      'simd',
      'atomic',
    ] as const) {
      expect(stated(key), key).toBe(DEFAULT_COSTS[key]);
    }
  });

  it('for every instruction the cost model prices apart', () => {
    for (const [name, fuel] of Object.entries(DEFAULT_COSTS.instructions)) {
      expect(instructionRow(name), name).toBe(fuel);
    }
  });

  it('for host work, every price', () => {
    for (const [key, price] of Object.entries(DEFAULT_HOST_COSTS)) {
      expect(stated(key), key).toBe(price);
    }
  });
});
