/**
 * The disk cache only saves later loads work: a cache directory that cannot be made (a file in
 * its path, ENOTDIR; no permission, EACCES) leaves every load uncached, not failed, as an entry
 * that cannot be written does (test/loader/cache-write-fails). Before, each load failed with
 * Node's own error. A directory that exists but is not private is still refused
 * (`invalid-argument`): that is a planted cache, not a missing one.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    mkdirSync: (path: fs.PathLike, ...rest: unknown[]) => {
      if (String(path).endsWith('no-access') && process.env.KEEL_TEST_CACHE_EACCES === '1') {
        throw Object.assign(new Error(`EACCES: permission denied, mkdir '${path}'`), { code: 'EACCES' });
      }
      return (real.mkdirSync as (...a: unknown[]) => unknown)(path, ...rest);
    },
  };
});

async function loadAndAdd(cacheDir: string) {
  const kernel = new Kernel({ cacheDir });
  try {
    const module = await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'));
    const sum = await (await kernel.spawn(module)).call('docs:adder/add#add', 2, 3);
    return { cache: module.cache, sum };
  } finally {
    await kernel.close();
  }
}

it('a cache directory under a file (ENOTDIR) leaves loads uncached, not failed', async () => {
  const file = join(tempCacheDir(), 'a-file');
  fs.writeFileSync(file, 'not a directory');
  expect(await loadAndAdd(join(file, 'keel'))).toEqual({ cache: 'miss', sum: 5 });
  expect(await loadAndAdd(join(file, 'keel'))).toEqual({ cache: 'miss', sum: 5 });
});

it('a cache directory that may not be made (EACCES) leaves loads uncached, and is used once it can be', async () => {
  const dir = join(tempCacheDir(), 'no-access');
  process.env.KEEL_TEST_CACHE_EACCES = '1';
  try {
    expect(await loadAndAdd(dir)).toEqual({ cache: 'miss', sum: 5 });
    expect(fs.existsSync(dir)).toBe(false);
  } finally {
    delete process.env.KEEL_TEST_CACHE_EACCES;
  }
  expect(await loadAndAdd(dir)).toEqual({ cache: 'miss', sum: 5 });
  expect(await loadAndAdd(dir)).toEqual({ cache: 'disk', sum: 5 });
});

it('a cache directory that others may write is still refused', async () => {
  const dir = tempCacheDir();
  fs.chmodSync(dir, 0o777);
  await expect(loadAndAdd(dir)).rejects.toMatchObject({
    code: 'invalid-argument',
    message: expect.stringMatching(/writable by other users/),
  });
});
