/**
 * The pass's uncharged twins of constant-cost leaf exports (host/meter/leaves.ts), which the
 * scalar fast path calls while it charges the cost itself: a twin is made only for straight-line
 * code whose every run costs the same; its cost is exactly what the metered export charges (with
 * the default cost model and another), a trap in it charges nothing (the fast path charges after
 * the call), the twin charges nothing itself, and a module cannot export a twin or a cost of its
 * own. Only in the defined form (a component's sole core instance).
 */
import { describe, expect, it } from 'vitest';
import { KeelError } from '../../host/kernel/errors.js';
import { adoptCounter, defineCounter, type MeterOptions, meterModule } from '../../host/meter/index.js';
import { COST_PREFIX, LEAF_PREFIX, LEAVES_SECTION, leafCosts } from '../../host/meter/leaves.js';
import { wat } from '../../scripts/lib/wat.js';
import { instantiateMetered, thrown, toText, withoutTwins } from './support.js';

const MODULE = `(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $helper (result i32) (i32.const 1))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "noop"))
  (func (export "load") (param i32) (result i32) (i32.add (i32.const 1) (i32.load offset=4 (local.get 0))))
  (func (export "store") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "mix") (param f64 i32 i64) (result f64)
    (local $t f64)
    (local.set $t (f64.mul (local.get 0) (f64.convert_i32_s (local.get 1))))
    (drop (i32.trunc_sat_f64_s (local.get $t)))
    (select (local.get $t) (f64.convert_i64_u (local.get 2)) (i32.const 1)))
  (func (export "branches") (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))
  (func (export "calls") (result i32) (call $helper))
  (func (export "global") (result i32) (global.get $g))
  (func (export "loops") (loop $l (br $l)))
  (func (export "grows") (result i32) (memory.grow (i32.const 0)))
  (func (export "four") (param i32 i32 i32 i32) (result i32) (local.get 0))
  (func (export "cabi_post_add") (param i32))
)`;

const LEAVES = ['add', 'load', 'store', 'mix'];
/**
 * Leaves that cost nothing: metered as they are (module.ts), uncharged, and given no twin; listed
 * at cost 0, so that the fast path calls the export itself with nothing to settle after it.
 */
const FREE = ['noop'];
const NOT_LEAVES = ['branches', 'calls', 'global', 'loops', 'grows', 'four', 'cabi_post_add'];

/** Every export's call, with arguments that run it without a trap. */
const CALLS: Record<string, unknown[]> = {
  add: [1, 2],
  noop: [],
  load: [8],
  store: [16, 5n],
  mix: [1.5, 3, 7n],
};

function exportNames(bytes: Uint8Array): string[] {
  return WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).map(
    (e) => e.name,
  );
}

