/**
 * Attack: a cached metered core module is swapped for other bytes between two runs (say, the
 * same module without its fuel checks). What is read from the cache is checked against the
 * sha256 recorded when it was written: a swapped module is never compiled; the entry is remade.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';
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

it('does not use a swapped metered module, and remakes the entry', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  expect((await loadAndAdd(cacheDir, bytes)).cache).toBe('miss');
  const [entry] = readdirSync(cacheDir).filter((name) => !name.startsWith('.'));
  const modulePath = join(cacheDir, entry!, 'module.wasm');
  const original = readFileSync(modulePath);
  // The same component's core module, unmetered: it would run without fuel checks.
  writeFileSync(modulePath, await wat(ADDER_WAT));

  const second = await loadAndAdd(cacheDir, bytes);
  expect(second).toMatchObject({ cache: 'miss', sum: 5, stats: { diskHits: 0 } });
  expect(readFileSync(modulePath)).toEqual(original);
  // The remade entry is trusted again.
  expect((await loadAndAdd(cacheDir, bytes)).cache).toBe('disk');
});

it('does not use a module whose recorded hash was changed alone', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  await loadAndAdd(cacheDir, bytes);
  const [entry] = readdirSync(cacheDir).filter((name) => !name.startsWith('.'));
  const metaPath = join(cacheDir, entry!, 'meta.json');
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { sha256: string };
  writeFileSync(metaPath, JSON.stringify({ ...meta, sha256: '0'.repeat(64) }));
  expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({ cache: 'miss', sum: 5 });
});
