/**
 * A counted loop whose test compares two locals with the bound on the left, as AssemblyScript
 * writes `for (let i = 0; i < n; i++)` (`local.get $n; local.get $i; i32.gt_s; if`: as-sieve's
 * zeroing loop). Read left first, the bound would be the variable (never written: no count);
 * the loop is counted with the right one, and charged exactly what per-turn charging charges,
 * to the unit. A loop that writes both locals stays per turn.
 */
import { expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';

// [comparison (bound on the left), the step, (start, bound) pairs that end within a few thousand turns]
const FORMS: [string, string, [number, number][]][] = [
  [
    'i32.gt_s',
    '(i32.add (local.get $i) (i32.const 1))',
    [
      [0, 10],
      [-7, 9],
      [5, 5],
      [9, 2],
      [2147483640, -2147483640],
    ],
  ],
  [
    'i32.gt_u',
    '(i32.add (local.get $i) (i32.const 1))',
    [
      [0, 1000],
      [-7, -1],
      [5, 5],
      [-5, 3],
    ],
  ],
  [
    'i32.lt_s',
    '(i32.sub (local.get $i) (i32.const 1))',
    [
      [10, 0],
      [9, -7],
      [5, 5],
      [-2147483640, 2147483640],
    ],
  ],
  [
    'i32.ne',
    '(i32.add (local.get $i) (i32.const 4))',
    [
      [0, 12],
      [-8, 8],
      [4, 4],
    ],
  ],
];

function whileLoop(test: string, step: string, writeBound: boolean): string {
  return `(module
  (memory 1)
  (func (export "run") (param $i i32) (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (if (${test} (local.get $n) (local.get $i))
        (then
          (local.set $sum (i32.add (local.get $sum) (i32.load8_u (i32.and (local.get $i) (i32.const 1023)))))
          ${writeBound ? '(local.set $n (i32.add (local.get $n) (i32.const 0)))' : ''}
          (local.set $i ${step})
          (br $l))))
    (local.get $sum)))`;
}

function doLoop(test: string, step: string): string {
  return `(module
  (memory 1)
  (func (export "run") (param $i i32) (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (i32.load8_u (i32.and (local.get $i) (i32.const 1023)))))
      (local.set $i ${step})
      (br_if $l (${test} (local.get $n) (local.get $i))))
    (local.get $sum)))`;
}

function checks(bytes: Uint8Array): number {
  let count = 0;
  // i64.const 0; i64.lt_s; br_if (the check at a loop header)
  for (let k = 0; k + 3 < bytes.length; k++) {
    if (bytes[k] === 0x42 && bytes[k + 1] === 0 && bytes[k + 2] === 0x53 && bytes[k + 3] === 0x0d) count++;
  }
  return count;
}

function runner(bytes: Uint8Array) {
  const meter = createMeterRuntime({ fuel: 2 ** 40, memoryBytes: 2 ** 20, tableElements: 10 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    keel: meter.imports.keel,
  });
  const run = instance.exports.run as (i: number, n: number) => number;
  return (i: number, n: number) => {
    const before = meter.used();
    const result = run(i, n);
    return [result, meter.used() - before];
  };
}

it('counts loops whose test has the bound, a local, on the left, with exact fuel', async () => {
  for (const [test, step, starts] of FORMS) {
    // A do loop never leaves before its first turn: only the pairs where the while loop turns.
    for (const [shape, source] of [
      ['while', whileLoop(test, step, false)],
      ['do', doLoop(test, step)],
    ] as const) {
      const bytes = await wat(source, 'bound-local-first.wat');
      const counted = meterModule(bytes);
      const perTurn = meterModule(bytes, { countedLoops: false });
      expect(checks(counted), `${shape} ${test}`).toBeLessThan(checks(perTurn));
      const a = runner(counted);
      const b = runner(perTurn);
      for (const [i, n] of starts) {
        if (shape === 'do' && n === i) continue;
        expect(a(i, n), `${shape} ${test} from ${i} to ${n}`).toEqual(b(i, n));
      }
    }
  }
});

it('keeps charging per turn a loop that writes both locals of its test', async () => {
  const bytes = await wat(whileLoop('i32.gt_s', '(i32.add (local.get $i) (i32.const 1))', true), 'both.wat');
  const counted = meterModule(bytes);
  expect(checks(counted)).toBe(checks(meterModule(bytes, { countedLoops: false })));
  expect(runner(counted)(0, 100)).toEqual(runner(meterModule(bytes, { countedLoops: false }))(0, 100));
});
