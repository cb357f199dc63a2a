/**
 * The disk cache reads entries into one buffer that it reuses from one read to the next (fresh
 * pages cost a first touch each: an 11 MB guest's entry read into a new buffer and hashed cost
 * about a plain compile of the guest). Its modules are lent to the reader's callback only: a read
 * made while they are lent gets a buffer of its own, and what the loader compiled from them stays
 * whole when the next read overwrites the buffer.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { DiskCache } from '../../host/loader/disk-cache.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

it('reads the next entry into the buffer of the last read', () => {
  const cache = new DiskCache(tempCacheDir());
  cache.write('a', [bytes(100, 1), bytes(7, 2)]);
  cache.write('b', [bytes(50, 3)]);
  const a = cache.read('a', (modules) => ({
    buffer: modules[0]!.buffer,
    copies: modules.map((m) => m.slice()),
  }));
  const b = cache.read('b', (modules) => ({
    buffer: modules[0]!.buffer,
    copies: modules.map((m) => m.slice()),
  }));
  expect(a?.copies).toEqual([bytes(100, 1), bytes(7, 2)]);
  expect(b?.copies).toEqual([bytes(50, 3)]);
  expect(b?.buffer).toBe(a?.buffer);
});

it('gives a read made while the buffer is lent a buffer of its own', () => {
  const cache = new DiskCache(tempCacheDir());
  cache.write('a', [bytes(100, 1)]);
  cache.write('b', [bytes(100, 2)]);
  const seen = cache.read('a', (outer) => {
    const inner = cache.read('b', (modules) => ({ buffer: modules[0]!.buffer, copy: modules[0]!.slice() }));
    return { outer: outer[0]!.slice(), outerBuffer: outer[0]!.buffer, inner };
  });
  expect(seen?.outer).toEqual(bytes(100, 1));
  expect(seen?.inner?.copy).toEqual(bytes(100, 2));
  expect(seen?.inner?.buffer).not.toBe(seen?.outerBuffer);
});

it('reads an entry larger than the buffer whole; an absent one is a miss', () => {
  const cache = new DiskCache(tempCacheDir());
  cache.write('small', [bytes(10, 1)]);
  cache.write('large', [bytes(200_000, 9)]);
  expect(cache.read('small', (m) => m[0]!.slice())).toEqual(bytes(10, 1));
  // Compared as one Buffer: toEqual walks 200,000 elements one by one.
  const large = cache.read('large', (m) => Buffer.from(m[0]!));
  expect(large?.equals(bytes(200_000, 9))).toBe(true);
  expect(cache.read('absent', () => 'used')).toBeUndefined();
});

it('modules compiled from one entry are whole after the next entry is read over it', async () => {
  const subtract = ADDER_WAT.replace('i32.add', 'i32.sub');
  const add = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const sub = await componentFromWat(subtract, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  const writer = new Kernel({ cacheDir });
  await writer.load(add);
  await writer.load(sub);
  await writer.close();

  const kernel = new Kernel({ cacheDir });
  try {
    const a = await kernel.load(add);
    const s = await kernel.load(sub);
    expect([a.cache, s.cache]).toEqual(['disk', 'disk']);
    expect(await (await kernel.spawn(a)).call('docs:adder/add#add', 7, 2)).toBe(9);
    expect(await (await kernel.spawn(s)).call('docs:adder/add#add', 7, 2)).toBe(5);
  } finally {
    await kernel.close();
  }
});

it('checks an entry under a key longer than its header as it checks any other', () => {
  const dir = tempCacheDir();
  const cache = new DiskCache(dir);
  const key = 'k'.repeat(64);
  cache.write(key, [bytes(30, 4)]);
  cache.write('short', [bytes(30, 4)]);
  expect(cache.read(key, (m) => m[0]!.slice())).toEqual(bytes(30, 4));
  // The same modules under another key: the hash covers the key, so a copy is a miss.
  const file = (k: string) => join(dir, `${k}.metered`);
  copyFileSync(file('short'), file(key));
  expect(cache.read(key, () => 'used')).toBeUndefined();
  // Read twice: a read writes over the start of its buffer, never over what it hashes next.
  cache.write(key, [bytes(30, 5)]);
  expect(cache.read(key, (m) => m[0]!.slice())).toEqual(bytes(30, 5));
  expect(cache.read('short', (m) => m[0]!.slice())).toEqual(bytes(30, 4));
  expect(cache.read('short', (m) => m[0]!.slice())).toEqual(bytes(30, 4));
});
