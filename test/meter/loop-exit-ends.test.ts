/**
 * The way out of a `while`-shaped straight or strided loop (`loop H if B br 1 end end`) pays one
 * `end`, the loop's, as per-turn metering does: a false test leaves the `if` past its `end`,
 * which per-turn metering charges in the arm after the `br`, where it never runs (review16 L1:
 * straight.ts and strided.ts charged two, invisible at the default cost of 0 for `end`).
 *
 * Each loop is compared with the same loop that per-turn metering keeps (a `table.size` in its
 * body stops the shape's scan; it and its `drop` cost 0 here, so both pay the same), under a
 * cost model pricing every control instruction, both strategies, slices of 7 so that refills
 * land inside the loops, and budgets that run out part-way.
 */
import { expect, it } from 'vitest';
import { KeelError } from '../../host/kernel/errors.js';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';
import { toText } from './support.js';

const COSTS = {
  default: 1,
  instructions: { end: 7, loop: 11, br_if: 13, if: 17, br: 19, block: 23, 'table.size': 0, drop: 0 },
};
const STOP = '(drop (table.size 0))';

const next = '(local.set $p (i32.add (local.get $p) (i32.const 4)))';
const scan = '(i32.lt_s (i32.load (local.get $p)) (local.get $v))';
const store = '(i32.store8 (i32.and (i32.wrap_i64 (local.get $j)) (i32.const 1023)) (i32.const 1))';
const step = '(local.set $j (i64.add (local.get $j) (i64.extend_i32_s (local.get $s))))';
const below = '(i64.lt_s (local.get $j) (i64.extend_i32_s (local.get $n)))';

// [export, parameters, the loop's body with `stop` where the reference stops the scan]
const FORMS: [string, string, (stop: string) => string][] = [
  // Straight (a quicksort's scan): while shape, and the do shape as a control.
  ['scan_while', '(param $p i32) (param $v i32)', (s) => `(if ${scan} (then ${s} ${next} (br $l)))`],
  ['scan_do', '(param $p i32) (param $v i32)', (s) => `${s} ${next} (br_if $l ${scan})`],
  // Strided (as-sieve's inner loop): while shape, and the do shape.
  [
    'strided_while',
    '(param $j i64) (param $n i32) (param $s i32)',
    (s) => `(if ${below} (then ${s} ${store} ${step} (br $l)))`,
  ],
  [
    'strided_do',
    '(param $j i64) (param $n i32) (param $s i32)',
    (s) => `${s} ${store} ${step} (br_if $l ${below})`,
  ],
];

function module(reference: boolean): string {
  const funcs = FORMS.map(
    ([name, params, body]) => `
  (func (export "${name}") ${params} (result i32)
    (loop $l ${body(reference ? STOP : '')})
    (i32.const 3))`,
  );
  // Ascending words 0, 1, 2, ... at 0, 4, 8, ...: a scan from p for v turns (v - p / 4) times.
  const words = Array.from({ length: 64 }, (_, k) => `\\${k.toString(16).padStart(2, '0')}\\00\\00\\00`).join(
    '',
  );
  return `(module (memory (export "memory") 1) (table 1 funcref) (data (i32.const 0) "${words}") ${funcs.join('')})`;
}

const ARGS: Record<string, (number | bigint)[][]> = {
  scan_while: [
    [0, 0],
    [4, 0],
    [0, 1],
    [8, 3],
    [0, 40],
  ],
  scan_do: [
    [0, 0],
    [0, 1],
    [8, 3],
    [0, 40],
  ],
  // Counts of 0, 1 and more; a step of 0 (the guard fails: per turn until the budget ends it).
  strided_while: [
    [9n, 2, 1],
    [1n, 2, 1],
    [0n, 300, 3],
    [-100n, 100, 7],
    [0n, 5, 0],
  ],
  strided_do: [
    [9n, 2, 1],
    [1n, 2, 1],
    [0n, 300, 3],
    [-100n, 100, 7],
  ],
};

// Each module metered and compiled once per strategy.
const compiled = new Map<Uint8Array, Map<string, WebAssembly.Module>>();

function run(
  bytes: Uint8Array,
  name: string,
  args: (number | bigint)[],
  strategy: 'local' | 'global',
  fuel: number,
) {
  const byStrategy = compiled.get(bytes) ?? new Map<string, WebAssembly.Module>();
  compiled.set(bytes, byStrategy);
  let module = byStrategy.get(strategy);
  if (!module) {
    module = new WebAssembly.Module(
      meterModule(bytes, { strategy, costs: COSTS }) as Uint8Array<ArrayBuffer>,
    );
    byStrategy.set(strategy, module);
  }
  const meter = createMeterRuntime({
    fuel,
    memoryBytes: 2 ** 20,
    tableElements: 10,
    sliceFuel: 7,
  });
  const exports = new WebAssembly.Instance(module, { keel: meter.imports.keel }).exports as Record<
    string,
    (...a: unknown[]) => number
  >;
  try {
    return { result: exports[name]!(...args), used: meter.used() };
  } catch (error) {
    return { error: error instanceof KeelError ? error.code : String(error), used: meter.used() };
  }
}

it('a while-shaped straight or strided loop pays one `end` on its way out, as per-turn metering', async () => {
  const bytes = await wat(module(false), 'exit-ends.wat');
  const reference = await wat(module(true), 'exit-ends-reference.wat');
  // The strided loops are counted (a division) and the reference's are not.
  expect((await toText(meterModule(bytes))).match(/i64\.div_u/g)).toHaveLength(2);
  expect(await toText(meterModule(reference))).not.toMatch(/i64\.div_u/);
  let compared = 0;
  let exhausted = 0;
  for (const [name] of FORMS) {
    for (const args of ARGS[name]!) {
      for (const strategy of ['local', 'global'] as const) {
        for (const fuel of [100_000, 60, 150, 333, 1000]) {
          const got = run(bytes, name, args, strategy, fuel);
          const want = run(reference, name, args, strategy, fuel);
          expect(got, `${name}(${args.join(', ')}) ${strategy} fuel=${fuel}`).toEqual(want);
          compared++;
          if ('error' in got) exhausted++;
        }
      }
    }
  }
  expect(compared).toBe(180);
  // Some budgets end inside the loops, some do not.
  expect(exhausted).toBeGreaterThan(20);
  expect(exhausted).toBeLessThan(compared - 20);
});
