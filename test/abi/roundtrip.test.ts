/**
 * Property tests: for random value types and random values of them, lowering then lifting
 * gives the value back — through linear memory (store, load) and through flat core values
 * (lowerFlat, liftFlat) — in every string encoding. The guest side is simulated: a real
 * WebAssembly.Memory and a bump allocator as its realloc.
 */
import { describe, expect, it } from 'vitest';
import type { StringEncoding } from '../../host/abi/ast.js';
import { codecOf, isTaggedOption } from '../../host/abi/codec.js';
import { camelCase } from '../../host/abi/js-names.js';
import { fromJsonOf } from '../../host/abi/json.js';
import { MAX_KEPT_FLAT } from '../../host/abi/layout.js';
import { type PrimName, prim, type ValType } from '../../host/abi/types.js';
import { toJsonValue } from '../../host/kernel/values.js';
import { Rng } from '../fuzz/rng.js';
import { testCx } from '../helpers/cx.js';

const PRIMS: PrimName[] = [
  'bool',
  's8',
  'u8',
  's16',
  'u16',
  's32',
  'u32',
  's64',
  'u64',
  'f32',
  'f64',
  'char',
  'string',
];

function labels(rng: Rng, n: number): string[] {
  const names = new Set<string>();
  while (names.size < n) names.add(`${rng.pick(['a', 'bb', 'c-d', 'e-fg', 'h'])}${names.size}`);
  return [...names];
}

function randomType(rng: Rng, depth: number): ValType {
  if (depth <= 0 || rng.chance(0.35)) return prim(rng.pick(PRIMS));
  switch (rng.int(8)) {
    case 0:
      return { kind: 'list', element: randomType(rng, depth - 1) };
    case 1: {
      const names = labels(rng, rng.range(1, 4));
      return { kind: 'record', fields: names.map((name) => ({ name, type: randomType(rng, depth - 1) })) };
    }
    case 2:
      return {
        kind: 'tuple',
        types: Array.from({ length: rng.range(1, 4) }, () => randomType(rng, depth - 1)),
      };
    case 3: {
      const names = labels(rng, rng.range(1, 5));
      return {
        kind: 'variant',
        cases: names.map((name) => ({
          name,
          type: rng.chance(0.7) ? randomType(rng, depth - 1) : undefined,
        })),
      };
    }
    case 4:
      return { kind: 'enum', names: labels(rng, rng.range(1, 300)) };
    case 5:
      return { kind: 'option', type: randomType(rng, depth - 1) };
    case 6:
      return {
        kind: 'result',
        ok: rng.chance(0.7) ? randomType(rng, depth - 1) : undefined,
        err: rng.chance(0.7) ? randomType(rng, depth - 1) : undefined,
      };
    default:
      return { kind: 'flags', names: labels(rng, rng.range(1, 32)) };
  }
}

const TYPED: Record<string, new (n: number) => unknown> = {
  u8: Uint8Array,
  s8: Int8Array,
  u16: Uint16Array,
  s16: Int16Array,
  u32: Uint32Array,
  s32: Int32Array,
  u64: BigUint64Array,
  s64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
};

function randomString(rng: Rng): string {
  const n = rng.int(12);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += rng.pick(['a', 'Z', ' ', 'é', 'ÿ', '€', '😀', '\u0000', 'ß', '中']);
  }
  return s;
}

