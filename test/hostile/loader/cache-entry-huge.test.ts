/**
 * Attack: a huge file in place of a cache entry (whoever could write the private cache directory:
 * a previous run of this user's). Sparse, it costs no disk; it was read whole into the cache's
 * read buffer, hashed, found altered, and the buffer kept 5 s: a 2 GiB file cost a load 50 s of
 * wall time (6.7 s of CPU) and 2 GiB of memory, a larger one more than the machine has. An entry
 * is at most `entryBytesFor(moduleBytes)`: a larger file is a miss, never read, and the entry
 * remade; an entry that would be larger is not written.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, statSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { DiskCache, entryBytesFor } from '../../../host/loader/disk-cache.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';
import { entryOf } from '../../helpers/disk-entry.js';

const MODULE_BYTES = 1 << 20;

async function loadAndAdd(cacheDir: string, bytes: Uint8Array) {
  const kernel = new Kernel({ cacheDir, limits: { moduleBytes: MODULE_BYTES } });
  try {
    const module = await kernel.load(bytes);
    const sum = await (await kernel.spawn(module)).call('docs:adder/add#add', 2, 3);
    return { cache: module.cache, sum, stats: { ...kernel.loaderStats } };
  } finally {
    await kernel.close();
  }
}

it('a sparse file of 256 MiB in place of an entry is a miss, not read', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  await loadAndAdd(cacheDir, bytes);
  const entry = entryOf(cacheDir);
  const original = readFileSync(entry);
  const fd = openSync(entry, 'r+');
  ftruncateSync(fd, 256 * 1024 * 1024);
  closeSync(fd);
  const before = process.memoryUsage().arrayBuffers;
  const cpu = process.cpuUsage();
  expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({ cache: 'miss', sum: 5, stats: { diskHits: 0 } });
  const spent = process.cpuUsage(cpu);
  // Read, the file would be held as the read buffer for 5 s more.
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  expect((spent.user + spent.system) / 1000).toBeLessThan(2_000);
  expect(statSync(entry).size).toBe(original.length);
  expect(readFileSync(entry)).toEqual(original);
  expect((await loadAndAdd(cacheDir, bytes)).cache).toBe('disk');
}, 60_000);

it('an entry larger than the bound is not written; one at the bound is written and read', async () => {
  expect(entryBytesFor(MODULE_BYTES)).toBe(3 * MODULE_BYTES);
  const header = 40 + 8 + 4;
  const cache = new DiskCache(tempCacheDir(), 4096);
  cache.write('big', [new Uint8Array(4096 - header + 1)]);
  expect(await cache.size()).toBe(0);
  cache.write('fits', [new Uint8Array(4096 - header).fill(7)]);
  expect(await cache.size()).toBe(1);
  expect(cache.read('fits', (modules) => modules[0]!.length)).toBe(4096 - header);
});
