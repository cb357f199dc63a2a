/**
 * Attack: the cached glue file (or a cached core module) is swapped for other text between two
 * runs. What is read from the cache is checked against the sha256 recorded when it was written
 * and imported from the verified text itself: a swapped file never runs; the entry is remade.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';
import { MARKER } from './support.js';

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

it('does not run a swapped glue file, and remakes the entry', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  expect((await loadAndAdd(cacheDir, bytes)).cache).toBe('miss');
  const [entry] = readdirSync(cacheDir).filter((name) => !name.startsWith('.'));
  const gluePath = join(cacheDir, entry!, 'glue.mjs');
  const original = readFileSync(gluePath, 'utf8');
  writeFileSync(gluePath, `globalThis.${MARKER} = 1;\n${original}`);

  const second = await loadAndAdd(cacheDir, bytes);
  expect((globalThis as Record<string, unknown>)[MARKER]).toBeUndefined();
  expect(second).toMatchObject({ cache: 'miss', sum: 5, stats: { transpiles: 1, diskHits: 0 } });
  expect(readFileSync(gluePath, 'utf8')).toBe(original);
  // The remade entry is trusted again.
  expect((await loadAndAdd(cacheDir, bytes)).cache).toBe('disk');
});

it('does not use a swapped core module', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  await loadAndAdd(cacheDir, bytes);
  const [entry] = readdirSync(cacheDir).filter((name) => !name.startsWith('.'));
  const coreDir = join(cacheDir, entry!, 'core');
  const [core] = readdirSync(coreDir);
  const swapped = readFileSync(join(coreDir, core!));
  swapped[swapped.length - 1] = (swapped.at(-1) ?? 0) ^ 0xff;
  writeFileSync(join(coreDir, core!), swapped);
  expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({ cache: 'miss', sum: 5 });
});