function randomValue(rng: Rng, t: ValType): unknown {
  switch (t.kind) {
    case 'bool':
      return rng.chance(0.5);
    case 'u8':
      return rng.int(256);
    case 's8':
      return rng.range(-128, 127);
    case 'u16':
      return rng.int(65536);
    case 's16':
      return rng.range(-32768, 32767);
    case 'u32':
      return rng.u32();
    case 's32':
      return rng.u32() | 0;
    case 'u64':
      return (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
    case 's64':
      return BigInt.asIntN(64, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
    case 'f32':
      return rng.chance(0.1) ? Number.NaN : Math.fround((rng.u32() - 2 ** 31) / 1000);
    case 'f64':
      return rng.chance(0.1) ? Number.POSITIVE_INFINITY : (rng.u32() - 2 ** 31) / 7;
    case 'char':
      return rng.pick(['a', 'é', '😀', '\u{10ffff}', '\u0000']);
    case 'string':
      return randomString(rng);
    case 'list': {
      const n = rng.int(5);
      const items = Array.from({ length: n }, () => randomValue(rng, t.element));
      const ctor = TYPED[t.element.kind];
      if (!ctor) return items;
      const typed = new ctor(n) as unknown[];
      items.forEach((v, i) => {
        typed[i] = v;
      });
      return typed;
    }
    case 'record':
      return Object.fromEntries(t.fields.map((f) => [camelCase(f.name), randomValue(rng, f.type)]));
    case 'tuple':
      return t.types.map((e) => randomValue(rng, e));
    case 'variant': {
      const c = rng.pick(t.cases);
      return c.type ? { tag: c.name, val: randomValue(rng, c.type) } : { tag: c.name };
    }
    case 'enum':
      return rng.pick(t.names);
    case 'option':
      if (isTaggedOption(t)) {
        return rng.chance(0.3) ? { tag: 'none' } : { tag: 'some', val: randomValue(rng, t.type) };
      }
      return rng.chance(0.3) ? undefined : randomValue(rng, t.type);
    case 'result': {
      const ok = rng.chance(0.5);
      const payload = ok ? t.ok : t.err;
      return { tag: ok ? 'ok' : 'err', val: payload ? randomValue(rng, payload) : undefined };
    }
    case 'flags':
      return Object.fromEntries(t.names.map((n) => [camelCase(n), rng.chance(0.5)]));
    default:
      throw new Error(`no values of ${t.kind}`);
  }
}

/** A simulated guest: a memory and a bump allocator as realloc. */
function guest(encoding: StringEncoding) {
  return testCx({ encoding, callBytes: 1 << 30 });
}

describe('lift(lower(v)) = v for random types and values', () => {
  for (const encoding of ['utf8', 'utf16', 'latin1+utf16'] as const) {
    it(`through memory and flat values, ${encoding}`, () => {
      const rng = new Rng(encoding.length * 7919);
      let checked = 0;
      let flatChecked = 0;
      for (let round = 0; round < 150; round++) {
        const type = randomType(rng, 3);
        const codec = codecOf(type);
        const cx = guest(encoding);
        for (let k = 0; k < 5; k++) {
          const value = randomValue(rng, type);
          const ptr = cx.alloc(codec.align, codec.size);
          codec.store(cx, value, ptr);
          cx.opts.mem.refresh();
          expect(
            codec.load(cx, ptr),
            `${JSON.stringify(toJsonValue(value))} as ${JSON.stringify(type)}`,
          ).toEqual(value);
          // Flat values: what the ABI passes flat (at most MAX_KEPT_FLAT; longer goes in memory,
          // and a layout keeps no longer list).
          if (codec.flatCount <= MAX_KEPT_FLAT) {
            const flat: unknown[] = [];
            codec.lowerFlat(cx, value, flat, 0);
            expect(flat).toHaveLength(codec.flatCount);
            expect(codec.flat).toHaveLength(codec.flatCount);
            cx.opts.mem.refresh();
            expect(codec.liftFlat(cx, flat, 0)).toEqual(value);
            flatChecked++;
          } else {
            expect(codec.flat).toHaveLength(0);
          }
          // JSON out and back in gives the same host value.
          const json = JSON.parse(JSON.stringify(toJsonValue(value)));
          expect(fromJsonOf(type)(json, () => undefined)).toEqual(value);
          checked++;
        }
      }
      expect(checked).toBe(750);
      expect(flatChecked).toBeGreaterThan(700);
    });
  }
});

describe('lowering refuses values that do not fit', () => {
  const cx = guest('utf8');
  const lower = (t: ValType, v: unknown) => () => codecOf(t).lowerFlat(cx, v, [], 0);
  it('integers out of range, of the wrong kind, or not integers', () => {
    expect(lower(prim('u8'), 300)).toThrow(/300 is not a u8/);
    expect(lower(prim('s8'), -129)).toThrow(/is not a s8/);
    expect(lower(prim('u32'), -1)).toThrow(/is not a u32/);
    expect(lower(prim('u32'), 1.5)).toThrow(/is not a u32/);
    expect(lower(prim('u64'), 1)).toThrow(/expected a BigInt/);
    expect(lower(prim('s64'), 1n << 63n)).toThrow(/is not a s64/);
    expect(lower(prim('u32'), 1n)).toThrow(/expected a number/);
  });
  it('chars, strings, enums, variants, records', () => {
    expect(lower(prim('char'), 'ab')).toThrow(/one character/);
    expect(lower(prim('char'), '\ud800')).toThrow(/surrogate/);
    expect(lower(prim('string'), 7)).toThrow(/expected a string, got 7/);
    expect(lower({ kind: 'enum', names: ['red', 'green'] }, 'blue')).toThrow(
      /"blue" is not one of the cases/,
    );
    expect(lower({ kind: 'variant', cases: [{ name: 'a', type: undefined }] }, { tag: 'b' })).toThrow(
      /unknown variant case/,
    );
    const point: ValType = { kind: 'record', fields: [{ name: 'x-pos', type: prim('u8') }] };
    expect(lower(point, { xPos: 256 })).toThrow(/field x-pos: 256 is not a u8/);
    expect(lower(point, {})).toThrow(/field x-pos: expected a number/);
  });
});
