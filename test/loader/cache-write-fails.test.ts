/**
 * The disk cache only saves later loads work: a cache whose entry cannot be written (the disk
 * full, the file system read-only) leaves the load uncached, not failed. Before, every cold load
 * failed with Node's own error (ENOSPC), not a Keel error, though planning, metering and
 * compiling had all succeeded.
 */
import * as fs from 'node:fs';
import { expect, it, vi } from 'vitest';
import { Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    openSync: (path: fs.PathLike, ...rest: unknown[]) => {
      if (String(path).includes('.tmp-') && process.env.KEEL_TEST_DISK_FULL === '1') {
        throw Object.assign(new Error(`ENOSPC: no space left on device, open '${path}'`), { code: 'ENOSPC' });
      }
      return (real.openSync as (...a: unknown[]) => number)(path, ...rest);
    },
  };
});

it('a cache entry that cannot be written leaves the load uncached, not failed', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  process.env.KEEL_TEST_DISK_FULL = '1';
  try {
    const kernel = new Kernel({ cacheDir });
    const module = await kernel.load(bytes);
    expect(module.cache).toBe('miss');
    expect(await (await kernel.spawn(module)).call('docs:adder/add#add', 1, 2)).toBe(3);
    await kernel.close();
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  } finally {
    delete process.env.KEEL_TEST_DISK_FULL;
  }
  const again = new Kernel({ cacheDir });
  expect((await again.load(bytes)).cache).toBe('miss');
  await again.close();
  const third = new Kernel({ cacheDir });
  expect((await third.load(bytes)).cache).toBe('disk');
  await third.close();
});
