/**
 * The cache directory's check on a kernel's loads. A kernel with no core-module hook
 * (`metering: false`, no `coreHook`) keeps nothing on disk, so it does not make its cache
 * directory (a mkdir and a stat more on its first load into a new directory: 150 µs of a cold
 * load of the bench component); one that exists is still looked at and refused when others may
 * write it, as before. A metered kernel makes and checks it as before. Either looks once per
 * kernel, however many components it loads.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { beforeEach, expect, it, vi } from 'vitest';
import { Kernel } from '../../host/index.js';
import {
  ADDER_WAT,
  ADDER_WIT,
  BENCH_WAT,
  BENCH_WIT,
  componentFromWat,
  tempCacheDir,
} from '../helpers/components.js';
import { clearFsCalls, fsCalls } from '../helpers/fs-calls.js';

vi.mock('node:fs', async (original) => {
  const { recordingFs } = await import('../helpers/fs-calls.js');
  return recordingFs(await original<typeof import('node:fs')>(), ['mkdirSync', 'statSync']);
});

const calls = { mkdir: fsCalls.mkdirSync!, stat: fsCalls.statSync! };
beforeEach(clearFsCalls);

const components = async () => [
  await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'),
  await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'),
];

it('an unmetered kernel does not make its cache directory, and looks for it once', async () => {
  const dir = join(tempCacheDir(), 'unused');
  const [adder, bench] = await components();
  const kernel = new Kernel({ metering: false, cacheDir: dir });
  try {
    const module = await kernel.load(adder!);
    await kernel.load(bench!);
    expect(await (await kernel.spawn(module)).call('docs:adder/add#add', 2, 3)).toBe(5);
  } finally {
    await kernel.close();
  }
  expect(fs.existsSync(dir)).toBe(false);
  expect(calls.mkdir).toEqual([]);
  expect(calls.stat.filter((p) => p === dir)).toEqual([dir]);
});

it('an unmetered kernel still refuses a cache directory others may write', async () => {
  const dir = tempCacheDir();
  fs.chmodSync(dir, 0o777);
  const [adder] = await components();
  const kernel = new Kernel({ metering: false, cacheDir: dir });
  try {
    for (let i = 0; i < 2; i++) {
      await expect(kernel.load(adder!)).rejects.toMatchObject({
        code: 'invalid-argument',
        message: expect.stringMatching(/writable by other users/),
      });
    }
  } finally {
    await kernel.close();
  }
});

it('a metered kernel makes its cache directory private, once for all its loads', async () => {
  const dir = join(tempCacheDir(), 'made');
  const [adder, bench] = await components();
  const kernel = new Kernel({ cacheDir: dir });
  try {
    await kernel.load(adder!);
    await kernel.load(bench!);
  } finally {
    await kernel.close();
  }
  // The look before the mkdir and the check after it; none for the second load.
  expect(calls.stat.filter((p) => p === dir)).toEqual([dir, dir]);
  expect(calls.mkdir).toEqual([dir]);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
});
