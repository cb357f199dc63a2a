/**
 * Strided loops (host/meter/strided.ts): an i64 variable moved by a step read from a local, tested
 * with `<` against a bound the loop never writes, as the sieves' inner loops are (c-sieve: `do`
 * shape, the increment's tee, unsigned; as-sieve: `while` shape, bound and step extended from
 * i32, signed). They are counted (no check at the loop's header, one charge before it) with the
 * fuel per-turn charging charges, to the unit; where `bound + step` wraps, the count's guard
 * fails and the loop runs charged and checked at every turn.
 */
import { expect, it } from 'vitest';
import { KeelError } from '../../host/kernel/errors.js';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';
import { toText } from './support.js';

const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);

const store = '(i32.store8 (i32.and (i32.wrap_i64 (local.get $j)) (i32.const 1023)) (i32.const 1))';
const count = '(local.set $sum (i32.add (local.get $sum) (i32.const 1)))';

// [export, parameters of $n and $s, body of the loop $l]
const FORMS: [string, string, string][] = [
  // c-sieve's inner loop: do shape, the test reads the increment's tee, unsigned.
  [
    'do_tee_u',
    '(param $n i64) (param $s i64)',
    `${store} ${count} (local.get $s) (local.get $j) (i64.add) (local.tee $j) (local.get $n) (i64.lt_u) (br_if $l)`,
  ],
  // as-sieve's: while shape, bound and step extended from i32, signed.
  [
    'while_ext_s',
    '(param $n i32) (param $s i32)',
    `(local.get $j) (local.get $n) (i64.extend_i32_s) (i64.lt_s)
     (if (then ${store} ${count} (local.set $j (i64.add (local.get $j) (i64.extend_i32_s (local.get $s)))) (br $l)))`,
  ],
  // The bound first (`n > j`), the write before the test, a step extended unsigned.
  [
    'do_swapped_s',
    '(param $n i64) (param $s i32)',
    `${store} ${count} (local.set $j (i64.add (i64.extend_i32_u (local.get $s)) (local.get $j)))
     (local.get $n) (local.get $j) (i64.gt_s) (br_if $l)`,
  ],
  // While shape, the write in the head before the test, unsigned, bound first.
  [
    'while_head_u',
    '(param $n i64) (param $s i64)',
    `(local.set $j (i64.add (local.get $j) (local.get $s)))
     (local.get $n) (local.get $j) (i64.gt_u)
     (if (then ${store} ${count} (br $l)))`,
  ],
];

function module(): string {
  const funcs = FORMS.map(
    ([name, params, body]) => `
  (func (export "${name}") (param $j i64) ${params} (result i32) (local $sum i32)
    (loop $l ${body})
    (local.get $sum))`,
  );
  return `(module (memory (export "memory") 1) ${funcs.join('')})`;
}

/**
 * Checks of the counter: `i64.const 0; i64.lt_s; br_if 0` at a loop header, or
 * `i64.const 0; i64.lt_s; br_if 1; br 0` at a straight loop's back edge (straight.ts).
 */
function checks(bytes: Uint8Array, where: 'header' | 'back edge'): number {
  const tail = where === 'header' ? [0x00] : [0x01, 0x0c, 0x00];
  let found = 0;
  for (let k = 0; k + 3 + tail.length < bytes.length; k++) {
    if (bytes[k] !== 0x42 || bytes[k + 1] !== 0 || bytes[k + 2] !== 0x53 || bytes[k + 3] !== 0x0d) continue;
    if (tail.every((b, i) => bytes[k + 4 + i] === b)) found++;
  }
  return found;
}

function instance(bytes: Uint8Array, fuel: number) {
  const meter = createMeterRuntime({ fuel, memoryBytes: 2 ** 20, tableElements: 10 });
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    keel: meter.imports.keel,
  }).exports;
  return { meter, exports };
}

