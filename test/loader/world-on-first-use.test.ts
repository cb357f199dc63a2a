/**
 * A module's world (every import's and export's WIT signature, as text) is made the first time
 * something reads it (`handle.world`, `sandbox.exportNames()`, `keel inspect`), not by the load:
 * a load, a spawn and a call do not need it, and making it was 35-100 µs of a cold load of the
 * bench component. Once made it is kept: the same object on every read, and for every handle of
 * the same bytes this loader holds.
 */
import { expect, it, vi } from 'vitest';
import { Kernel } from '../../host/index.js';
import { wat } from '../../scripts/lib/wat.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

const made = { plan: 0, core: 0 };

vi.mock('../../host/loader/world.js', async (original) => {
  const real = await original<typeof import('../../host/loader/world.js')>();
  return {
    ...real,
    planWorld: (...args: Parameters<typeof real.planWorld>) => {
      made.plan++;
      return real.planWorld(...args);
    },
    coreWorld: (...args: Parameters<typeof real.coreWorld>) => {
      made.core++;
      return real.coreWorld(...args);
    },
  };
});

it("a component's world is made on first read, once, and is the same as the plan's", async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir() });
  try {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const adder = await kernel.load(bytes);
    const sandbox = await kernel.spawn(adder);
    expect(await sandbox.call('docs:adder/add#add', 2, 3)).toBe(5);
    expect(made.plan).toBe(0);

    const first = adder.world;
    expect(made.plan).toBe(1);
    expect(adder.world).toBe(first);
    expect(first.exports.find((e) => e.name === 'docs:adder/add@0.1.0')?.functions).toEqual([
      { name: 'add', signature: 'func(x: u32, y: u32) -> u32' },
    ]);
    // The same bytes again: the loader's memory, the same world.
    const again = await kernel.load(bytes);
    expect(again.world).toBe(first);
    expect(sandbox.exportNames()).toContain('docs:adder/add@0.1.0#add');
    expect(made.plan).toBe(1);
  } finally {
    await kernel.close();
  }
});

it("a core module's world is made on first read, once", async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const core = await wat(
      '(module (func (export "mul") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul))',
    );
    const handle = await kernel.load(core);
    expect(made.core).toBe(0);
    expect(handle.world.exports).toEqual([{ name: 'mul', kind: 'function', signature: '(i64, i64) -> i64' }]);
    expect(handle.world).toBe(handle.world);
    expect(made.core).toBe(1);
  } finally {
    await kernel.close();
  }
});
