/**
 * A warm load compiles a disk entry whose modules are all of at most `SYNC_COMPILE_BYTES` on the
 * loader's thread (`new WebAssembly.Module`): an asynchronous compile cost a fixed 60-130 µs of
 * CPU more per module, a quarter of a plain compile of a small component. An entry with a larger
 * module, or whose modules together pass the bound, compiles all asynchronously (beside its compile the synchronous ones cost more than they
 * saved), and a module of the entry that does not compile is `invalid-module` naming it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';
import { Kernel } from '../../host/index.js';
import { SYNC_COMPILE_BYTES } from '../../host/loader/loader.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';
import { diskEntry, entryOf, entryParts } from '../helpers/disk-entry.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The modules' sizes in the one entry of `cacheDir`. */
function entrySizes(cacheDir: string): number[] {
  return entryParts(readFileSync(entryOf(cacheDir))).modules.map((m) => m.length);
}

it('compiles a warm load of small modules on its thread, one with a larger module asynchronously', async () => {
  const small = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const large = new Uint8Array(readFileSync(new URL('../../guests/sdk-probe/c/probe.wasm', import.meta.url)));
  for (const [bytes, asynchronous] of [
    [small, 0],
    [large, 5],
  ] as const) {
    const cacheDir = tempCacheDir();
    const first = new Kernel({ cacheDir });
    await first.load(bytes);
    await first.close();
    const sizes = entrySizes(cacheDir);
    // The adder's one module is under the bound; the C probe's main module metered is over it.
    expect(sizes.some((size) => size > SYNC_COMPILE_BYTES)).toBe(asynchronous > 0);

    const compile = vi.spyOn(WebAssembly, 'compile');
    const second = new Kernel({ cacheDir });
    const loaded = await second.load(bytes);
    expect(loaded.cache).toBe('disk');
    expect(second.loaderStats).toMatchObject({ diskHits: sizes.length, compiles: sizes.length });
    // Beside a larger module's asynchronous compile, all compile asynchronously.
    expect(compile.mock.calls.length).toBe(asynchronous);
    if (asynchronous === 0)
      expect(await (await second.spawn(loaded)).call('docs:adder/add#add', 2, 3)).toBe(5);
    await second.close();
    compile.mockRestore();
  }
});

it('compiles a warm load asynchronously when its small modules together pass the bound', async () => {
  // Attack: a component of many small core modules, each under the bound, to hold the loader's
  // thread for all their compiles at once. The C probe's five modules unmetered (a hook that keeps
  // them as they are, so they are cached as they are): each under the bound, over it together.
  const bytes = new Uint8Array(readFileSync(new URL('../../guests/sdk-probe/c/probe.wasm', import.meta.url)));
  const cacheDir = tempCacheDir();
  const hook = { id: 'as-they-are', transform: (core: Uint8Array) => core };
  const first = new Kernel({ cacheDir, metering: false, coreHook: hook });
  await first.load(bytes);
  await first.close();
  const sizes = entrySizes(cacheDir);
  expect(
    sizes.every((size) => size <= SYNC_COMPILE_BYTES),
    String(sizes),
  ).toBe(true);
  expect(sizes.reduce((sum, size) => sum + size, 0)).toBeGreaterThan(SYNC_COMPILE_BYTES);

  const compile = vi.spyOn(WebAssembly, 'compile');
  const second = new Kernel({ cacheDir, metering: false, coreHook: hook });
  const loaded = await second.load(bytes);
  expect(loaded.cache).toBe('disk');
  expect(compile.mock.calls.length).toBe(sizes.length);
  await second.close();
});

it('refuses an entry module that does not compile on the loader thread as invalid-module', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const cacheDir = tempCacheDir();
  const first = new Kernel({ cacheDir });
  await first.load(bytes);
  await first.close();
  const [size] = entrySizes(cacheDir);
  expect(size).toBeLessThanOrEqual(SYNC_COMPILE_BYTES);

  // The entry rewritten whole, its hash (with the key) right, its module valid but for a body
  // that leaves a value on the stack of a function with no result: it does not compile.
  const file = entryOf(cacheDir);
  const broken = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01,
    0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x01, 0x0b,
  ]);
  expect(WebAssembly.validate(broken)).toBe(false);
  writeFileSync(file, diskEntry(file, [broken]));

  const compile = vi.spyOn(WebAssembly, 'compile');
  const second = new Kernel({ cacheDir });
  await expect(second.load(bytes)).rejects.toMatchObject({
    code: 'invalid-module',
    message: expect.stringMatching(/^core module core0\.wasm does not compile: /),
  });
  expect(compile.mock.calls.length).toBe(0);
  await second.close();
});
