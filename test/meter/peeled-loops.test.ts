/**
 * Peeled loops (host/meter/peeled.ts): an outer loop whose turns mostly skip their work (a
 * sieve's `if (!composite[i]) { ... }`) runs the skipping turn as a loop of its own, with no
 * call inside and its check at its back edge, and the work outside it. Each path pays what
 * per-turn metering charges, to the unit: every function is compared with its output without
 * counted loops (`countedLoops: false`, which peels nothing), under a cost model pricing every
 * control instruction, both strategies, slices of 7 so that refills land inside the loops, and
 * budgets that run out part-way. Loops whose work leaves it (a branch to the loop, an `else`, a
 * `return` the charge would move into) are not peeled and pay the same.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';
import { meteredRunner, toText } from './support.js';

// The work: a count, a call, an inner loop, and a branch to the end of the work's own block.
const work = `
  (local.set $c (i32.add (local.get $c) (i32.const 1)))
  (call $bump)
  (local.set $j (local.get $i))
  (loop $k
    (local.set $j (i32.add (local.get $j) (i32.const 3)))
    (br_if $k (i32.lt_s (local.get $j) (i32.const 40))))
  (br_if 0 (i32.gt_s (local.get $c) (i32.const 4)))
  (local.set $c (i32.add (local.get $c) (i32.const 100)))`;
const next = '(local.set $i (i32.add (local.get $i) (i32.const 1)))';
const byte = '(i32.load8_u (local.get $i))';
const more = '(i32.lt_s (local.get $i) (local.get $n))';

// [export, loop, peeled]
const FORMS: [string, string, boolean][] = [
  // AssemblyScript's sieve: loop H if A if X end B br 1 end end.
  ['while', `(loop $l (if ${more} (then (if (i32.eqz ${byte}) (then ${work})) ${next} (br $l))))`, true],
  // clang's: loop block A br_if 0 X end B br_if 0 end.
  ['do', `(loop $l (block $s (br_if $s ${byte}) ${work}) ${next} (br_if $l ${more}))`, true],
  // Not peeled: the work branches to the loop, the `if` has an `else`, the work leaves the
  // loop, the work returns at once.
  [
    'escape',
    `(loop $l (if ${more} (then (if (i32.eqz ${byte}) (then ${next} (br $l))) ${next} (br $l))))`,
    false,
  ],
  [
    'else',
    `(loop $l (if ${more} (then (if (i32.eqz ${byte}) (then ${work}) (else (call $bump))) ${next} (br $l))))`,
    false,
  ],
  [
    'break',
    `(block $out (loop $l (if ${more} (then (if (i32.eqz ${byte}) (then (call $bump) (br_if $out (i32.gt_s (local.get $i) (i32.const 20))))) ${next} (br $l)))))`,
    false,
  ],
  [
    'return',
    `(loop $l (if ${more} (then (if (i32.eqz ${byte}) (then (return (i32.const 7)))) ${next} (br $l))))`,
    false,
  ],
];

function module(): string {
  const funcs = FORMS.map(
    ([name, loop]) => `
  (func (export "${name}") (param $i i32) (param $n i32) (result i32) (local $c i32) (local $j i32)
    ${loop}
    (i32.add (local.get $c) (global.get $g)))`,
  );
  // Bytes 1, 1, 0 repeated: every third turn does the work.
  const bytes = Array.from({ length: 64 }, (_, k) => (k % 3 === 2 ? '\\00' : '\\01')).join('');
  return `(module (memory (export "memory") 1) (data (i32.const 0) "${bytes}")
  (global $g (mut i32) (i32.const 0))
  (func $bump (global.set $g (i32.add (global.get $g) (i32.const 1))))
  ${funcs.join('')})`;
}

it('peels the sieves’ outer loops: the turn that skips the work is a loop with no call, checked at its back edge', async () => {
  const bytes = await wat(module(), 'peeled.wat');
  const text = await toText(meterModule(bytes));
  const funcs = text.split('(func').filter((f) => f.includes('i32.load8_u'));
  expect(funcs).toHaveLength(FORMS.length);
  for (const [k, [name, , peeled]] of FORMS.entries()) {
    const body = funcs[k]!;
    // The innermost loop around the load, up to its back edge.
    const load = body.indexOf('i32.load8_u');
    const loop = body.slice(body.lastIndexOf('loop', load), body.indexOf('br 0', load));
    if (peeled) {
      expect(loop, name).not.toMatch(/call/);
      // No check before the load (the header's is outside this loop), one at the back edge.
      expect(loop.slice(0, loop.indexOf('i32.load8_u')), name).not.toMatch(/i64\.lt_s/);
      expect(loop.match(/i64\.lt_s/g), name).toHaveLength(1);
    } else {
      expect(loop, name).toMatch(/call/);
    }
  }
});

it('a peeled loop pays what per-turn metering charges, to the unit, and runs out where it does', async () => {
  const run = meteredRunner(await wat(module(), 'peeled.wat'));
  let compared = 0;
  let exhausted = 0;
  for (const [name] of FORMS) {
    // Turns from i to n: none, one, a few, some that do the work and some that skip it.
    for (const args of [
      [5, 5],
      [9, 3],
      [0, 1],
      [2, 3],
      [0, 2],
      [0, 30],
      [1, 60],
    ]) {
      for (const strategy of ['local', 'global'] as const) {
        for (const fuel of [100_000, 80, 200, 450, 1000, 3000]) {
          const got = run(true, strategy, name, args, fuel);
          const want = run(false, strategy, name, args, fuel);
          expect(got, `${name}(${args.join(', ')}) ${strategy} fuel=${fuel}`).toEqual(want);
          compared++;
          if ('error' in got) exhausted++;
        }
      }
    }
  }
  expect(compared).toBe(FORMS.length * 7 * 2 * 6);
  // Some budgets end inside the loops, some do not.
  expect(exhausted).toBeGreaterThan(40);
  expect(exhausted).toBeLessThan(compared - 40);
});
