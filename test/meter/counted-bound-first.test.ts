/**
 * A counted loop in the form clang writes its rotated loops: the bound is pushed before the
 * increment whose `local.tee` the test reads (`local.get $n; local.get $i; i32.const 2; i32.add;
 * local.tee $i; i32.ne; br_if`), as c-matmul's innermost loop. It is counted (no check at its
 * header, one charge before it: bench/results/fuel-compute-2026-12-06-10.md), and charged
 * exactly what per-turn charging charges, to the unit, for every start, bound and step form.
 */
import { expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';

// [comparison, step instructions, (start, bound) pairs that end within a few thousand turns]
const FORMS: [string, string, [number, number][]][] = [
  [
    'i32.ne',
    '(local.get $i) (i32.const 2) (i32.add)',
    [
      [0, 10],
      [0, 1000],
      [-7, 9],
      [6, 8],
      [-2, 2],
    ],
  ],
  [
    'i32.ne',
    '(i32.const 1) (local.get $i) (i32.add)',
    [
      [0, 10],
      [-7, 9],
      [5, 6],
      [0, 1],
    ],
  ],
  [
    'i32.ne',
    '(local.get $i) (i32.const 4) (i32.sub)',
    [
      [12, 0],
      [1000, 0],
      [9, -7],
      [4, 0],
    ],
  ],
  [
    'i32.gt_s',
    '(local.get $i) (i32.const 1) (i32.add)',
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
    '(local.get $i) (i32.const 1) (i32.add)',
    [
      [0, 10],
      [-7, 9],
      [5, 5],
      [2147483640, -2147483640],
    ],
  ],
  [
    'i32.lt_s',
    '(local.get $i) (i32.const 1) (i32.sub)',
    [
      [10, 0],
      [9, -7],
      [5, 5],
      [-2147483640, 2147483640],
    ],
  ],
];

function module(test: string, step: string): string {
  return `(module
  (memory 1)
  (func (export "run") (param $i i32) (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (i32.load8_u (i32.and (local.get $i) (i32.const 1023)))))
      (local.get $n)
      ${step}
      (local.tee $i)
      (${test})
      (br_if $l))
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

it('counts loops whose test reads the bound before the increment, with exact fuel', async () => {
  for (const [test, step, starts] of FORMS) {
    const bytes = await wat(module(test, step), 'bound-first.wat');
    const counted = meterModule(bytes);
    const perTurn = meterModule(bytes, { countedLoops: false });
    // Counted: the loop's header check is gone (the function keeps none: it has no call).
    expect(checks(counted), `${test} ${step}`).toBeLessThan(checks(perTurn));
    const a = runner(counted);
    const b = runner(perTurn);
    for (const [i, n] of starts) {
      expect(a(i, n), `${test} ${step} from ${i} to ${n}`).toEqual(b(i, n));
    }
  }
});
