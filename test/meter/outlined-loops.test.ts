/**
 * Outlined loops (host/meter/outlined.ts): a loop checked at its header whose body holds no call
 * and no loop but straight loops (a quicksort's partition loop around its two scans) has its
 * refills, and the rest of its turn after each scan, written outside it. Each path pays what it
 * paid, to the unit: every function is compared with its output without counted loops
 * (`countedLoops: false`, which outlines nothing and writes the same straight loops), under a
 * cost model pricing every control instruction, both strategies, slices of 7 so that refills land
 * inside the scans, and budgets that run out part-way. Bodies of other shapes are left as they are.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';
import { meteredRunner, toText } from './support.js';

const word = (i: string) => `(i32.load (i32.shl (local.get ${i}) (i32.const 2)))`;
const inc = (x: string, by: number) => `(local.set ${x} (i32.add (local.get ${x}) (i32.const ${by})))`;
const swap = `(local.set $t ${word('$i')})
  (i32.store (i32.shl (local.get $i) (i32.const 2)) ${word('$j')})
  (i32.store (i32.shl (local.get $j) (i32.const 2)) (local.get $t))
  ${inc('$i', 1)} ${inc('$j', -1)}`;
const more = '(i32.le_s (local.get $i) (local.get $j))';
// clang's scans (do shape) and AssemblyScript's (while shape).
const upDo = `${inc('$i', -1)} (loop $a ${inc('$i', 1)} (br_if $a (i32.lt_s ${word('$i')} (local.get $p))))`;
const downDo = `${inc('$j', 1)} (loop $b ${inc('$j', -1)} (br_if $b (i32.gt_s ${word('$j')} (local.get $p))))`;
const upWhile = `(loop $a (if (i32.lt_s ${word('$i')} (local.get $p)) (then ${inc('$i', 1)} (br $a))))`;
const downWhile = `(loop $b (if (i32.gt_s ${word('$j')} (local.get $p)) (then ${inc('$j', -1)} (br $b))))`;

// [export, the partition loop, outlined]
const FORMS: [string, string, boolean][] = [
  // clang's partition loop: loop ... br_if 0 end.
  ['do', `(loop $P ${upDo} ${downDo} (if ${more} (then ${swap})) (br_if $P ${more}))`, true],
  // AssemblyScript's: loop if ... br 1 end end, the scans inside the `if`.
  [
    'while',
    `(loop $P (if ${more} (then ${upWhile} ${downWhile} (if ${more} (then ${swap})) (br $P))))`,
    true,
  ],
  // A scan inside a block, a branch out of the loop from inside an `if`.
  [
    'nested',
    `(block $out (loop $P (block $x ${upDo} (br_if $x (i32.gt_s (local.get $i) (local.get $hi))) ${downDo})
      (if ${more} (then ${swap} (br_if $out (i32.eq (local.get $i) (i32.const 17)))))
      (br_if $P ${more})))`,
    true,
  ],
  // Not outlined: a call in the body, an `else`, five scans, a result.
  ['call', `(loop $P ${upDo} ${downDo} (if ${more} (then ${swap} (call $bump))) (br_if $P ${more}))`, false],
  ['else', `(loop $P ${upDo} ${downDo} (if ${more} (then ${swap}) (else (nop))) (br_if $P ${more}))`, false],
  [
    'five',
    `(loop $P ${upDo} ${upDo} ${upDo} ${downDo} ${downDo} (if ${more} (then ${swap})) (br_if $P ${more}))`,
    false,
  ],
  [
    'result',
    `(drop (loop $P (result i32) ${upDo} ${downDo} (if ${more} (then ${swap})) (br_if $P ${more}) (local.get $i)))`,
    false,
  ],
];

function module(): string {
  const funcs = FORMS.map(
    ([name, loop]) => `
  (func (export "${name}") (param $lo i32) (param $hi i32) (result i32) (local $i i32) (local $j i32) (local $p i32) (local $t i32)
    (local.set $p ${word('$lo')})
    (local.set $i (local.get $lo))
    (local.set $j (local.get $hi))
    ${loop}
    (i32.add (i32.add (i32.mul (local.get $i) (i32.const 1000)) (local.get $j)) (global.get $g)))`,
  );
  // 64 words in no order: (37k + 11) mod 101.
  const words = Array.from({ length: 64 }, (_, k) => `\\${hex((37 * k + 11) % 101)}\\00\\00\\00`).join('');
  return `(module (memory (export "memory") 1) (data (i32.const 0) "${words}")
  (global $g (mut i32) (i32.const 0))
  (func $bump (global.set $g (i32.add (global.get $g) (i32.const 1))))
  ${funcs.join('')})`;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

/** Per function: whether some loop holds two loops or more and no call (the partition loop, outlined). */
function outlined(text: string): boolean[] {
  return text
    .split('(func')
    .filter((f) => f.includes('i32.load'))
    .map((f) => {
      const lines = f.split('\n').map((l) => l.trim());
      const open: number[] = [];
      for (const [k, line] of lines.entries()) {
        if (/^(block|loop|if|try)\b/.test(line)) open.push(k);
        else if (line === 'end' || line.startsWith('end ')) {
          const from = open.pop()!;
          if (!lines[from]!.startsWith('loop')) continue;
          const inside = lines.slice(from + 1, k);
          if (
            inside.filter((l) => l.startsWith('loop')).length >= 2 &&
            !inside.some((l) => l.startsWith('call'))
          )
            return true;
        }
      }
      return false;
    });
}

it('outlines a partition loop: its refills and a copy of its turn after each scan out of it', async () => {
  const bytes = await wat(module(), 'outlined.wat');
  for (const strategy of ['local', 'global'] as const) {
    const got = outlined(await toText(meterModule(bytes, { strategy })));
    expect(got, strategy).toEqual(FORMS.map(([, , yes]) => yes));
    // Without counted loops nothing is outlined.
    const plain = outlined(await toText(meterModule(bytes, { strategy, countedLoops: false })));
    expect(plain, strategy).toEqual(FORMS.map(() => false));
  }
});

it('an outlined loop pays what it paid, to the unit, and runs out where it did', async () => {
  const run = meteredRunner(await wat(module(), 'outlined.wat'));
  let compared = 0;
  let exhausted = 0;
  for (const [name] of FORMS) {
    // Ranges of one word, a few, most of the words.
    for (const args of [
      [3, 3],
      [0, 1],
      [5, 9],
      [0, 20],
      [2, 63],
    ]) {
      for (const strategy of ['local', 'global'] as const) {
        for (const fuel of [1_000_000, 90, 300, 700, 1500, 4000]) {
          const got = run(true, strategy, name, args, fuel);
          const want = run(false, strategy, name, args, fuel);
          expect(got, `${name}(${args.join(', ')}) ${strategy} fuel=${fuel}`).toEqual(want);
          compared++;
          if ('error' in got) exhausted++;
        }
      }
    }
  }
  expect(compared).toBe(FORMS.length * 5 * 2 * 6);
  // Some budgets end inside the loops, some do not.
  expect(exhausted).toBeGreaterThan(40);
  expect(exhausted).toBeLessThan(compared - 40);
});
