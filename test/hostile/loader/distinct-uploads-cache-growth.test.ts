/**
 * Attack: an embedder that loads user uploads (a plugin host) is handed module after distinct
 * module. The loader kept every one it planned and compiled, in memory, for the kernel's life
 * (redteam17): no bound but the process's heap. It keeps the most recently used, up to
 * `moduleCache.entries` and `moduleCache.bytes`; a forgotten module loads again from the disk
 * cache (or its bytes), and the sandboxes running from it keep working.
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import { DEFAULT_MODULE_CACHE, Kernel } from '../../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';

const UPLOADS = 20;
let base: Uint8Array;
let kernel: Kernel | undefined;

/** The same component with a custom section of its own at the end: distinct bytes, distinct hash. */
function upload(i: number): Uint8Array {
  const name = new TextEncoder().encode(`upload-${String(i).padStart(4, '0')}`);
  const section = [0, name.length + 1, name.length, ...name];
  const out = new Uint8Array(base.length + section.length);
  out.set(base);
  out.set(section, base.length);
  return out;
}

beforeAll(async () => {
  base = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
});
afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
});

it('keeps the most recently used modules, up to moduleCache.entries', async () => {
  kernel = new Kernel({ cacheDir: tempCacheDir(), moduleCache: { entries: 4 } });
  const first = await kernel.load(upload(0));
  const running = await kernel.spawn(first);
  for (let i = 1; i < UPLOADS; i++) expect((await kernel.load(upload(i))).cache).not.toBe('memory');
  expect(kernel.loaderStats.memoryEvictions).toBe(UPLOADS - 4);
  // The most recent four are served from memory; the first was forgotten: it loads again from
  // the disk cache, and its sandbox still runs.
  expect((await kernel.load(upload(UPLOADS - 1))).cache).toBe('memory');
  expect((await kernel.load(upload(0))).cache).toBe('disk');
  expect((await running.invoke('docs:adder/add#add', [2, 3])).value).toBe(5);
  const again = await kernel.spawn(first);
  expect((await again.invoke('docs:adder/add#add', [40, 2])).value).toBe(42);
});

it('keeps at most moduleCache.bytes of modules, and none with entries 0', async () => {
  kernel = new Kernel({ cacheDir: false, moduleCache: { bytes: 3 * (base.length + 16) } });
  for (let i = 0; i < 6; i++) await kernel.load(upload(i));
  expect(kernel.loaderStats.memoryEvictions).toBe(3);
  expect((await kernel.load(upload(5))).cache).toBe('memory');
  expect((await kernel.load(upload(2))).cache).toBe('miss');
  await kernel.close();
  kernel = new Kernel({ cacheDir: false, moduleCache: { entries: 0 } });
  await kernel.load(upload(0));
  expect((await kernel.load(upload(0))).cache).toBe('miss');
  expect(kernel.loaderStats.memoryHits).toBe(0);
});

it('has a finite default and refuses a bound that is not a count', () => {
  expect(DEFAULT_MODULE_CACHE).toEqual({ entries: 64, bytes: 128 * 1024 * 1024 });
  for (const moduleCache of [{ entries: -1 }, { bytes: Number.POSITIVE_INFINITY }, { entries: 1.5 }]) {
    expect(() => new Kernel({ cacheDir: false, moduleCache })).toThrow(/moduleCache/);
  }
});
