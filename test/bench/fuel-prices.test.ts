/**
 * docs/fuel.md publishes the prices of fuel: the metering pass's cost model (`DEFAULT_COSTS`)
 * and what host work costs (`DEFAULT_HOST_COSTS`, with where each charge is made). The prices
 * the page states must be the code's constants, so that the page stays true when a price
 * changes.
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

describe('docs/fuel.md states the prices the code charges', () => {
  it('for the metering pass', () => {
    expect(stated('memoryGrowPerPage')).toBe(DEFAULT_COSTS.memoryGrowPerPage);
    expect(stated('bulkMemoryBytesPerFuel')).toBe(DEFAULT_COSTS.bulkMemoryBytesPerFuel);
    expect(stated('bulkTableElementsPerFuel')).toBe(DEFAULT_COSTS.bulkTableElementsPerFuel);
    expect(stated('tableGrowPerElement')).toBe(DEFAULT_COSTS.tableGrowPerElement);
    expect(stated('default')).toBe(DEFAULT_COSTS.default);
  });

  it('for host work', () => {
    expect(stated('call')).toBe(DEFAULT_HOST_COSTS.call);
    expect(stated('bytesPerFuel')).toBe(DEFAULT_HOST_COSTS.bytesPerFuel);
    expect(stated('fsOperation')).toBe(DEFAULT_HOST_COSTS.fsOperation);
  });
});
