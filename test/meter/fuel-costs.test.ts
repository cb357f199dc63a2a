/**
 * Exact fuel per snippet, as data (like Wasmtime's fuel.wast). Each case is a module whose
 * export "f" is called once with `args`; `fuel` is what the call must use with the default
 * cost model, under both strategies.
 */
import { describe, expect, it } from 'vitest';
import { meterModule } from '../../host/meter/index.js';
import { instantiateMetered, toText, watAll } from './support.js';

interface Case {
  name: string;
  wat: string;
  args?: unknown[];
  fuel: number;
}

const fn = (body: string, sig = '(result i32)') => `(module (memory 1) (func (export "f") ${sig} ${body}))`;

const CASES: Case[] = [
  { name: 'empty function', wat: fn('', ''), fuel: 0 },
  { name: 'one constant', wat: fn('i32.const 1'), fuel: 1 },
  { name: 'add', wat: fn('i32.const 1 i32.const 2 i32.add'), fuel: 3 },
  {
    name: 'nop, drop and structure are free',
    wat: fn('nop (block nop) (loop nop) i32.const 1 drop', ''),
    fuel: 1,
  },
  { name: 'return is free', wat: fn('i32.const 5 return'), fuel: 1 },
  { name: 'if taken', wat: fn('(if (i32.const 1) (then nop))', ''), fuel: 2 },
  {
    name: 'if not taken, else runs',
    wat: fn(
      '(if (i32.const 0) (then (drop (i32.const 1))) (else (drop (i32.const 2)) (drop (i32.const 3))))',
      '',
    ),
    fuel: 4,
  },
  {
    name: 'loop of 10 iterations, 8 per iteration',
    wat: fn(
      '(local i32) (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br_if $l (i32.lt_u (local.get 0) (i32.const 10))))',
      '',
    ),
    fuel: 80,
  },
  {
    name: 'loop as AssemblyScript writes it: 9 per iteration, 4 to leave',
    wat: fn(
      '(local i32) (loop $l (if (i32.lt_u (local.get 0) (i32.const 10)) (then (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br $l))))',
      '',
    ),
    fuel: 10 * 9 + 4,
  },
  {
    name: 'counted loop from a constant start: its count is a constant, 2 + 10 * 9 + 4',
    wat: fn(
      '(local i32) (local.set 0 (i32.const 0)) (loop $l (if (i32.lt_u (local.get 0) (i32.const 10)) (then (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br $l))))',
      '',
    ),
    fuel: 2 + 10 * 9 + 4,
  },
  {
    name: 'counted loop from a parameter: its count computed at entry, 10 * 9 + 4',
    wat: fn(
      '(loop $l (if (i32.lt_u (local.get 0) (i32.const 1000)) (then (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br $l))))',
      '(param i32)',
    ),
    args: [990],
    fuel: 10 * 9 + 4,
  },
  {
    name: 'do-while counted loop, i != 0 by steps of 4: 2 + 16 * 6',
    wat: fn(
      '(local i32) (local.set 0 (i32.const -64)) (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 4))) (br_if $l (local.get 0)))',
      '',
    ),
    fuel: 2 + 16 * 6,
  },
  {
    name: 'then arm that returns, not taken: the code after the if pays the condition',
    wat: fn('(if (i32.const 0) (then (return (i32.const 1)))) (i32.const 2)'),
    fuel: 3,
  },
  {
    name: 'then arm that returns, taken',
    wat: fn('(if (i32.const 1) (then (return (i32.const 1)))) (i32.const 2)'),
    fuel: 3,
  },
  {
    name: 'then arm that branches to its own end pays the condition once',
    wat: fn('(if (i32.const 1) (then (drop (i32.const 5)) (br 0))) (i32.const 2)'),
    fuel: 5,
  },
  {
    name: 'straight-line then arm into an else, taken',
    wat: fn(
      '(if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3) (i32.const 4) (i32.add)))',
    ),
    fuel: 3,
  },
  {
    name: 'straight-line then arm into an else, not taken',
    wat: fn(
      '(if (result i32) (i32.const 0) (then (i32.const 2)) (else (i32.const 3) (i32.const 4) (i32.add)))',
    ),
    fuel: 5,
  },
  {
    name: 'then arm that branches into an else, not taken',
    wat: fn(
      '(block $out (result i32) (if (result i32) (i32.const 0) (then (br $out (i32.const 2))) (else (i32.const 3) (i32.const 4) (i32.add))))',
    ),
    fuel: 5,
  },
  {
    name: 'branch out of a block skips its tail',
    wat: fn('(block $b (br $b) (drop (i32.const 1)) (drop (i32.const 2))) i32.const 3'),
    fuel: 2,
  },
  {
    name: 'br_if not taken then taken',
    wat: fn('(block $b (br_if $b (i32.const 0)) (br_if $b (i32.const 1)) (drop (i32.const 9))) i32.const 3'),
    fuel: 5,
  },
  {
    name: 'br_table to its default, then the outer block tail',
    wat: fn('(block $a (block $b (br_table $a $b (i32.const 1))) (drop (i32.const 7))) i32.const 3'),
    fuel: 4,
  },
  {
    name: 'call counts the callee',
    wat: '(module (func $g (result i32) i32.const 7) (func (export "f") (result i32) call $g))',
    fuel: 2,
  },
  {
    name: 'recursion: fib(10)',
    wat: `(module (func $fib (export "f") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`,
    args: [10],
    // 177 calls: 89 leaves cost 4+1, 88 inner calls cost 4+ 2×(get,const,sub,call) + add = 13.
    fuel: 89 * 5 + 88 * 13 + 0,
  },
  {
    name: 'call_indirect',
    wat: `(module (type $t (func (result i32))) (table funcref (elem $g)) (func $g (result i32) i32.const 7)
      (func (export "f") (result i32) (call_indirect (type $t) (i32.const 0))))`,
    fuel: 3,
  },
  {
    name: 'memory.fill of 640 bytes: 50 + 640/2',
    wat: fn('(memory.fill (i32.const 0) (i32.const 1) (i32.const 640))', ''),
    fuel: 3 + 50 + 320,
  },
  {
    name: 'memory.copy of 63 bytes: 50 + 63/2 rounded down',
    wat: fn('(memory.copy (i32.const 0) (i32.const 100) (i32.const 63))', ''),
    fuel: 3 + 50 + 31,
  },
  {
    name: 'memory.grow by 2 pages: 5,000 + 2 x 1,500,000',
    wat: fn('(drop (memory.grow (i32.const 2)))', ''),
    fuel: 1 + 5_000 + 3_000_000,
  },
  {
    name: 'memory.grow refused by the declared maximum: no pages added, nothing per page',
    wat: '(module (memory 1 2) (func (export "f") (result i32) (memory.grow (i32.const 5))))',
    fuel: 1 + 5_000,
  },
  {
    name: 'memory.grow by 2^32 - 1 pages (refused): nothing per page',
    wat: fn('(memory.grow (i32.const -1))'),
    fuel: 1 + 5_000,
  },
  {
    name: 'table.grow by 3: 2,500 + 3 x 4,096',
    wat: '(module (table 0 funcref) (func (export "f") (result i32) (table.grow (ref.null func) (i32.const 3))))',
    fuel: 2 + 2_500 + 3 * 4_096,
  },
  {
    name: 'table.grow by 2^32 - 1 (refused): nothing per element',
    wat: '(module (table 0 funcref) (func (export "f") (result i32) (table.grow (ref.null func) (i32.const -1))))',
    fuel: 2 + 2_500,
  },
  {
    name: 'table.fill of 16: 200 + 16 x 200',
    wat: '(module (table 20 funcref) (func (export "f") (table.fill (i32.const 0) (ref.null func) (i32.const 16))))',
    fuel: 3 + 200 + 16 * 200,
  },
  {
    name: 'memory.copy of 0 bytes: its base, 50',
    wat: fn('(memory.copy (i32.const 0) (i32.const 100) (i32.const 0))', ''),
    fuel: 3 + 50,
  },
  {
    name: 'table.fill of 0: its base, 200',
    wat: '(module (table 20 funcref) (func (export "f") (table.fill (i32.const 0) (ref.null func) (i32.const 0))))',
    fuel: 3 + 200,
  },
  {
    name: 'memory.grow by 0 pages: its base, 5,000 (a call into the host)',
    wat: fn('(drop (memory.grow (i32.const 0)))', ''),
    fuel: 1 + 5_000,
  },
  {
    name: 'table.set 300, table.get 20 (V8 runs them out of line)',
    wat: '(module (table 2 funcref) (elem declare func $g) (func $g) (func (export "f") (table.set (i32.const 0) (ref.func $g)) (drop (table.get (i32.const 1)))))',
    fuel: 2 + 300 + 1 + 20,
  },
  {
    name: 'simd costs 1',
    wat: fn('(i32x4.extract_lane 0 (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i32x4 1 1 1 1)))'),
    fuel: 4,
  },
  {
    name: 'globals (indices shifted)',
    wat: '(module (global $g (mut i32) (i32.const 1)) (func (export "f") (result i32) (global.set $g (i32.const 4)) (global.get $g)))',
    fuel: 3,
  },
  {
    name: 'exception caught',
    wat: `(module (tag $e) (func $t (throw $e)) (func (export "f") (result i32)
      (try (result i32) (do (call $t) (i32.const 1)) (catch $e (i32.const 2)))))`,
    // call 1, throw 10,000, catch handler const 1
    fuel: 1 + 10_000 + 1,
  },
  {
    name: 'tail call',
    wat: `(module (func $g (result i32) i32.const 7) (func (export "f") (result i32) (return_call $g)))`,
    fuel: 2,
  },
  {
    name: 'multi-value block',
    wat: fn('(block (result i32 i32) (i32.const 1) (i32.const 2)) i32.add'),
    fuel: 3,
  },
];

