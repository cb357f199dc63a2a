/**
 * Attack: a cached metered core module is swapped for other bytes between two runs (say, the
 * same module without its fuel checks). What is read from the cache is checked against the
 * sha256 recorded when it was written: a swapped module is never compiled; the entry is remade.
 *
 * An entry is one file per component (host/loader/disk-cache.ts; its format in
 * test/helpers/disk-entry.ts): no plan here, the sources carry no planner fingerprint.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';
import { COUNT_AT, diskEntry, entryOf, entryParts, HASH_AT } from '../../helpers/disk-entry.js';
import { wat } from '../../helpers/wat.js';

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

/** The entry with its one module replaced by `module`, its recorded hash left as it was. */
function swapped(file: string, entry: Buffer, module: Uint8Array): Buffer {
  const { modules, plan } = entryParts(entry);
  expect(modules).toHaveLength(1);
  expect(plan).toHaveLength(0);
  const out = diskEntry(file, [module]);
  entry.copy(out, HASH_AT, HASH_AT, COUNT_AT);
  return out;
}

it('does not use a swapped metered module, and remakes the entry', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  expect((await loadAndAdd(cacheDir, bytes)).cache).toBe('miss');
  const entry = entryOf(cacheDir);
  const original = readFileSync(entry);
  // The same component's core module, unmetered: it would run without fuel checks.
  writeFileSync(entry, swapped(entry, original, await wat(ADDER_WAT)));

  const second = await loadAndAdd(cacheDir, bytes);
  expect(second).toMatchObject({ cache: 'miss', sum: 5, stats: { diskHits: 0 } });
  expect(readFileSync(entry)).toEqual(original);
  // The remade entry is trusted again.
  expect((await loadAndAdd(cacheDir, bytes)).cache).toBe('disk');
});

it('does not use a module whose recorded hash was changed alone', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  await loadAndAdd(cacheDir, bytes);
  const entry = entryOf(cacheDir);
  const changed = readFileSync(entry);
  changed.fill(0, 8, 40);
  writeFileSync(entry, changed);
  expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({ cache: 'miss', sum: 5, stats: { diskHits: 0 } });
});

it('does not use a truncated entry, nor one with bytes appended', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  await loadAndAdd(cacheDir, bytes);
  const entry = entryOf(cacheDir);
  const original = readFileSync(entry);
  for (const altered of [
    original.subarray(0, original.length - 1),
    Buffer.concat([original, Buffer.from([0])]),
  ]) {
    writeFileSync(entry, altered);
    expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({
      cache: 'miss',
      sum: 5,
      stats: { diskHits: 0 },
    });
    expect(readFileSync(entry)).toEqual(original);
  }
});
