/**
 * The disk cache's system calls on a cold load: a directory that exists is looked at with one
 * stat (no mkdir first), and one this cache made holds no entry until it writes one, so a read
 * there opens nothing (a failed open cost a system call and an exception on every cold load into
 * a new directory). Both directories are still checked: made mode 0700, refused when others may
 * write them (test/loader/cache-dir-fails).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { beforeEach, expect, it, vi } from 'vitest';
import { DiskCache } from '../../host/loader/disk-cache.js';
import { tempCacheDir } from '../helpers/components.js';
import { clearFsCalls, fsCalls } from '../helpers/fs-calls.js';

vi.mock('node:fs', async (original) => {
  const { recordingFs } = await import('../helpers/fs-calls.js');
  return recordingFs(await original<typeof import('node:fs')>(), ['mkdirSync', 'openSync']);
});

const calls = { mkdir: fsCalls.mkdirSync!, open: fsCalls.openSync! };
beforeEach(clearFsCalls);

const entry = (fill: number) => [new Uint8Array(40).fill(fill)];

it('a directory this cache made is read from only after it wrote an entry there', () => {
  const dir = join(tempCacheDir(), 'made');
  const cache = new DiskCache(dir);
  expect(cache.read('a', () => 'used')).toBeUndefined();
  expect(calls.mkdir).toEqual([dir]);
  expect(calls.open).toEqual([]);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);

  cache.write('a', entry(1));
  expect(cache.read('a', (m) => m[0]!.slice())).toEqual(entry(1)[0]);
  expect(cache.read('b', () => 'used')).toBeUndefined();
  expect(calls.open.filter((p) => p.endsWith('.metered'))).toEqual([
    join(dir, 'a.metered'),
    join(dir, 'b.metered'),
  ]);
});

it('a directory that exists is not made again, and its entries are read', () => {
  const dir = tempCacheDir();
  new DiskCache(dir).write('a', entry(2));
  calls.mkdir.length = 0;
  const cache = new DiskCache(dir);
  expect(cache.read('a', (m) => m[0]!.slice())).toEqual(entry(2)[0]);
  expect(calls.mkdir).toEqual([]);
});

it('a directory made by another cache in this process is read from', () => {
  const dir = join(tempCacheDir(), 'shared');
  const maker = new DiskCache(dir);
  maker.check();
  new DiskCache(dir).write('a', entry(3));
  // The maker has written nothing: it does not know of the entry (a miss, never a wrong module).
  expect(maker.read('a', () => 'used')).toBeUndefined();
  expect(new DiskCache(dir).read('a', (m) => m[0]!.slice())).toEqual(entry(3)[0]);
});

it('a file where the directory should be leaves the cache unused, not failed', () => {
  const file = join(tempCacheDir(), 'a-file');
  fs.writeFileSync(file, 'not a directory');
  const cache = new DiskCache(file);
  expect(cache.read('a', () => 'used')).toBeUndefined();
  cache.write('a', entry(4));
  expect(fs.readFileSync(file, 'utf8')).toBe('not a directory');
});
