/**
 * Attack: loops shaped to be taken as straight loops (host/meter/straight.ts: checked at the back
 * edge, refilled outside) whose turns are not what the meter might assume: a test that changes
 * inside the turn, an escape by a branch to an outer label, br_table, return, unreachable, a call
 * in H or B, nested loops, a loop with a result, memory.grow and memory.size in the body, a
 * function reached by tail calls, one straight loop after another, a loop in an arm that
 * branches out. Each is run against the same loop whose body sits in a `block` (never taken:
 * checked at its header), with slices of 7 fuel so that refills land inside the loops, under both
 * strategies: the fuel must be equal to the unit, and so must the results (the turns counted in
 * memory, unmetered).
 */
import { expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../../host/meter/index.js';
import { WAT_ALL_FEATURES, wat } from '../../../scripts/lib/wat.js';

const INC = '(local.set $i (i32.add (local.get $i) (i32.const 1)))';

// [name, loop body as written (label $l in block $out; params $n and $m, locals $i and $j)]
const SHAPES: [string, string][] = [
  // The test reads $i before the body changes it, and again after.
  [
    'test-changes',
    '(local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $n)))',
  ],
  ['test-tee', '(br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 3))) (local.get $n)))'],
  [
    'test-select',
    '(local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (select (i32.const 1) (i32.const 0) (i32.lt_u (local.get $i) (local.get $n))))',
  ],
  [
    'while-store',
    '(if (i32.lt_u (i32.load (i32.const 0)) (local.get $n)) (then (i32.store (i32.const 0) (local.tee $i (i32.add (local.get $i) (i32.const 1)))) (br $l)))',
  ],
  // Escapes: a branch to an outer label, br_table, return, unreachable (not straight: header-checked).
  [
    'escape-br',
    '(local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $out (i32.eq (local.get $i) (local.get $m))) (br_if $l (i32.lt_u (local.get $i) (local.get $n)))',
  ],
  [
    'escape-br-table',
    '(local.set $i (i32.add (local.get $i) (i32.const 1))) (br_table $l $out (i32.ge_u (local.get $i) (local.get $n)))',
  ],
  [
    'escape-return',
    '(local.set $i (i32.add (local.get $i) (i32.const 1))) (if (i32.eq (local.get $i) (local.get $m)) (then (return (local.get $i)))) (br_if $l (i32.lt_u (local.get $i) (local.get $n)))',
  ],
  [
    'escape-unreachable-arm',
    '(if (i32.lt_u (local.get $i) (local.get $n)) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)) (else (nop)))',
  ],
  [
    'call-in-body',
    '(local.set $i (call $inc (local.get $i))) (br_if $l (i32.lt_u (local.get $i) (local.get $n)))',
  ],
  [
    'call-in-head',
    '(if (i32.lt_u (call $inc (local.get $i)) (local.get $n)) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))',
  ],
  [
    'memory-size',
    '(local.set $i (i32.add (local.get $i) (memory.size))) (br_if $l (i32.lt_u (local.get $i) (local.get $n)))',
  ],
  [
    'memory-grow',
    '(local.set $i (i32.add (local.get $i) (i32.add (i32.const 1) (memory.grow (i32.const 0))))) (br_if $l (i32.lt_u (local.get $i) (local.get $n)))',
  ],
  [
    'i64-f64',
    '(local.set $i (i32.add (local.get $i) (i32.wrap_i64 (i64.trunc_sat_f64_u (f64.const 1.5))))) (br_if $l (i32.lt_u (local.get $i) (local.get $n)))',
  ],
  // Nested: the inner loop is straight, the outer one holds it (header-checked).
  [
    'nested',
    '(local.set $j (i32.const 0)) (loop $k (local.set $j (i32.add (local.get $j) (i32.const 1))) (br_if $k (i32.lt_u (local.get $j) (local.get $m)))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $n)))',
  ],
  // Two straight loops in one turn of nothing: one after the other.
  [
    'sequence',
    `${INC} (br_if $l (i32.lt_u (local.get $i) (local.get $m)))) (loop $l2 ${INC} (br_if $l2 (i32.lt_u (local.get $i) (local.get $n)))`,
  ],
];

// Its reference: each loop's body in a block (the text closes $l and opens $l2 itself).
const SEQUENCE = `(block ${INC}) (br_if $l (i32.lt_u (local.get $i) (local.get $m)))) (loop $l2 (block ${INC}) (br_if $l2 (i32.lt_u (local.get $i) (local.get $n)))`;

// Bounds read through memory (the word at 12 stays 0), so that no loop here is a counted one
// (counted loops are charged before they run: header and back edge never check).
const bounded = (text: string) =>
  text
    .replaceAll('(local.get $n)', '(i32.or (local.get $n) (i32.load (i32.const 12)))')
    .replaceAll('(local.get $m)', '(i32.or (local.get $m) (i32.load (i32.const 12)))');

function module(wrapped: boolean): string {
  const funcs = SHAPES.map(([name, body]) => {
    const text = bounded(!wrapped ? body : name === 'sequence' ? SEQUENCE : `(block ${body})`);
    return `
  (func (export "${name}") (param $n i32) (param $m i32) (result i32) (local $i i32) (local $j i32)
    (block $out (loop $l ${text}))
    (i32.add (local.get $i) (i32.mul (local.get $j) (i32.const 1000))))`;
  });
  return `(module (memory (export "memory") 1)
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  ;; Reached by tail calls: each call runs one straight loop, then calls itself k times.
  (func $tail (export "tail") (param $n i32) (param $k i32) (result i32) (local $i i32)
    (loop $l ${wrapped ? '(block ' : ''}(local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.store (i32.const 8) (i32.add (i32.load (i32.const 8)) (i32.const 1)))${wrapped ? ')' : ''}
      (br_if $l (i32.lt_u (local.get $i) ${bounded('(local.get $n)')})))
    (if (result i32) (local.get $k)
      (then (return_call $tail (local.get $n) (i32.sub (local.get $k) (i32.const 1))))
      (else (i32.load (i32.const 8)))))
  ${funcs.join('')})`;
}

type Fn = (n: number, m: number) => number;

function run(bytes: Uint8Array, name: string, n: number, m: number, strategy: 'local' | 'global') {
  const meter = createMeterRuntime({ fuel: 1e9, memoryBytes: 2 ** 20, tableElements: 10, sliceFuel: 7 });
  const metered = meterModule(bytes, { strategy });
  const exports = new WebAssembly.Instance(new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>), {
    keel: meter.imports.keel,
  }).exports as Record<string, Fn>;
  return { result: exports[name]!(n, m), used: meter.used() };
}