describe('exact fuel per snippet', () => {
  for (const strategy of ['local', 'global'] as const) {
    for (const c of CASES) {
      it(`${strategy}: ${c.name} uses ${c.fuel}`, async () => {
        const bytes = await watAll(c.wat);
        // Enough for the dearest snippet (a grow of 2 pages).
        const budget = 1_000_000_000;
        const { exports, meter } = instantiateMetered(bytes, { fuel: budget }, { strategy });
        exports.f(...(c.args ?? []));
        expect(meter.used()).toBe(c.fuel);
        expect(meter.remaining()).toBe(budget - c.fuel);
      });
    }
  }

  it('counts are deterministic across runs and instances', async () => {
    const bytes = await watAll(CASES.find((c) => c.name.startsWith('recursion'))!.wat);
    const used = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const { exports, meter } = instantiateMetered(bytes, { fuel: 1_000_000 });
      exports.f(15);
      exports.f(15);
      used.add(meter.used());
    }
    expect(used.size).toBe(1);
  });

  it('a loop written `loop (if cond (then ... br))` pays one charge per iteration', async () => {
    // The charge before the `if` moves into the then arm (which ends with the branch back) and
    // past the `if`'s end (which only the way out reaches): the loop runs one subtraction.
    // (Per-turn charging: as a counted loop, it would pay nothing inside; next test.)
    const bytes = await watAll(CASES.find((c) => c.name.startsWith('loop as AssemblyScript'))!.wat);
    const text = await toText(meterModule(bytes, { countedLoops: false }));
    const loop = text.slice(text.indexOf('loop'), text.lastIndexOf('end'));
    expect(loop.match(/i64\.sub/g)).toHaveLength(2); // in the loop; after it, the way out
    // One before the back edge, `br 0` of the loop checked there (docs/fuel.md, "Straight loops").
    expect(loop.slice(0, loop.indexOf('br 0')).match(/i64\.sub/g)).toHaveLength(1);
  });

  it('the same loop, counted, is charged before it and runs no charge or check inside', async () => {
    // Against a bound of 10 from an unknown start it would be left per-turn (`fewTurns`).
    const bytes = await watAll(
      CASES.find((c) => c.name.startsWith('loop as AssemblyScript'))!.wat.replace(
        'i32.const 10',
        'i32.const 1000',
      ),
    );
    const text = await toText(meterModule(bytes));
    // The loop's own back edge is its `br 1`; chunks of its turns run before it (`#writeChunks`).
    const back = text.indexOf('br 1 ');
    const start = text.lastIndexOf('loop', back);
    const loop = text.slice(start, back);
    expect(loop).not.toMatch(/i64\.sub|i64\.lt_s|br_if/);
    const before = text.slice(0, text.indexOf('loop'));
    expect(before).toMatch(/i64\.mul/); // turns x cost
    // Between chunks the host is consulted (`keel.fuel_slice`, function 0 here).
    expect(text.slice(text.indexOf('loop'), start)).toMatch(/call 0\b/);
  });

  it('a custom cost model is data', async () => {
    const bytes = await watAll(fn('i32.const 1 i32.const 2 i32.add'));
    const { exports, meter } = instantiateMetered(
      bytes,
      { fuel: 1000 },
      { costs: { instructions: { 'i32.add': 10, 'i32.const': 0 } } },
    );
    exports.f();
    expect(meter.used()).toBe(10);
  });
});
