/**
 * Attack: a symbolic link planted at the name an entry is staged under before its rename
 * (`.tmp-<key>-<pid>-<ms>` in the private cache directory: predictable to whoever could write
 * there). The staging file was opened with O_CREAT | O_TRUNC, which follows the link: the file it
 * named (any file of the user's) was truncated and overwritten with the entry, and the link then
 * renamed into the entry's place. Now the staging file is made anew (O_EXCL): the link's target
 * is untouched, and the load goes uncached.
 */
import { readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';
import { entryOf } from '../../helpers/disk-entry.js';

afterEach(() => {
  vi.restoreAllMocks();
});

async function loadAndAdd(cacheDir: string, bytes: Uint8Array) {
  const kernel = new Kernel({ cacheDir });
  try {
    const module = await kernel.load(bytes);
    const sum = await (await kernel.spawn(module)).call('docs:adder/add#add', 2, 3);
    return { cache: module.cache, sum };
  } finally {
    await kernel.close();
  }
}

it('a link planted at the staging name is not written through', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  await loadAndAdd(cacheDir, bytes);
  const entry = entryOf(cacheDir);
  const key = entry.slice(cacheDir.length + 1).replace(/\.metered$/, '');
  rmSync(entry);
  const victim = join(tempCacheDir(), 'victim.txt');
  writeFileSync(victim, 'precious');
  const now = 1_700_000_000_000;
  vi.spyOn(Date, 'now').mockReturnValue(now);
  symlinkSync(victim, join(cacheDir, `.tmp-${key}-${process.pid}-${now}`));
  expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({ cache: 'miss', sum: 5 });
  expect(readFileSync(victim, 'utf8')).toBe('precious');
  expect(readdirSync(cacheDir).filter((name) => !name.startsWith('.'))).toEqual([]);
});