function plain(bytes: Uint8Array, name: string, n: number, m: number): number {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {})
    .exports as Record<string, Fn>;
  return exports[name]!(n, m);
}

it('straight loops of hostile shapes pay what header-checked loops pay, to the unit', async () => {
  const bytes = await wat(module(false), 'shapes.wat', WAT_ALL_FEATURES);
  const reference = await wat(module(true), 'reference.wat', WAT_ALL_FEATURES);
  let compared = 0;
  for (const name of [...SHAPES.map(([n]) => n), 'tail']) {
    for (const strategy of ['local', 'global'] as const) {
      for (const [n, m] of [
        [0, 0],
        [1, 0],
        [1, 1],
        [5, 2],
        [40, 3],
        [41, 41],
        [100, 7],
      ] as const) {
        const got = run(bytes, name, n, m, strategy);
        const want = run(reference, name, n, m, strategy);
        expect(got, `${name} ${strategy} n=${n} m=${m}`).toEqual(want);
        expect(got.result, `${name} n=${n} m=${m} unmetered`).toBe(plain(bytes, name, n, m));
        compared++;
      }
    }
  }
  expect(compared).toBe((SHAPES.length + 1) * 14);
});

it('a straight loop out of fuel stops within one turn of where the header-checked loop stops', async () => {
  const bytes = await wat(module(false), 'shapes.wat', WAT_ALL_FEATURES);
  const reference = await wat(module(true), 'reference.wat', WAT_ALL_FEATURES);
  expect(Buffer.from(meterModule(bytes)).equals(Buffer.from(meterModule(reference)))).toBe(false);
  // while-store writes its turn count at 0 and tail its calls' turns at 8: read after the trap.
  for (const [name, at] of [
    ['while-store', 0],
    ['tail', 2],
  ] as const) {
    for (let fuel = 1; fuel <= 300; fuel += 7) {
      const turns = (b: Uint8Array) => {
        const meter = createMeterRuntime({ fuel, memoryBytes: 2 ** 20, tableElements: 10 });
        const exports = new WebAssembly.Instance(
          new WebAssembly.Module(meterModule(b) as Uint8Array<ArrayBuffer>),
          {
            keel: meter.imports.keel,
          },
        ).exports as Record<string, Fn> & { memory: WebAssembly.Memory };
        expect(() => exports[name]!(1_000_000, 1_000_000), `${name} fuel=${fuel}`).toThrow(/fuel/);
        expect(meter.remaining()).toBe(0);
        return new Int32Array(exports.memory.buffer)[at]!;
      };
      const got = turns(bytes);
      const want = turns(reference);
      expect(got, `${name} fuel=${fuel}`).toBeGreaterThanOrEqual(want);
      expect(got, `${name} fuel=${fuel}`).toBeLessThanOrEqual(want + 1);
    }
  }
});

