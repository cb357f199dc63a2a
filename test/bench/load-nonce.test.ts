/**
 * bench/load.ts measures loads on bytes V8 has not seen by giving each sample's core modules a
 * custom section of their own. The variant must still be the same program, and new to Keel's
 * cache too (its core modules, and so their metered forms, differ), or the measure would be
 * answered from a cache after all.
 */
import { expect, it } from 'vitest';
import { mapCoreModules, withNonce } from '../../bench/lib/nonce.js';
import { Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

it('rebuilds a component unchanged when its core modules are kept', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const same = mapCoreModules(bytes, (core) => core);
  expect(same.component).toEqual(bytes);
  expect(same.cores).toHaveLength(1);
});

it('gives each variant new core bytes that Keel loads, meters anew and runs alike', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const [a, b] = [1, 2].map((n) => mapCoreModules(bytes, (core) => withNonce(core, n)));
  expect(a!.cores[0]).not.toEqual(b!.cores[0]);
  expect(WebAssembly.validate(a!.cores[0] as Uint8Array<ArrayBuffer>)).toBe(true);
  const kernel = new Kernel({ cacheDir: tempCacheDir() });
  try {
    for (const variant of [a!, b!]) {
      const module = await kernel.load(variant.component);
      expect(module.cache).toBe('miss');
      expect(await (await kernel.spawn(module)).call('docs:adder/add#add', 2, 3)).toBe(5);
    }
    expect(kernel.loaderStats).toMatchObject({ plans: 2, diskHits: 0 });
  } finally {
    await kernel.close();
  }
});
