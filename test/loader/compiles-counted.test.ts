/**
 * `loaderStats.compiles` counts the core modules compiled for loads that use them. A disk entry's
 * modules start compiling before the plan says whether they fit the component; when the entry
 * holds another number of modules than the component has, they are discarded and the component's
 * own are metered and compiled. Before, the discarded compiles were counted too (3 for a
 * component of one core module read against an entry of two).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

/** An entry of the disk cache's format 6 (host/loader/disk-cache.ts) for the file `file`, holding `modules` and no plan, hash (with the key) and all. */
function entry(file: string, modules: Uint8Array[]): Buffer {
  const header = Buffer.alloc(48 + 4 * modules.length);
  header.write('KEEL', 0, 'latin1');
  header.writeUInt32LE(6, 4);
  header.writeUInt32LE(modules.length, 40);
  for (const [i, m] of modules.entries()) header.writeUInt32LE(m.length, 44 + 4 * i);
  header.writeUInt32LE(0, 44 + 4 * modules.length);
  const hash = createHash('sha256').update(basename(file, '.metered')).update(header.subarray(40));
  for (const m of modules) hash.update(m);
  hash.digest().copy(header, 8);
  return Buffer.concat([header, ...modules]);
}

it('compiles counts what a load used, not the early compiles of a disk entry it refused', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  const first = new Kernel({ cacheDir });
  await first.load(bytes);
  expect(first.loaderStats).toMatchObject({ plans: 1, compiles: 1, diskHits: 0 });
  await first.close();

  const names = readdirSync(cacheDir).filter((name) => !name.startsWith('.'));
  expect(names).toHaveLength(1);
  const file = join(cacheDir, names[0]!);
  // The entry's one metered module, twice: whole and verified, but not this component's count.
  const original = readFileSync(file);
  // One module and no plan (the sources carry no planner fingerprint): 52 bytes of header.
  const module = original.subarray(52);
  expect(original.readUInt32LE(40)).toBe(1);
  expect(original.readUInt32LE(48)).toBe(0);
  writeFileSync(file, entry(file, [module, module]));

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