/**
 * Strided loops (d3d3388: the guard's per-turn fallback is now a straight loop, the precharge's
 * check shares the chunks' refill): steps and bounds that fail the guard (a bound within a step of
 * the type's maximum, a step of zero or below) and that pass it with counts below and above a
 * chunk, against the same loop header-checked.
 */
function strided(wrapped: boolean): string {
  // i64, as strided loops are; 0x7fffffff as the bound or 0x7ffffff0 as the start stand for
  // 2^63 - 2 and 2^63 - 17 (signed) or 2^64 - 2 and 2^64 - 17 (unsigned): the guard fails.
  const shapes = [
    ['do_s', 'lt_s', '0x7fff_ffff_ffff_fffe', '0x7fff_ffff_ffff_ffef'],
    ['do_u', 'lt_u', '-2', '-17'],
  ];
  const step = '(local.set $I (i64.add (local.get $I) (local.get $S)))';
  const count = '(i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))';
  const funcs = shapes.map(([name, lt, top, high]) => {
    const test = `(i64.${lt} (local.get $I) (local.get $N))`;
    const start = `(param $i i32) (param $s i32) (param $n i32) (result i32) (local $I i64) (local $S i64) (local $N i64)
    (local.set $I (select (i64.const ${high}) (i64.extend_i32_s (local.get $i)) (i32.eq (local.get $i) (i32.const 0x7fff_fff0))))
    (local.set $S (i64.extend_i32_s (local.get $s)))
    (local.set $N (select (i64.const ${top}) (i64.extend_i32_s (local.get $n)) (i32.eq (local.get $n) (i32.const 0x7fff_ffff))))`;
    return `
  (func (export "${name}") ${start}
    (loop $l ${wrapped ? `(block ${step})` : step} ${count} (br_if $l ${test}))
    (i32.wrap_i64 (local.get $I)))
  (func (export "${name}_while") ${start}
    (loop $l ${wrapped ? '(block ' : ''}(if ${test} (then ${count} ${step} (br $l)))${wrapped ? ')' : ''})
    (i32.wrap_i64 (local.get $I)))`;
  });
  return `(module (memory (export "memory") 1) ${funcs.join('')})`;
}

