/**
 * Attack: the file a cache entry is read from is not a regular file: a FIFO (an open for reading
 * blocks until someone opens it to write, and that would stop the kernel's thread, every other
 * sandbox with it), or a symbolic link to somewhere else (a file outside the cache, a device).
 * Whoever can write the cache directory can make them (a previous run of this user's, a guest
 * once granted it). Each is a clean miss: the load meters afresh, the component runs, and the
 * entry is remade as a regular file.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';
import { entryOf } from '../../helpers/disk-entry.js';

async function loadAndAdd(cacheDir: string, bytes: Uint8Array) {
  const kernel = new Kernel({ cacheDir });
  try {
    const module = await kernel.load(bytes);
    const sum = await (await kernel.spawn(module)).call('docs:adder/add#add', 2, 3);
    return { cache: module.cache, sum, stats: { ...kernel.loaderStats } };
  } finally {
    await kernel.close();
  }
}

it('a FIFO in place of an entry is a miss, not a load that never returns', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  await loadAndAdd(cacheDir, bytes);
  const entry = entryOf(cacheDir);
  const original = readFileSync(entry);
  rmSync(entry);
  execFileSync('mkfifo', ['-m', '600', entry]);
  expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({ cache: 'miss', sum: 5, stats: { diskHits: 0 } });
  expect(lstatSync(entry).isFile()).toBe(true);
  expect(readFileSync(entry)).toEqual(original);
}, 20_000);

it('a symbolic link in place of an entry is not followed', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  await loadAndAdd(cacheDir, bytes);
  const entry = entryOf(cacheDir);
  const original = readFileSync(entry);
  // A valid entry, kept outside the cache directory: the link would make it a hit.
  const outside = join(tempCacheDir(), 'elsewhere');
  writeFileSync(outside, original);
  rmSync(entry);
  symlinkSync(outside, entry);
  expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({ cache: 'miss', sum: 5, stats: { diskHits: 0 } });
  expect(lstatSync(entry).isFile()).toBe(true);
  expect(readFileSync(entry)).toEqual(original);
});
