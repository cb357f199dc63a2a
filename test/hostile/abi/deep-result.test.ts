/**
 * Attack: a guest returns values nested as deep as a type may be (100 levels, the loader's
 * limit: 99 containers around a `u8`), in every kind of container: tuples (arrays), records
 * (objects), options of options (`{ tag, val }`), results, lists of lists. Rendering a result as
 * JSON for `invoke` stopped at 64 levels with `invalid-argument`, which says the embedder passed
 * something wrong: the value is the guest's, and its type was accepted at load. Every value of
 * a type the loader admits must reach the caller, in either placement; a limit on guest data
 * is never `invalid-argument` or `internal`.
 */
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_TYPE_DEPTH } from '../../../host/abi/types.js';
import { Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { PLACEMENTS } from '../../helpers/placements.js';
import { componentText } from './support.js';

const LEVELS = MAX_VALUE_TYPE_DEPTH - 1; // containers around the u8: a type 100 deep

function chain(prefix: string, wrap: (inner: string) => string): string {
  return Array.from(
    { length: LEVELS },
    (_, i) => `(type $${prefix}${i} ${wrap(i === 0 ? 'u8' : `$${prefix}${i - 1}`)})`,
  ).join('\n  ');
}

const last = LEVELS - 1;
/** Lists: at 4096 + 8k a (pointer, length 1) to the next pair; the innermost list's byte is 7. */
const LIST_DATA = Array.from({ length: LEVELS }, (_, k) => {
  const next = k === LEVELS - 1 ? 8192 : 4096 + 8 * (k + 1);
  const le = (n: number) =>
    [0, 8, 16, 24].map((s) => `\\${((n >> s) & 0xff).toString(16).padStart(2, '0')}`).join('');
  return le(next) + le(1);
}).join('');

const COMPONENT = `(component
  (core module $m
    (memory (export "memory") 1)
    (data (i32.const 1024) "${'\\01'.repeat(LEVELS)}\\07")
    (data (i32.const 2048) "\\00\\10\\00\\00\\01\\00\\00\\00")
    (data (i32.const 4096) "${LIST_DATA}")
    (data (i32.const 8192) "\\07")
    (func (export "zero") (result i32) (i32.const 0))
    (func (export "options") (result i32) (i32.const 1024))
    (func (export "zeros") (result i32) (i32.const 512))
    (func (export "lists") (result i32) (i32.const 2048))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  ${chain('t', (x) => `(tuple ${x})`)}
  ${Array.from(
    { length: LEVELS },
    // Each record exported (external visibility: a function's record types have names).
    (_, i) =>
      `(type $rd${i} (record (field "a" ${i === 0 ? 'u8' : `$r${i - 1}`})))\n  (export $r${i} "r${i}" (type $rd${i}))`,
  ).join('\n  ')}
  ${chain('o', (x) => `(option ${x})`)}
  ${chain('e', (x) => `(result ${x} (error u8))`)}
  ${chain('l', (x) => `(list ${x})`)}
  (func (export "tuples") (result $t${last}) (canon lift (core func $i "zero")))
  (func (export "records") (result $r${last}) (canon lift (core func $i "zero")))
  (func (export "options") (result $o${last}) (canon lift (core func $i "options") (memory $mem)))
  (func (export "results") (result $e${last}) (canon lift (core func $i "zeros") (memory $mem)))
  (func (export "lists") (result $l${last}) (canon lift (core func $i "lists") (memory $mem) (realloc $realloc))))`;

/** How many containers wrap the innermost number, following `step`. */
function depth(value: unknown, step: (v: unknown) => unknown): number {
  let n = 0;
  let v = value;
  while (typeof v === 'object' && v !== null) {
    v = step(v);
    n++;
  }
  expect(typeof v).toBe('number');
  return n;
}

const first = (v: unknown) => (v as unknown[])[0];
const field = (v: unknown) => (v as { a: unknown }).a;
const payload = (v: unknown) => (v as { val: unknown }).val;

describe.each(PLACEMENTS)('deep results (%s)', (placement) => {
  it(`a result nested ${MAX_VALUE_TYPE_DEPTH} levels deep reaches the caller`, async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), placement });
    try {
      const module = await kernel.load(await componentText(COMPONENT));
      const sandbox = await kernel.spawn(module);
      const before = process.memoryUsage().heapUsed;
      expect(depth((await sandbox.invoke('tuples')).value, first)).toBe(LEVELS);
      expect(depth((await sandbox.invoke('records')).value, field)).toBe(LEVELS);
      // A function's own result is unwrapped (`ok` is the value, `err` is thrown).
      expect(depth((await sandbox.invoke('results')).value, payload)).toBe(LEVELS - 1);
      expect(depth((await sandbox.invoke('lists')).value, first)).toBe(LEVELS);
      // option<option<T>> is `{ tag, val }` around a plain `T | null`: 99 levels, 49 objects.
      expect(depth((await sandbox.invoke('options')).value, payload)).toBe((LEVELS - 1) / 2);
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await kernel.close();
    }
  }, 60_000);
});
