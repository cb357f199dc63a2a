/**
 * Attack: a core module that is invalid in one precise way — a function writes a local it never
 * declared, one past its last — so that Keel's metering pass, which appends its own locals (the
 * fuel counter among them) and renumbers the function's, would turn the write into a valid
 * write of its fuel counter: the guest would refill its own fuel. The metering pass expects
 * valid input; the loader validates every core module before metering it (never skipped for
 * speed: V8's validation of the metered output cannot see the difference), so the module is
 * `invalid-module`, whether it comes alone, inside a component, or out of an embedder's coreHook.
 */
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { meterModule } from '../../../host/meter/index.js';
import { tempCacheDir } from '../../helpers/components.js';

/** `(func (export "f") (i64.const max) (local.set 0))` with no local declared. */
function refuel(): Uint8Array<ArrayBuffer> {
  const body = [0x00, 0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x21, 0x00, 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type 0: [] -> []
    ...[0x03, 0x02, 0x01, 0x00], // func 0: type 0
    ...[0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00], // export "f" func 0
    ...[0x0a, body.length + 2, 0x01, body.length, ...body],
  ]);
}

/** A component that instantiates `core` (no imports), so that the plan includes it. */
function componentOf(core: Uint8Array): Uint8Array {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00],
    ...[0x01, core.length, ...core], // core module section (the module is under 128 bytes)
    ...[0x02, 0x04, 0x01, 0x00, 0x00, 0x00], // core instance section: instantiate module 0, no args
  ]);
}

it('the attack: the metering pass alone makes the invalid module valid', () => {
  expect(WebAssembly.validate(refuel())).toBe(false);
  expect(WebAssembly.validate(meterModule(refuel()) as Uint8Array<ArrayBuffer>)).toBe(true);
});

it('refuses it as a core module', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir() });
  await expect(kernel.load(refuel())).rejects.toMatchObject({
    code: 'invalid-module',
    message: expect.stringMatching(/^invalid core module/),
  });
  await kernel.close();
});

it('refuses it inside a component, naming the core module, and caches nothing', async () => {
  const cacheDir = tempCacheDir();
  const kernel = new Kernel({ cacheDir });
  await expect(kernel.load(componentOf(refuel()))).rejects.toMatchObject({
    code: 'invalid-module',
    message: expect.stringMatching(/^invalid core module core0\.wasm/),
  });
  expect(readdirSync(cacheDir).filter((name) => !name.startsWith('.'))).toEqual([]);
  await kernel.close();
});

it("refuses it when an embedder's coreHook makes it from a valid module, before metering", async () => {
  const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const kernel = new Kernel({
    cacheDir: tempCacheDir(),
    coreHook: { id: 'strips-locals', transform: () => refuel() },
  });
  await expect(kernel.load(empty)).rejects.toMatchObject({
    code: 'invalid-module',
    message: expect.stringMatching(/^invalid core module made by coreHook "strips-locals"/),
  });
  await kernel.close();
});
