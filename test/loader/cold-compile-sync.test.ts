/**
 * A cold load whose core modules' final bytes are all of at most `SYNC_COMPILE_BYTES` compiles
 * them on the loader's thread at the plan's end (`new WebAssembly.Module`), as a warm load of
 * such an entry does: V8's asynchronous compile made no progress while the loader planned and
 * metered, then held the event loop until done, at more CPU (bench/results/perf-cold-2026-12-07-15.md).
 * A component whose modules' final bytes pass the bound together (one large module, or many small
 * ones: what the loader's thread would spend compiling is bounded, not each module's share)
 * compiles every module asynchronously, and final bytes that do not compile on the loader's
 * thread are `invalid-module` naming the module.
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';
import { Kernel } from '../../host/index.js';
import { Loader, YIELD_AFTER_MS } from '../../host/loader/loader.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('compiles a cold load of small modules on its thread, one with more than SYNC_COMPILE_BYTES asynchronously', async () => {
  const small = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  // The C probe's five core modules: each under the bound as they are but over it together, the
  // main one over it alone once metered.
  const large = new Uint8Array(readFileSync(new URL('../../guests/sdk-probe/c/probe.wasm', import.meta.url)));
  for (const [bytes, metering, modules, asynchronous] of [
    [small, true, 1, 0],
    [small, false, 1, 0],
    [large, true, 5, 5],
    [large, false, 5, 5],
  ] as const) {
    const compile = vi.spyOn(WebAssembly, 'compile');
    const kernel = new Kernel({ cacheDir: tempCacheDir(), ...(metering ? {} : { metering: false }) });
    const loaded = await kernel.load(bytes);
    expect(loaded.cache).toBe('miss');
    expect(compile.mock.calls.length).toBe(asynchronous);
    expect(kernel.loaderStats.compiles).toBe(modules);
    if (bytes === small) expect(await (await kernel.spawn(loaded)).call('docs:adder/add#add', 2, 3)).toBe(5);
    await kernel.close();
    compile.mockRestore();
  }
});

it('compiles a small plain core module on its thread', async () => {
  // Made before the spy: with no fixture cache (a fresh `npm ci`, as CI's) parse() loads
  // jco-transpile's wasm-tools, whose own compiles (one of 78 MB) the spy would count.
  const bytes = await parse('(module (func (export "f") (result i32) i32.const 7))');
  const compile = vi.spyOn(WebAssembly, 'compile');
  for (const metering of [true, false]) {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), ...(metering ? {} : { metering: false }) });
    const loaded = await kernel.load(bytes);
    expect(kernel.loaderStats.compiles).toBe(1);
    expect(await (await kernel.spawn(loaded)).call('f')).toBe(7);
    await kernel.close();
  }
  expect(compile.mock.calls.length).toBe(0);
});

it('refuses final bytes that do not compile on the loader thread as invalid-module', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  // A body that leaves a value on the stack of a function with no result.
  const broken = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01,
    0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x01, 0x0b,
  ]);
  const compile = vi.spyOn(WebAssembly, 'compile');
  const kernel = new Kernel({
    cacheDir: false,
    metering: false,
    coreHook: { id: 'breaks', transform: () => broken },
  });
  await expect(kernel.load(bytes)).rejects.toMatchObject({
    code: 'invalid-module',
    message: expect.stringMatching(/^core module core0\.wasm does not compile: /),
  });
  expect(compile.mock.calls.length).toBe(0);
  await kernel.close();
});

it('lets the event loop turn before writing the entry after a slow rewrite only', async () => {
  const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  for (const [busyMs, turns] of [
    [0, 0],
    [YIELD_AFTER_MS + 5, 1],
  ] as const) {
    // The loader's own clock stands still but for the rewrite's time, so that a loaded machine
    // cannot make the quick load slow (it took over 10 ms at load 20). Not the global
    // performance.now and setImmediate, mocked for the whole load: the file's process ran out of
    // heap (4 GB) in two full runs of the suite from a fresh clone (CI's, and one at load 20).
    let clock = 0;
    const loader = new Loader({
      maxModuleBytes: 1 << 24,
      cacheDir: tempCacheDir(),
      now: () => clock,
      coreHook: {
        id: `busy-${busyMs}`,
        transform: (core) => {
          clock += busyMs;
          return core;
        },
      },
    });
    await loader.load(bytes);
    expect(loader.stats.turns).toBe(turns);
  }
});
