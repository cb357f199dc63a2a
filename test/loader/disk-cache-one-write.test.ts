/**
 * A small disk entry (`ONE_WRITE_BYTES`: every entry of the bench component, the adder, the SDK
 * probes' small modules) is made in one buffer and written by one system call, its hash one call
 * over the key and the bytes after the hash; a cold load paid three writes and a `Hash` object
 * (40-60 µs of the bench component's cold load). A larger entry is still written in parts (no copy
 * of an 11 MB guest's entry). Either way the file is the format's, byte for byte, as
 * test/helpers/disk-entry.ts writes it from the format's description, and it reads back.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { beforeEach, expect, it, vi } from 'vitest';
import { DiskCache, ONE_WRITE_BYTES } from '../../host/loader/disk-cache.js';
import { tempCacheDir } from '../helpers/components.js';
import { diskEntry } from '../helpers/disk-entry.js';
import { clearFsCalls, fsCalls } from '../helpers/fs-calls.js';

vi.mock('node:fs', async (original) => {
  const { recordingFs } = await import('../helpers/fs-calls.js');
  return recordingFs(await original<typeof import('node:fs')>(), ['writeSync']);
});

/** The file descriptor of each `writeSync`. */
const writes = fsCalls.writeSync!;
beforeEach(clearFsCalls);

const bytes = (size: number, seed: number) =>
  Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) & 0xff);
const KEY = 'a'.repeat(40);

it('a small entry is written by one system call, in the format', () => {
  const dir = tempCacheDir();
  const cache = new DiskCache(dir);
  const modules = [bytes(725, 1), bytes(300, 2)];
  const plan = bytes(2293, 3);
  cache.write(KEY, modules, plan);
  expect(writes).toHaveLength(1);
  const file = join(dir, `${KEY}.metered`);
  expect(new Uint8Array(fs.readFileSync(file))).toEqual(new Uint8Array(diskEntry(file, modules, plan)));
  expect(cache.read(KEY, (m, p) => [...m.map((x) => x.slice()), p?.slice()])).toEqual([...modules, plan]);
});

it('a small entry with no plan, and one with a short key, are the format too', () => {
  const dir = tempCacheDir();
  const cache = new DiskCache(dir);
  for (const [key, plan] of [
    ['b'.repeat(40), undefined],
    ['short', bytes(10, 4)],
  ] as const) {
    writes.length = 0;
    const modules = [bytes(100, 5)];
    cache.write(key, modules, plan);
    expect(writes).toHaveLength(1);
    const file = join(dir, `${key}.metered`);
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(new Uint8Array(diskEntry(file, modules, plan)));
    expect(cache.read(key, (m) => m[0]!.slice())).toEqual(modules[0]);
  }
});

it('an entry past ONE_WRITE_BYTES, or with a key longer than the header, is written in parts, in the format', () => {
  const dir = tempCacheDir();
  const cache = new DiskCache(dir);
  for (const [key, modules] of [
    [KEY, [bytes(ONE_WRITE_BYTES, 6)]],
    ['k'.repeat(41), [bytes(50, 7)]],
  ] as const) {
    writes.length = 0;
    const plan = bytes(64, 8);
    cache.write(key, modules, plan);
    expect(writes.length).toBeGreaterThan(1);
    const file = join(dir, `${key}.metered`);
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(
      new Uint8Array(diskEntry(file, [...modules], plan)),
    );
    expect(cache.read(key, (m) => m[0]!.slice())).toEqual(modules[0]);
  }
});
