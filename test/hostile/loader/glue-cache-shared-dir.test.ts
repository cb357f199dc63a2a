/**
 * Attack: another user plants a module without fuel checks in a cache directory they can write
 * (a shared or world-writable directory). Keel reads cached modules only from a directory that
 * belongs to this user and that nobody else can write; otherwise the load is refused, naming
 * the directory.
 */
import { chmodSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';

it('refuses a cache directory that others can write', async () => {
  const cacheDir = tempCacheDir();
  chmodSync(cacheDir, 0o777);
  const kernel = new Kernel({ cacheDir });
  try {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    await expect(kernel.load(bytes)).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining(cacheDir),
    });
    expect(kernel.loaderStats).toMatchObject({ plans: 0, compiles: 0 });
  } finally {
    await kernel.close();
  }
});