/** (j, n, s) per form: counts of 0, 1, a few hundred; steps of 1 and more; guards that fail. */
const CASES: Record<string, [bigint, bigint | number, bigint | number][]> = {
  do_tee_u: [
    [0n, 100n, 1n],
    [4n, 1000n, 7n],
    [0n, 0n, 1n],
    [5n, 6n, 1n],
    [-12n, -5n, 3n], // bound + step wraps: per turn, 2 turns
    [10n, 5n, 0n], // step 0: the guard fails, the test fails at once
    [-1n, 10n, 1n], // the first value wraps to 0, then counts to 10
    [2n ** 63n, 2n ** 63n + 50n, 2n ** 62n],
  ],
  while_ext_s: [
    [4n, 4000, 2],
    [-100n, 100, 3],
    [7n, 7, 1],
    [9n, 2, 1],
    [0n, 10, -1], // a negative step: the guard fails; j never reaches 10, the fuel runs out
    [10n, 0, -1], // a negative step and a test that fails at once
    [MIN, -2147483640, 2147483647],
  ],
  do_swapped_s: [
    [0n, 100n, 1],
    [MAX - 20n, MAX - 1n, 5], // bound + step overflows: per turn
    [MAX - 3n, MAX, 1], // the last value is MAX itself, no wrap
    [0n, 5n, 0], // step 0 leaves j below the bound: per turn, until the budget ends it
  ],
  while_head_u: [
    [0n, 300n, 3n],
    [-5n, -1n, 1n], // bound + step wraps: per turn
    [100n, 50n, 1n],
    [MIN, MAX, MAX],
  ],
};

it('counts the sieves’ loops and their kin with the fuel per-turn charging charges', async () => {
  const bytes = await wat(module(), 'strided.wat');
  const counted = meterModule(bytes);
  const perTurn = meterModule(bytes, { countedLoops: false });
  // Per turn, each loop is a straight loop, checked at its back edge. Counted: no loop keeps a
  // check at its header (the functions have no call); the only checks are those of the copies
  // charged per turn, run where the guard fails, at their back edges.
  expect(checks(perTurn, 'back edge')).toBe(FORMS.length);
  expect(checks(perTurn, 'header')).toBe(0);
  expect(checks(counted, 'header')).toBe(0);
  expect(checks(counted, 'back edge')).toBe(FORMS.length);
  // Two calls of the refill in each (the check after the charge shares the chunks' call; the
  // per-turn copy's is outside its loop): each is a call site in the outer loop's every turn.
  const funcs = (await toText(counted)).split('(func').filter((f) => f.includes('i64.div_u'));
  expect(funcs).toHaveLength(FORMS.length);
  for (const f of funcs) expect(f.match(/call 0\b/g)).toHaveLength(2);
  for (const [name] of FORMS) {
    for (const [j, n, s] of CASES[name]!) {
      const run = (code: Uint8Array) => {
        const { meter, exports } = instance(code, 100_000);
        try {
          const result = (exports[name] as (...a: unknown[]) => number)(j, n, s);
          return { result, used: meter.used() };
        } catch (error) {
          return { error: (error as KeelError).code ?? String(error) };
        }
      };
      expect(run(counted), `${name}(${j}, ${n}, ${s})`).toEqual(run(perTurn));
    }
  }
});

it('charges a strided loop before its first turn, and a loop whose guard fails at every turn', async () => {
  const bytes = await wat(module(), 'strided.wat');
  const counted = meterModule(bytes);
  const touched = (exports: WebAssembly.Exports) =>
    new Uint8Array((exports.memory as WebAssembly.Memory).buffer, 0, 1024).some((b) => b !== 0);
  // 1,000,000 turns on 2,000 fuel: the whole count is charged first, so no turn runs.
  {
    const { exports } = instance(counted, 2000);
    expect(() => (exports.do_tee_u as (...a: bigint[]) => number)(0n, 1_000_000n, 1n)).toThrow(KeelError);
    expect(touched(exports)).toBe(false);
  }
  // bound + step wraps (2^64 - 1 + 1): the guard fails, turns run and are charged one by one
  // until the fuel runs out, as per-turn charging runs them.
  {
    const { exports } = instance(counted, 2000);
    expect(() => (exports.do_tee_u as (...a: bigint[]) => number)(0n, -1n, 1n)).toThrow(KeelError);
    expect(touched(exports)).toBe(true);
  }
});

