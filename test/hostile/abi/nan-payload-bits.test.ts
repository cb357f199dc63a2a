/**
 * Attack: a guest hands the host a float whose NaN carries payload bits (a signalling NaN, a
 * NaN with a sign, a chosen mantissa). The canonical ABI canonicalizes every NaN it lifts
 * (CanonicalABI.md, `canonicalize_nan32/64`), so no bits cross that way; V8 keeps a NaN's bits
 * in a number, where a `Float64Array` or `DataView` shows them. Before the fix the typed fast
 * path, the generic path (flat, in memory, in a variant's joined i64) and an import's float
 * parameter all handed the payload over; lists of floats were already canonical.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel, type Sandbox } from '../../../host/index.js';
import { hostileComponent, REALLOC } from './support.js';

const CANONICAL64 = '7ff8000000000000';
const CANONICAL32 = '7fc00000';

function bits64(x: unknown): string {
  expect(typeof x).toBe('number');
  return new BigUint64Array(new Float64Array([x as number]).buffer)[0]!.toString(16);
}
function bits32(x: unknown): string {
  expect(typeof x).toBe('number');
  return new Uint32Array(new Float32Array([x as number]).buffer)[0]!.toString(16);
}

const seen: number[] = [];
const SINK: CapabilityProvider = {
  name: 'sink',
  interfaces: ['keel:hostile/sink'],
  link: () => ({ take: (x: number) => void seen.push(x) }),
};

let kernel: Kernel;
let sandbox: Sandbox;

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false, providers: [SINK] });
  const component = await hostileComponent(
    `(import "keel:hostile/sink" "take" (func $take (param f64)))
    (func (export "d") (result f64) (f64.reinterpret_i64 (i64.const 0x7ff4000000000001)))
    (func (export "s") (result f32) (f32.reinterpret_i32 (i32.const 0x7fa00001)))
    (func (export "neg") (param i32) (result f64) (f64.reinterpret_i64 (i64.const 0xfff8000000000123)))
    (func (export "rec") (result i32)
      (i64.store (i32.const 16) (i64.const 0xfff8000000000123)) (i32.store (i32.const 24) (i32.const 7)) (i32.const 16))
    (func (export "opt") (result i32)
      (i32.store (i32.const 32) (i32.const 1)) (i64.store (i32.const 40) (i64.const 0x7ff00000deadbeef)) (i32.const 32))
    (func (export "var") (param i32 i32 i64) (result i32)
      (i32.store (i32.const 48) (i32.const 1)) (i32.store (i32.const 52) (i32.const 0x7f80beef)) (i32.const 48))
    (func (export "give") (call $take (f64.reinterpret_i64 (i64.const 0x7ff0000000000bad))))
    ${REALLOC}`,
    `interface sink { take: func(x: f64); }
    world w {
      import sink;
      record r { a: f64, b: u32 }
      variant v { i(u32), f(f32) }
      export d: func() -> f64;
      export s: func() -> f32;
      export neg: func(x: u8) -> f64;
      export rec: func() -> r;
      export opt: func() -> option<f64>;
      export var: func(x: v, y: u64) -> v;
      export give: func();
    }`,
  );
  sandbox = await kernel.spawn(await kernel.load(component), { grants: ['keel:hostile/sink'] });
});
afterAll(() => kernel.close());

it('a NaN with payload bits from the typed fast path is canonical', () => {
  expect(bits64(sandbox.fn('d')())).toBe(CANONICAL64);
  expect(bits32(sandbox.fn('s')())).toBe(CANONICAL32);
  expect(bits64(sandbox.fn('s')())).toBe(CANONICAL64);
  expect(bits64(sandbox.fn('neg')(1))).toBe(CANONICAL64);
});

it('a NaN with payload bits in a record, an option and a variant is canonical', () => {
  const r = sandbox.fn('rec')() as { a: number; b: number };
  expect(r.b).toBe(7);
  expect(bits64(r.a)).toBe(CANONICAL64);
  expect(bits64(sandbox.fn('opt')())).toBe(CANONICAL64);
  const v = sandbox.fn('var')({ tag: 'i', val: 1 }, 2n) as { tag: string; val: number };
  expect(v.tag).toBe('f');
  expect(bits32(v.val)).toBe(CANONICAL32);
});

it('a NaN with payload bits passed to a host function is canonical', () => {
  seen.length = 0;
  sandbox.fn('give')();
  expect(seen).toHaveLength(1);
  expect(bits64(seen[0])).toBe(CANONICAL64);
});
