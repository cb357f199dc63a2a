/**
 * Straight loops (host/meter/straight.ts): innermost loops of straight-line code that are neither
 * counted nor strided, such as a quicksort's scans (`while (a[i] < p) i++`), check the counter at
 * their back edge, with the refill outside the loop, instead of at their header with the refill
 * inside it. The fuel is per-turn charging's, to the unit: each is compared with the same loop
 * whose body sits in a `block` (which the analysis does not take: checked at its header), with
 * slices small enough that refills land inside the loops, under both strategies.
 */
import { expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';
import { toText } from './support.js';

// [export, body of the loop $l as written, the same wrapped so that it is checked at its header]
const next = '(local.set $p (i32.add (local.get $p) (i32.const 4)))';
const test = '(i32.lt_s (i32.load (local.get $p)) (local.get $v))';
const FORMS: [string, string, string][] = [
  // clang's partition scan: do shape, the test on the data.
  ['scan_do', `${next} (br_if $l ${test})`, `(block ${next}) (br_if $l ${test})`],
  // AssemblyScript's: while shape.
  ['scan_while', `(if ${test} (then ${next} (br $l)))`, `(block (if ${test} (then ${next} (br $l))))`],
];

function module(wrapped: boolean): string {
  const funcs = FORMS.map(
    ([name, body, reference]) => `
  (func (export "${name}") (param $p i32) (param $v i32) (result i32)
    (loop $l ${wrapped ? reference : body})
    (local.get $p))`,
  );
  // Ascending words 0, 1, 2, ... at 0, 4, 8, ...: a scan from p for v turns (v - p / 4) times.
  const words = Array.from({ length: 64 }, (_, k) => `\\${hex(k)}\\00\\00\\00`).join('');
  return `(module (memory (export "memory") 1) (data (i32.const 0) "${words}") ${funcs.join('')})`;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

function run(bytes: Uint8Array, name: string, p: number, v: number, strategy: 'local' | 'global') {
  const meter = createMeterRuntime({ fuel: 1e9, memoryBytes: 2 ** 20, tableElements: 10, sliceFuel: 7 });
  const metered = meterModule(bytes, { strategy });
  const exports = new WebAssembly.Instance(new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>), {
    keel: meter.imports.keel,
  }).exports as Record<string, (p: number, v: number) => number>;
  return { result: exports[name]!(p, v), used: meter.used() };
}

it('a straight loop has no check at its header and no call inside: its refill is outside it', async () => {
  const text = await toText(meterModule(await wat(module(false), 'straight.wat')));
  const funcs = text.split('(func').filter((f) => f.includes('i32.load'));
  expect(funcs).toHaveLength(FORMS.length);
  for (const [k, [name]] of FORMS.entries()) {
    const body = funcs[k]!;
    // The innermost loop: from the last `loop` before the load to its back edge.
    const load = body.indexOf('i32.load');
    const inner = body.slice(body.lastIndexOf('loop', load), body.indexOf('br 0', load));
    expect(inner, name).not.toMatch(/call/);
    expect(inner.slice(0, inner.indexOf('i32.load')), name).not.toMatch(/i64\.lt_s/);
    expect(inner.match(/i64\.lt_s/g), name).toHaveLength(1); // at the back edge
  }
});

it('a straight loop pays what per-turn charging at its header pays, to the unit', async () => {
  const bytes = await wat(module(false), 'straight.wat');
  const reference = await wat(module(true), 'reference.wat');
  expect(Buffer.from(meterModule(bytes)).equals(Buffer.from(meterModule(reference)))).toBe(false);
  let compared = 0;
  for (const [name] of FORMS) {
    for (const strategy of ['local', 'global'] as const) {
      // Scans of 0 to 40 turns (v at or below p's word leaves at the first test).
      for (const [p, v] of [
        [0, 0],
        [4, 0],
        [0, 1],
        [8, 3],
        [0, 40],
        [40, 41],
      ] as const) {
        const got = run(bytes, name, p, v, strategy);
        const want = run(reference, name, p, v, strategy);
        expect(got, `${name} ${strategy} p=${p} v=${v}`).toEqual(want);
        compared++;
      }
    }
  }
  expect(compared).toBe(24);
});