describe('twins of constant-cost leaf exports', () => {
  it('are made for straight-line code only, in the defined form only', async () => {
    const bytes = await wat(MODULE);
    const names = exportNames(meterModule(bytes, { counter: 'defined' }));
    for (const leaf of LEAVES) {
      expect(names).toContain(LEAF_PREFIX + leaf);
      // The cost is the module's `keel:leaves` section's (`leafCosts`), not a global per instance.
      expect(names).not.toContain(COST_PREFIX + leaf);
    }
    for (const other of [...NOT_LEAVES, ...FREE]) expect(names).not.toContain(LEAF_PREFIX + other);
    // The imported form (a plan's instances of it are many: each would make their exports at
    // every spawn, beyond the plan's bound on them) and `defineCounter` of it keep none.
    const imported = meterModule(bytes);
    expect(exportNames(imported).filter((n) => n.startsWith('keel:'))).toEqual([]);
    expect(
      Buffer.from(withoutTwins(meterModule(bytes, { counter: 'defined' })).bytes).equals(
        Buffer.from(defineCounter(imported)),
      ),
    ).toBe(true);
  });

  const models: [string, MeterOptions][] = [
    ['the default cost model', {}],
    [
      'another cost model',
      { costs: { default: 3, instructions: { 'i32.add': 7, 'i64.store': 11, 'local.get': 2 } } },
    ],
  ];
  for (const [label, options] of models) {
    it(`cost exactly what the metered export charges, with ${label}; the twin charges nothing`, async () => {
      const bytes = await wat(MODULE);
      {
        const counter = 'defined';
        const {
          exports,
          meter,
          instance,
          bytes: out,
        } = instantiateMetered(bytes, { fuel: 1_000_000 }, { ...options, counter });
        adoptCounter(meter, instance);
        const costs = leafCosts(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>));
        expect([...costs.keys()].sort()).toEqual([...LEAVES, ...FREE].sort());
        for (const name of FREE) {
          expect(costs.get(name), name).toBe(0);
          const before = meter.balance();
          exports[name](...CALLS[name]!);
          expect(meter.balance(), `${name} costs nothing`).toBe(before);
        }
        for (const [name, args] of Object.entries(CALLS).filter(([n]) => !FREE.includes(n))) {
          const before = meter.balance();
          const expected = exports[name](...args);
          const charged = Number(before - meter.balance());
          expect(costs.get(name), `${name} (${counter})`).toBe(charged);
          const still = meter.balance();
          expect(exports[LEAF_PREFIX + name](...args)).toStrictEqual(expected);
          expect(meter.balance(), `${name}'s twin charged`).toBe(still);
        }
      }
    });
  }

  it('pins the costs the fast path charges for the bench-like exports', async () => {
    const out = meterModule(await wat(MODULE), { counter: 'defined' });
    const costs = leafCosts(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>));
    expect(costs.get('add')).toBe(3);
    expect(costs.get('noop')).toBe(0);
    expect(costs.get('load')).toBe(4);
  });

  it('list a module whose only leaves cost nothing, with no twin and every other byte as without', async () => {
    const bytes = await wat('(module (func (export "noop")) (func (export "loops") (loop $l (br $l))))');
    const out = meterModule(bytes, { counter: 'defined' });
    const costs = leafCosts(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>));
    expect([...costs]).toEqual([['noop', 0]]);
    expect(exportNames(out).filter((n) => n.startsWith('keel:leaf/'))).toEqual([]);
    // The section appended to the output as the imported form's (`defineCounter`), nothing else.
    const without = withoutTwins(out).bytes;
    expect(without.length).toBeLessThan(out.length);
    expect(Buffer.from(without).equals(Buffer.from(defineCounter(meterModule(bytes))))).toBe(true);
  });

  it("read the costs from the pass's own section only", async () => {
    const costsOf = (bytes: Uint8Array) =>
      leafCosts(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    // A module's own `keel:leaves` section claiming add costs nothing: the pass drops it and
    // writes its own (one section: the host takes none when there are more).
    const forged = withCustom(await wat(MODULE), LEAVES_SECTION, [1, 3, 0x61, 0x64, 0x64, 0]);
    expect(costsOf(forged).get('add')).toBe(0);
    const out = meterModule(forged, { counter: 'defined' });
    expect(
      WebAssembly.Module.customSections(
        new WebAssembly.Module(out as Uint8Array<ArrayBuffer>),
        LEAVES_SECTION,
      ),
    ).toHaveLength(1);
    expect(costsOf(out).get('add')).toBe(3);
    // Not the pass's form (two sections, a cost past 2^31 - 1, bytes left over): no cost, no twin called.
    expect(costsOf(withCustom(out, LEAVES_SECTION, [1, 3, 0x61, 0x64, 0x64, 0])).size).toBe(0);
    const bare = await wat('(module)');
    expect(
      costsOf(withCustom(bare, LEAVES_SECTION, [1, 3, 0x61, 0x64, 0x64, 0x80, 0x80, 0x80, 0x80, 0x08])).size,
    ).toBe(0);
    expect(costsOf(withCustom(bare, LEAVES_SECTION, [1, 3, 0x61, 0x64, 0x64, 3, 0])).size).toBe(0);
    expect(costsOf(withCustom(bare, LEAVES_SECTION, [1, 3, 0x61, 0x64, 0x64, 3])).get('add')).toBe(3);
    // The imported form writes none.
    expect(costsOf(meterModule(forged)).size).toBe(0);
  });

  it('are not made of a leaf that costs nothing: its body is metered as it is, in both forms', async () => {
    const bytes = await wat(MODULE);
    for (const counter of ['imported', 'defined'] as const) {
      const text = await toText(meterModule(bytes, { counter }));
      // The original `(func (export "noop"))`: no read or write of the counter.
      expect(text, counter).toMatch(/\(func \(;\d+;\) \(type \d+\)\)\n/);
    }
  });

  it('charge nothing for a leaf that trapped: the pass charges it at its end', async () => {
    const { exports, meter, instance } = instantiateMetered(
      await wat(MODULE),
      { fuel: 1000 },
      { counter: 'defined' },
    );
    adoptCounter(meter, instance);
    const before = meter.balance();
    expect(thrown(() => exports.load(65536))).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(meter.balance()).toBe(before);
  });

  it('are refused as a module of its own exports them', async () => {
    for (const name of [`${LEAF_PREFIX}add`, `${COST_PREFIX}add`, `${LEAF_PREFIX}`]) {
      const bytes = await wat(`(module (func (export "${name}")))`);
      const error = thrown(() => meterModule(bytes));
      expect(error).toBeInstanceOf(KeelError);
      expect(error.code).toBe('invalid-module');
    }
    // A name that only looks alike is the module's own.
    const alike = await wat('(module (func (export "keel:leafy")))');
    expect(exportNames(meterModule(alike))).toContain('keel:leafy');
  });
});

/** `bytes` with a custom section `name` of `payload` appended. */
function withCustom(bytes: Uint8Array, name: string, payload: number[]): Uint8Array {
  const nameBytes = [...Buffer.from(name)];
  const content = [nameBytes.length, ...nameBytes, ...payload];
  return new Uint8Array([...bytes, 0, content.length, ...content]);
}
