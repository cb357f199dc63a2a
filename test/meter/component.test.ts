/**
 * End to end on real toolchain output: jco's own transpiled `wasm-tools` component (Rust, with
 * jco's shim and fixup modules) runs with every core module metered and gives what it gives
 * unmetered. The glue compiles and instantiates its core modules itself, so this test wraps
 * `WebAssembly.compile` (meter the bytes) and `WebAssembly.instantiate` (add `keel`) before it
 * loads a second copy of the glue; vitest runs each test file in its own process.
 */
import { existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';

const GLUE = new URL('../../node_modules/@bytecodealliance/jco/obj/wasm-tools.js', import.meta.url);

interface Tools {
  parse(wat: string): Uint8Array;
  print(bytes: Uint8Array): string;
}

async function load(query: string): Promise<Tools> {
  const glue = (await import(`${GLUE.href}?${query}`)) as { tools: Tools; $init: Promise<void> };
  await glue.$init;
  return glue.tools;
}

const compile = WebAssembly.compile;
const instantiate = WebAssembly.instantiate;
afterAll(() => {
  WebAssembly.compile = compile;
  WebAssembly.instantiate = instantiate;
});

it.skipIf(!existsSync(GLUE))(
  'a real component computes the same with every core module metered',
  async () => {
    const plain = await load('plain');
    const meter = createMeterRuntime({
      fuel: Number.MAX_SAFE_INTEGER,
      memoryBytes: 2 ** 32,
      tableElements: 1e7,
    });
    let metered = 0;
    WebAssembly.compile = ((bytes: BufferSource) => {
      metered++;
      return compile(meterModule(new Uint8Array(bytes as ArrayBuffer)) as Uint8Array<ArrayBuffer>);
    }) as typeof WebAssembly.compile;
    WebAssembly.instantiate = ((module: WebAssembly.Module, imports?: WebAssembly.Imports) =>
      instantiate(module, { ...imports, keel: meter.imports.keel })) as typeof WebAssembly.instantiate;
    const tools = await load('metered');
    WebAssembly.compile = compile;
    WebAssembly.instantiate = instantiate;
    expect(metered).toBeGreaterThanOrEqual(2);

    const wat =
      '(module (memory 1) (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))';
    const expected = plain.print(plain.parse(wat));
    const before = meter.used();
    expect(tools.print(tools.parse(wat))).toBe(expected);
    expect(meter.used()).toBeGreaterThan(before);
    // Errors cross the component boundary the same way.
    const bad = '(module (func';
    expect(() => tools.parse(bad)).toThrow();
    expect(() => plain.parse(bad)).toThrow();
    // A budget too small ends the call with fuel-exhausted.
    meter.setRemaining(1000);
    expect(() => tools.print(tools.parse(wat))).toThrow(/all fuel consumed/);
  },
);