it('strided loops whose guard fails or passes pay what header-checked loops pay, and stop as they do', async () => {
  const bytes = await wat(strided(false), 'strided.wat');
  const reference = await wat(strided(true), 'strided-reference.wat');
  const metered = meterModule(bytes);
  expect(Buffer.from(metered).equals(Buffer.from(meterModule(reference)))).toBe(false);
  const call = (b: Uint8Array, name: string, args: number[], fuel: number, strategy: 'local' | 'global') => {
    const meter = createMeterRuntime({ fuel, memoryBytes: 2 ** 20, tableElements: 10, sliceFuel: 97 });
    const exports = new WebAssembly.Instance(
      new WebAssembly.Module(meterModule(b, { strategy }) as Uint8Array<ArrayBuffer>),
      { keel: meter.imports.keel },
    ).exports as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
    let result: number | string;
    try {
      result = exports[name]!(...args);
    } catch (error) {
      result = (error as { code?: string }).code ?? String(error);
    }
    return { result, used: meter.used(), turns: new Int32Array(exports.memory.buffer)[0]! };
  };
  const finite: [number, number, number][] = [
    [0, 7, 100],
    [0, 3, 100_000],
    [5, 1, 5],
    [0x7fff_fff0, 3, 0x7fff_ffff], // bound within a step of the maximum: the guard fails
    [0x7fff_fff0, 5, 0x7fff_ffff],
    [-10, -1, -20], // test false at once
  ];
  let exhausted = 0;
  let precharged = 0;
  for (const name of ['do_s', 'do_u', 'do_s_while', 'do_u_while']) {
    for (const strategy of ['local', 'global'] as const) {
      for (const args of finite) {
        const got = call(bytes, name, args, 1e9, strategy);
        expect(got, `${name} ${strategy} ${args}`).toEqual(call(reference, name, args, 1e9, strategy));
      }
      // Never ending (a step of zero; of -1 signed, which wraps slowly; unsigned, -1 leaves at
      // once): out of fuel within a turn.
      for (const args of [
        [0, 0, 10],
        [0x7fff_fff0, 0, 0x7fff_ffff],
        [0, -1, 10],
      ]) {
        for (const fuel of [1, 50, 1000, 12_345]) {
          const got = call(bytes, name, args, fuel, strategy);
          const want = call(reference, name, args, fuel, strategy);
          // The straight form's first turn runs unchecked (docs/fuel.md, "Straight loops"): a
          // loop that leaves at its first test may finish where the header check stopped it,
          // with its one turn; else both stop, and at most one turn apart.
          const what = `${name} ${strategy} ${args} fuel=${fuel}`;
          expect(got.turns, what).toBeGreaterThanOrEqual(want.turns);
          expect(got.turns, what).toBeLessThanOrEqual(want.turns + 1);
          if (got.result === 'fuel-exhausted') exhausted++;
          else expect(got.result, what).toBe(call(bytes, name, args, 1e9, strategy).result);
          if (want.result !== 'fuel-exhausted') expect(got, what).toEqual(want);
        }
      }
      // Counts the guard lets through, fuel for part of them: precharged, so out of fuel before
      // a turn runs, or after the turns a refill's slices paid for (never more than the loop
      // checked at its header ran: the charge comes first).
      for (const args of [
        [0, 3, 100_000],
        [0, 7, 100],
        [0x7fff_fff0, 3, 0x7fff_ffff],
      ]) {
        for (const fuel of [1, 50, 1000, 12_345]) {
          const what = `${name} ${strategy} ${args} fuel=${fuel} (precharged)`;
          const got = call(bytes, name, args, fuel, strategy);
          const want = call(reference, name, args, fuel, strategy);
          expect(got.turns, what).toBeLessThanOrEqual(want.turns + 1);
          if (want.result === 'fuel-exhausted') {
            expect(got.result, what).toBe('fuel-exhausted');
            precharged++;
          } else expect(got.result, what).toBe(want.result);
        }
      }
    }
  }
  expect(exhausted).toBeGreaterThanOrEqual(80);
  expect(precharged).toBeGreaterThanOrEqual(40);
});
