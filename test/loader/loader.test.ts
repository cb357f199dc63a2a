import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import {
  ADDER_WAT,
  ADDER_WIT,
  componentFromWat,
  PREVIEW1_HELLO_WAT,
  tempCacheDir,
} from '../helpers/components.js';
import { diskEntry, entryOf, entryParts } from '../helpers/disk-entry.js';
import { wat } from '../helpers/wat.js';

describe('loader: cache of metered core modules', () => {
  it('a second load of the same bytes does not meter again (new kernel, same cache dir)', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const cacheDir = tempCacheDir();
    const first = new Kernel({ cacheDir });
    const a = await first.load(bytes);
    expect(a.cache).toBe('miss');
    expect(first.loaderStats).toMatchObject({ plans: 1, diskHits: 0 });
    await first.close();

    const second = new Kernel({ cacheDir });
    const b = await second.load(bytes);
    expect(b.cache).toBe('disk');
    expect(second.loaderStats).toMatchObject({ plans: 1, diskHits: 1 });
    expect(await (await second.spawn(b)).call('docs:adder/add#add', 1, 2)).toBe(3);
    await second.close();
  });

  it("keeps one entry per component, and uses no entry whose module count is not the component's", async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const cacheDir = tempCacheDir();
    const first = new Kernel({ cacheDir });
    await first.load(bytes);
    await first.close();
    // The entry remade with its one module twice and a correct hash: whole, but not this component's.
    const entry = entryOf(cacheDir);
    const original = readFileSync(entry);
    const { modules } = entryParts(original);
    expect(modules).toHaveLength(1);
    writeFileSync(entry, diskEntry(entry, [modules[0]!, modules[0]!]));

    const second = new Kernel({ cacheDir });
    const loaded = await second.load(bytes);
    expect(loaded.cache).toBe('miss');
    expect(second.loaderStats).toMatchObject({ plans: 1, diskHits: 0 });
    expect(await (await second.spawn(loaded)).call('docs:adder/add#add', 1, 2)).toBe(3);
    await second.close();
    expect(readFileSync(entry)).toEqual(original);
  });

  it('a second load in the same kernel hits the memory cache and compiles nothing new', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const kernel = new Kernel({ cacheDir: false });
    await kernel.load(bytes);
    const compiles = kernel.loaderStats.compiles;
    const again = await kernel.load(bytes);
    expect(again.cache).toBe('memory');
    expect(kernel.loaderStats).toMatchObject({ plans: 1, memoryHits: 1, compiles });
  });

  it('wraps a WASI preview1 command with the command adapter', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat(PREVIEW1_HELLO_WAT));
    expect(module.kind).toBe('preview1');
    expect(module.preview1).toBe('command');
    expect(module.isCommand).toBe(true);
  });
});

describe('loader: malformed input is invalid-module with a one-line reason', () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), limits: { moduleBytes: 4096 } });

  const cases: [string, Uint8Array][] = [
    ['random bytes', new TextEncoder().encode('this is not wasm at all')],
    ['empty input', new Uint8Array()],
    ['a truncated core module', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x7f])],
    ['an unknown binary version', new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])],
    ['a truncated component', new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 7, 0x10])],
    ['a module over the size limit', new Uint8Array(8192).fill(0)],
  ];

  for (const [name, bytes] of cases) {
    it(`rejects ${name}`, async () => {
      const error = await kernel.load(bytes).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid-module' });
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).not.toMatch(/\bat .*\.js:\d+/);
      expect(message.length).toBeLessThan(300);
    });
  }

  it('rejects a core module that fails validation, with the engine reason', async () => {
    // (func (result i32)) with an empty body: type mismatch.
    const bytes = new Uint8Array([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b,
    ]);
    await expect(kernel.load(bytes)).rejects.toMatchObject({
      code: 'invalid-module',
      message: expect.stringMatching(/invalid core module: .+/),
    });
  });
});
