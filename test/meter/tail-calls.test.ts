/**
 * Tail calls keep constant stack under metering in every combination of conventions: two
 * functions tail-call each other 100,000 times, each escaping in its own way (internal,
 * exported and so wrapped, referenced by `ref.func`, in a table JavaScript can reach) and each
 * tail-calling the other its own way (`return_call`, `return_call_indirect` through a closed
 * table or an exported one). Plain V8 returns; so must both strategies, with the same fuel.
 */
import { describe, expect, it } from 'vitest';
import { instantiateMetered, instantiatePlain, watAll } from './support.js';

const KINDS = ['internal', 'exported', 'referenced', 'in-open-table'] as const;
const METHODS = ['direct', 'closed-table', 'open-table'] as const;
type Kind = (typeof KINDS)[number];
type Method = (typeof METHODS)[number];

const ROUNDS = 100_000; // plain V8 overflows its stack at about 16,000 small frames

function program(kinds: [Kind, Kind], methods: [Method, Method]): string {
  const names = ['$a', '$b'] as const;
  const call = (method: Method, target: number) => {
    const arg = '(i32.sub (local.get 0) (i32.const 1))';
    if (method === 'direct') return `(return_call ${names[target]} ${arg})`;
    const table = method === 'closed-table' ? '$closed' : '$open';
    return `(return_call_indirect ${table} (type $t) ${arg} (i32.const ${target}))`;
  };
  const func = (i: number) => {
    const kind = kinds[i]!;
    const exported = kind === 'exported' ? ` (export "${names[i]!.slice(1)}")` : '';
    return `(func ${names[i]}${exported} (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const ${44 + 55 * i}))
        (else ${call(methods[i]!, 1 - i)})))`;
  };
  const parts = [
    '(type $t (func (param i32) (result i32)))',
    '(table $closed 2 funcref) (elem (table $closed) (i32.const 0) func $a $b)',
    '(table $open (export "open") 2 funcref) (elem (table $open) (i32.const 0) func $a $b)',
    '(table $other (export "other") 2 funcref)',
  ];
  for (const [i, kind] of kinds.entries()) {
    if (kind === 'referenced') parts.push(`(global $g${i} funcref (ref.func ${names[i]}))`);
    if (kind === 'in-open-table') parts.push(`(elem (table $other) (i32.const ${i}) func ${names[i]})`);
  }
  // Only a method that calls through the open table puts $a and $b in it.
  if (!methods.includes('open-table')) parts.splice(2, 1);
  parts.push(func(0), func(1));
  parts.push('(func (export "run") (param i32) (result i32) (call $a (local.get 0)))');
  return `(module ${parts.join('\n')})`;
}

describe('tail calls keep constant stack across every mix of conventions', () => {
  const cases: [Kind, Kind, Method, Method][] = [];
  for (const ka of KINDS)
    for (const kb of KINDS) for (const ma of METHODS) for (const mb of METHODS) cases.push([ka, kb, ma, mb]);

  it(`${cases.length} pairs of mutually tail-recursive functions run ${ROUNDS} rounds`, async () => {
    const failures: string[] = [];
    for (const [ka, kb, ma, mb] of cases) {
      const label = `$a ${ka} (${ma} to $b), $b ${kb} (${mb} to $a)`;
      const bytes = await watAll(program([ka, kb], [ma, mb]));
      const plain = instantiatePlain(bytes);
      const expected = [plain.run(ROUNDS), plain.run(ROUNDS + 1)];
      const fuel: number[] = [];
      for (const strategy of ['local', 'global'] as const) {
        const { exports, meter } = instantiateMetered(bytes, { fuel: 1e12 }, { strategy });
        try {
          const got = [exports.run(ROUNDS), exports.run(ROUNDS + 1)];
          if (got[0] !== expected[0] || got[1] !== expected[1])
            failures.push(`${label}, ${strategy}: ${got} instead of ${expected}`);
        } catch (e) {
          failures.push(`${label}, ${strategy}: ${String(e)}`);
        }
        fuel.push(meter.used());
      }
      if (fuel[0] !== fuel[1]) failures.push(`${label}: fuel ${fuel[0]} (local) != ${fuel[1]} (global)`);
    }
    expect(failures).toEqual([]);
  });
});
