/**
 * The disk cache reads an entry without asking its size first: a read that leaves room in the
 * buffer (64 KiB at first) reached the file's end, one that fills it asks the size and reads the
 * rest into a buffer that holds it. Entries of one byte less than the buffer, exactly its size and
 * one byte more read back whole, and so does a small one after them.
 */
import { expect, it } from 'vitest';
import { DiskCache } from '../../host/loader/disk-cache.js';
import { tempCacheDir } from '../helpers/components.js';

/** An entry of one module and no plan: 4 + 4 + 32 + 4 + 4 + 4 bytes of header. */
const HEADER = 52;
const FIRST_BUFFER = 64 * 1024;

const module = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

it('reads entries around the read buffer size whole', () => {
  const cache = new DiskCache(tempCacheDir());
  const sizes = [FIRST_BUFFER - 1, FIRST_BUFFER, FIRST_BUFFER + 1, 3 * FIRST_BUFFER + 7, HEADER + 10];
  sizes.forEach((size, i) => {
    cache.write(`e${i}`, [module(size - HEADER, i)]);
  });
  sizes.forEach((size, i) => {
    const read = cache.read(`e${i}`, (modules) => Buffer.from(modules[0]!));
    expect(read?.length).toBe(size - HEADER);
    expect(read?.equals(module(size - HEADER, i))).toBe(true);
  });
});
