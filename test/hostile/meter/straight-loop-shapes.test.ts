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
