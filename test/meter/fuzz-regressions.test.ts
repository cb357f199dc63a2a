/**
 * Minimal forms of what the spec harness and the differential fuzzer found (their full
 * modules are fixtures in `test/fuzz/regressions/`): each must behave on the metered module as
 * on plain V8, with ample fuel.
 */
import { describe, expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { instantiateMetered, instantiatePlain, watAll } from './support.js';

const MAX_FUEL = Number.MAX_SAFE_INTEGER;

describe('grows that add nothing are not charged per unit (fixture memory-grow-refused-charge)', () => {
  // 3000 grows by 2^32 - 1 pages: plain V8 answers -1 each time. Charged per page asked for,
  // each cost 4.4 * 10^12 fuel and the loop ran out of 2^53 - 1.
  const source = `(module (memory 1) (table 0 funcref)
    (func (export "memory") (result i32) (local $n i32)
      (loop $l
        (drop (memory.grow (i32.const -1)))
        (br_if $l (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.const 3000))))
      (memory.size))
    (func (export "table") (result i32) (local $n i32)
      (loop $l
        (drop (table.grow (ref.null func) (i32.const -1)))
        (br_if $l (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.const 3000))))
      (table.size)))`;

  it.each(['local', 'global'] as const)(
    '%s: runs as on plain V8 and pays only the instructions',
    async (strategy) => {
      const bytes = await watAll(source);
      const plain = instantiatePlain(bytes);
      const { exports, meter } = instantiateMetered(bytes, { fuel: MAX_FUEL }, { strategy });
      expect(exports.memory()).toBe(plain.memory());
      // per iteration: const, grow (5,000: a refused grow adds nothing per page), drop (free),
      // get, const, add, tee, const, lt_u, br_if
      const memory = 3000 * (1 + 5_000 + 7) + 1;
      expect(meter.used()).toBe(memory);
      expect(exports.table()).toBe(plain.table());
      // likewise: ref.null, const, table.grow (2,500), and the same 7
      expect(meter.used()).toBe(memory + 3000 * (2 + 2_500 + 7) + 1);
    },
  );

  it('a grow the sandbox limit refuses costs only the instruction', async () => {
    const bytes = await watAll(
      '(module (memory 1) (func (export "f") (result i32) (memory.grow (i32.const 10))))',
    );
    const { exports, meter } = instantiateMetered(bytes, { fuel: 10_000, memoryBytes: 4 * 65536 });
    expect(exports.f()).toBe(-1);
    expect(meter.used()).toBe(1 + 5_000);
  });
});

describe('tail calls keep constant stack through export wrappers (return_call_indirect.wast)', () => {
  // $even and $odd are exported, so the table holds their wrappers; their bodies tail-call
  // through the table, which holds back their fuel passing. The wrappers then called the
  // bodies with a plain `call`, and every round of the tail recursion left a frame.
  const source = (table: string) => `(module
    (type $t (func (param i32) (result i32)))
    ${table} (elem (i32.const 0) $even $odd)
    (func $even (export "even") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 44))
        (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))))
    (func $odd (export "odd") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 99))
        (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))))))`;

  for (const [name, table] of [
    ['a closed table', '(table 2 funcref)'],
    ['an exported table', '(table (export "tab") 2 funcref)'],
  ] as const) {
    it(`through ${name}`, async () => {
      const bytes = await watAll(source(table));
      const plain = instantiatePlain(bytes);
      const { exports, meter } = instantiateMetered(bytes, { fuel: MAX_FUEL });
      for (const n of [0, 1, 1_000_001]) {
        expect(exports.even(n)).toBe(plain.even(n));
        expect(exports.odd(n)).toBe(plain.odd(n));
      }
      expect(meter.used()).toBeGreaterThan(2_000_000);
    });
  }

  it('across modules: through an import, an export and a shared table', async () => {
    // B's $odd tail-calls through a table that JavaScript shares; A's $even tail-calls B's
    // export, imported. Once A's export is put in the table, they recurse in a ring.
    const b = await watAll(`(module
      (import "js" "tab" (table 1 funcref))
      (type $t (func (param i32) (result i32)))
      (func $odd (export "odd") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 99))
          (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))))))`);
    const a = await watAll(`(module
      (import "b" "odd" (func $odd (param i32) (result i32)))
      (func (export "even") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 44))
          (else (return_call $odd (i32.sub (local.get 0) (i32.const 1)))))))`);
    const ring = (instantiate: (bytes: Uint8Array, imports: WebAssembly.Imports) => Record<string, any>) => {
      const tab = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
      const eb = instantiate(b, { js: { tab } });
      const ea = instantiate(a, { b: { odd: eb.odd } });
      tab.set(0, ea.even);
      return ea;
    };
    const plain = ring((bytes, imports) => instantiatePlain(bytes, imports));
    const meter = createMeterRuntime({ fuel: MAX_FUEL, memoryBytes: 65536, tableElements: 10 });
    const metered = ring(
      (bytes, imports) =>
        new WebAssembly.Instance(new WebAssembly.Module(meterModule(bytes) as Uint8Array<ArrayBuffer>), {
          ...imports,
          keel: meter.imports.keel,
        }).exports as Record<string, any>,
    );
    for (const n of [0, 1, 1_000_001]) expect(metered.even(n)).toBe(plain.even(n));
    expect(meter.used()).toBeGreaterThan(1_000_000);
  });
});
