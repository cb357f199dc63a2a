/**
 * `loaderStats.compiles` counts the core modules compiled for loads that use them. A disk entry's
 * modules start compiling before the plan says whether they fit the component; when the entry
 * holds another number of modules than the component has, they are discarded and the component's
 * own are metered and compiled. Before, the discarded compiles were counted too (3 for a
 * component of one core module read against an entry of two).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';
import { diskEntry, entryOf, entryParts } from '../helpers/disk-entry.js';

it('compiles counts what a load used, not the early compiles of a disk entry it refused', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  const first = new Kernel({ cacheDir });
  await first.load(bytes);
  expect(first.loaderStats).toMatchObject({ plans: 1, compiles: 1, diskHits: 0 });
  await first.close();

  const file = entryOf(cacheDir);
  // The entry's one metered module, twice: whole and verified, but not this component's count.
  // One module and no plan (the sources carry no planner fingerprint).
  const { modules, plan } = entryParts(readFileSync(file));
  expect(modules).toHaveLength(1);
  expect(plan).toHaveLength(0);
  writeFileSync(file, diskEntry(file, [modules[0]!, modules[0]!]));

  const second = new Kernel({ cacheDir });
  const loaded = await second.load(bytes);
  expect(loaded.cache).toBe('miss');
  expect(await (await second.spawn(loaded)).call('docs:adder/add#add', 2, 3)).toBe(5);
  expect(second.loaderStats).toMatchObject({ plans: 1, compiles: 1, diskHits: 0 });
  await second.close();

  // The entry was remade with the component's one module: a hit compiles it once.
  const third = new Kernel({ cacheDir });
  expect((await third.load(bytes)).cache).toBe('disk');
  expect(third.loaderStats).toMatchObject({ plans: 1, compiles: 1, diskHits: 1 });
  await third.close();
});