it('runs a strided loop whose test fails at its first reading as straight-line code: no count, no check', async () => {
  const bytes = await wat(module(), 'strided.wat');
  const counted = meterModule(bytes);
  // (j, n, s) per form: the first value the test reads is past the bound, then one that is not.
  const ZERO: Record<
    string,
    [[bigint, bigint | number, bigint | number], [bigint, bigint | number, bigint | number]]
  > = {
    do_tee_u: [
      [10n, 5n, 1n],
      [0n, 5n, 1n],
    ],
    while_ext_s: [
      [9n, 2, 1],
      [0n, 2, 1],
    ],
    do_swapped_s: [
      [10n, 5n, 1],
      [0n, 5n, 1],
    ],
    while_head_u: [
      [100n, 50n, 1n],
      [0n, 50n, 1n],
    ],
  };
  for (const [name] of FORMS) {
    const slices = (j: bigint, n: bigint | number, s: bigint | number) => {
      // A slice of one unit: the code before the loop leaves the counter below zero, so any
      // check there is refills (onSlice).
      let seen = 0;
      const meter = createMeterRuntime(
        { fuel: 100_000, memoryBytes: 2 ** 20, tableElements: 10, sliceFuel: 1 },
        { onSlice: () => void seen++ },
      );
      const exports = new WebAssembly.Instance(new WebAssembly.Module(counted as Uint8Array<ArrayBuffer>), {
        keel: meter.imports.keel,
      }).exports;
      (exports[name] as (...a: unknown[]) => number)(j, n, s);
      return seen;
    };
    const [none, some] = ZERO[name]!;
    expect(slices(...none), `${name}: no back edge`).toBe(0);
    expect(slices(...some), `${name}: counted`).toBeGreaterThan(0);
  }
});

// Near misses: the step or the bound written in the loop, a second write of j. Each is charged
// per turn (its header keeps its check), with the fuel per-turn charging charges.
const MISSES: [string, string][] = [
  [
    'step_written',
    `${store} ${count} (local.set $j (i64.add (local.get $j) (local.get $s)))
     (local.set $s (i64.add (local.get $s) (i64.const 1)))
     (br_if $l (i64.lt_u (local.get $j) (local.get $n)))`,
  ],
  [
    'bound_written',
    `${store} ${count} (local.set $j (i64.add (local.get $j) (local.get $s)))
     (local.set $n (i64.sub (local.get $n) (i64.const 1)))
     (br_if $l (i64.lt_s (local.get $j) (local.get $n)))`,
  ],
  [
    'twice_written',
    `${store} ${count} (local.set $j (i64.add (local.get $j) (local.get $s)))
     (local.set $j (i64.add (local.get $j) (local.get $s)))
     (br_if $l (i64.lt_s (local.get $j) (local.get $n)))`,
  ],
];

it('charges per turn a loop whose step or bound moves, or whose variable is written twice', async () => {
  const funcs = MISSES.map(
    ([name, body]) => `
  (func (export "${name}") (param $j i64) (param $n i64) (param $s i64) (result i32) (local $sum i32)
    (loop $l ${body})
    (local.get $sum))`,
  );
  const bytes = await wat(`(module (memory (export "memory") 1) ${funcs.join('')})`, 'strided-misses.wat');
  const counted = meterModule(bytes);
  const perTurn = meterModule(bytes, { countedLoops: false });
  expect(checks(counted, 'back edge')).toBe(MISSES.length);
  for (const [name] of MISSES) {
    for (const [j, n, s] of [
      [0n, 1000n, 1n],
      [0n, 100n, 3n],
      [5n, 300n, 2n],
    ] as const) {
      const run = (code: Uint8Array) => {
        const { meter, exports } = instance(code, 1_000_000);
        const result = (exports[name] as (...a: bigint[]) => number)(j, n, s);
        return { result, used: meter.used() };
      };
      expect(run(counted), `${name}(${j}, ${n}, ${s})`).toEqual(run(perTurn));
    }
  }
});
