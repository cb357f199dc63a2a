/**
 * The grow checks a metered module imports: `keel.memory_grow` and `keel.table_grow` only when
 * its code may hold that grow (V8 links each imported JavaScript function at every
 * instantiation: the two cost a spawn of the bench component about 1 us). A module whose code
 * cannot grow gets a never-called stub at the same index; one that grows keeps its checks, and
 * a grow the pass's byte scan takes for something else (a 0x40 right after an immediate ending
 * in 0x02, `block`'s byte) makes the pass run again with both imported.
 */
import { describe, expect, it } from 'vitest';
import { KEEL_MODULE, meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';
import { instantiateMetered } from './support.js';

function keelImports(bytes: Uint8Array): string[] {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  return WebAssembly.Module.imports(module)
    .filter((i) => i.module === KEEL_MODULE)
    .map((i) => i.name);
}

const NO_GROW = `(module
  (memory (export "memory") 1)
  (table 1 funcref)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  ;; if then unreachable: 0x04 0x40 0x00, the bytes of a memory.grow after its block type
  (func (export "check") (param i32) (if (local.get 0) (then unreachable))))`;

const MEMORY_GROW = `(module
  (memory (export "memory") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`;

const TABLE_GROW = `(module
  (table 1 funcref)
  (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))`;

// local.get 2, then memory.grow: 0x20 0x02 0x40 0x00, which the scan takes for a block type.
const GROW_AFTER_TWO = `(module
  (memory (export "memory") 1)
  (func (export "grow") (param i32 i32 i32) (result i32) (memory.grow (local.get 2))))`;

describe('the grow checks a metered module imports', () => {
  it('none for code that cannot grow (an if whose body is unreachable included), which runs as before', async () => {
    const bytes = await wat(NO_GROW);
    for (const counter of ['imported', 'defined'] as const) {
      const names = keelImports(meterModule(bytes, { counter }));
      expect(names).toEqual(counter === 'imported' ? ['fuel', 'fuel_slice'] : ['fuel_slice']);
    }
    const { exports, meter } = instantiateMetered(bytes, { fuel: 1_000 });
    expect(exports.add(2, 3)).toBe(5);
    expect(() => exports.check(1)).toThrow(WebAssembly.RuntimeError);
    expect(meter.used()).toBeGreaterThan(0);
  });

  it('memory_grow alone for code that grows memory, still refused past the limit', async () => {
    const bytes = await wat(MEMORY_GROW);
    expect(keelImports(meterModule(bytes))).toEqual(['fuel', 'fuel_slice', 'memory_grow']);
    const refused: number[] = [];
    const { exports } = instantiateMetered(
      bytes,
      { memoryBytes: 2 * 65536 },
      {},
      {},
      { onMemoryLimit: (pages) => refused.push(pages) },
    );
    expect(exports.grow(1)).toBe(1);
    expect(exports.grow(1)).toBe(-1);
    expect(refused).toEqual([3]);
  });

  it('table_grow alone for code that grows a table (the import before the stub), still refused past the limit', async () => {
    const bytes = await wat(TABLE_GROW);
    expect(keelImports(meterModule(bytes))).toEqual(['fuel', 'fuel_slice', 'table_grow']);
    const refused: number[] = [];
    const { exports } = instantiateMetered(
      bytes,
      { tableElements: 3 },
      {},
      {},
      { onTableLimit: (requested) => refused.push(requested) },
    );
    expect(exports.grow(2)).toBe(1);
    expect(exports.grow(1)).toBe(-1);
    expect(refused).toEqual([4]);
  });

  it('both for a grow the scan took for a block type: the pass runs again as before there were stubs', async () => {
    const bytes = await wat(GROW_AFTER_TWO);
    expect([...bytes].join(',')).toContain('32,2,64,0');
    expect(keelImports(meterModule(bytes))).toEqual(['fuel', 'fuel_slice', 'memory_grow', 'table_grow']);
    const { exports } = instantiateMetered(bytes, { memoryBytes: 2 * 65536 });
    expect(exports.grow(0, 0, 1)).toBe(1);
    expect(exports.grow(0, 0, 1)).toBe(-1);
  });
});
