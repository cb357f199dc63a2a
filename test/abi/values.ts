/**
 * WIT values as the ABI harness holds them, independent of any engine's JavaScript rendering:
 *
 * - bool: boolean; u8..u32, s8..s32: number; u64, s64: bigint; f32, f64: number (NaN and -0 kept);
 * - char: a one-code-point string; string: string;
 * - list, tuple: arrays; record: an object keyed by WIT field names;
 * - variant, option, result: `{ tag, val? }` (`val` present exactly when the case has a payload;
 *   option's tags are `none`/`some`, result's `ok`/`err`); enum: the case name;
 * - flags: the names of the flags set, in declaration order;
 * - own, borrow: `{ handle: n }`, the n-th resource of that type the instance has shown the
 *   harness (numbered in order of appearance, per resource type), the same across engines.
 *
 * Edge values, seeded random values, equality (NaN equals NaN, -0 differs from 0) and printing.
 */
import type { Rng } from '../fuzz/rng.js';
import type { WitType } from './wit.js';

export type Value =
  | boolean
  | number
  | bigint
  | string
  | Value[]
  | { tag: string; val?: Value }
  | HandleValue
  | { readonly [field: string]: Value };

/** A resource, by its number among the resources of its type the instance has shown. */
export interface HandleValue {
  handle: number;
}

export interface Tagged {
  tag: string;
  val?: Value;
}

const INT_RANGES = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffff_ffff],
  s8: [-0x80, 0x7f],
  s16: [-0x8000, 0x7fff],
  s32: [-0x8000_0000, 0x7fff_ffff],
} as const;

const BIG_RANGES = {
  u64: [0n, 2n ** 64n - 1n],
  s64: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

const F32_MAX = 3.4028234663852886e38;
const F32_MIN_SUBNORMAL = 1.401298464324817e-45;

/** Chars at the edges of each encoding and around the surrogate gap. */
export const EDGE_CHARS = [
  '\0',
  'a',
  '\x7f',
  '\x80',
  'ÿ',
  'Ā',
  '\u{7ff}',
  '\u{800}',
  '\u{d7ff}',
  '\u{e000}',
  '\u{fffd}',
  '\u{ffff}',
  '\u{10000}',
  '🚀',
  '\u{10ffff}',
];

/** Strings at the edges: empty, each UTF-8 length, Latin-1 only (the compact encoding), astral, long. */
export const EDGE_STRINGS = [
  '',
  'a',
  'hello, world',
  'nul\0inside',
  'café ÿ',
  '\x80\xff',
  '€uro',
  'Ā',
  'a🚀b',
  '🚀',
  '\u{10ffff}\u{fffd}\u{e000}\u{d7ff}',
  'é'.repeat(300),
  'x'.repeat(4097),
  '日本語のテキスト',
];

function intEdges(lo: number, hi: number): number[] {
  return [...new Set([0, 1, lo, hi, lo + 1, hi - 1, Math.trunc(hi / 2), lo < 0 ? -1 : 2])];
}

/** Values at the edges of a type's domain (each case of a variant, empty and long lists, ...). */
export function edgeValues(type: WitType, limit = 12): Value[] {
  const all = edges(type, limit);
  return all.slice(0, limit);
}

function edges(type: WitType, limit: number): Value[] {
  switch (type.kind) {
    case 'bool':
      return [false, true];
    case 'u8':
    case 'u16':
    case 'u32':
    case 's8':
    case 's16':
    case 's32': {
      const [lo, hi] = INT_RANGES[type.kind];
      return intEdges(lo, hi);
    }
    case 'u64':
    case 's64': {
      const [lo, hi] = BIG_RANGES[type.kind];
      const e = [0n, 1n, lo, hi, hi - 1n, 2n ** 53n + 1n, 2n ** 32n];
      if (lo < 0n) e.push(-1n, lo + 1n, -(2n ** 53n) - 1n);
      return [...new Set(e)];
    }
    case 'f32':
      return [
        0,
        -0,
        1.5,
        -2.5,
        Number.NaN,
        Infinity,
        -Infinity,
        F32_MAX,
        -F32_MAX,
        F32_MIN_SUBNORMAL,
        Math.fround(0.1),
      ];
    case 'f64':
      return [
        0,
        -0,
        0.1,
        -1e300,
        Number.NaN,
        Infinity,
        -Infinity,
        Number.MAX_VALUE,
        Number.MIN_VALUE,
        2 ** 53 + 2,
      ];
    case 'char':
      return EDGE_CHARS;
    case 'string':
      return EDGE_STRINGS;
    case 'list': {
      const inner = edges(type.of, limit);
      return [
        [],
        [inner[0]!],
        inner,
        inner.slice().reverse(),
        Array.from({ length: 70 }, (_, i) => inner[i % inner.length]!),
      ];
    }
    case 'tuple':
      return rows(
        type.of.map((f) => edges(f, limit)),
        limit,
      );
    case 'record': {
      return rows(
        type.fields.map((f) => edges(f.type, limit)),
        limit,
      ).map((row) => Object.fromEntries(type.fields.map((f, i) => [f.name, row[i]!])));
    }
    case 'variant': {
      const out: Value[] = [];
      // Every case once (the first and the last first: discriminant edges), then payload edges.
      const order = [...type.cases.keys()];
      order.sort((a, b) => rank(a, type.cases.length) - rank(b, type.cases.length));
      for (const i of order) {
        const c = type.cases[i]!;
        if (!c.type) out.push({ tag: c.name });
        else for (const payload of edges(c.type, limit).slice(0, 2)) out.push({ tag: c.name, val: payload });
      }
      return out;
    }
    case 'enum': {
      const n = type.cases.length;
      return [...new Set([0, n - 1, 1, n - 2, 255, 256, Math.floor(n / 2)])]
        .filter((i) => i >= 0 && i < n)
        .map((i) => type.cases[i]!);
    }
    case 'option': {
      const inner = edges(type.of, limit);
      return [{ tag: 'none' }, ...inner.map((val) => ({ tag: 'some', val }))];
    }
    case 'result': {
      const ok = type.ok ? edges(type.ok, limit).map((val) => ({ tag: 'ok', val })) : [{ tag: 'ok' }];
      const err = type.err ? edges(type.err, limit).map((val) => ({ tag: 'err', val })) : [{ tag: 'err' }];
      return interleave(ok, err);
    }
    case 'flags': {
      const f = type.flags;
      const sets: string[][] = [[], [...f], f.slice(0, 1), f.slice(-1), f.filter((_, i) => i % 2 === 0)];
      if (f.length > 32) sets.push([f[31]!, f[32]!]);
      return uniqueBy(sets, (s) => s.join(','));
    }
    case 'own':
    case 'borrow':
      throw new Error('resources have no edge values: vectors name them ({ handle: n })');
  }
}

/** Orders cases so that the first, the last and the 256th come first. */
function rank(i: number, n: number): number {
  if (i === 0) return 0;
  if (i === n - 1) return 1;
  if (i === 255 || i === 256) return 2;
  return 3 + i;
}

/** Rows that take each column's edges in turn, until every column's edges were used once. */
function rows(columns: Value[][], limit: number): Value[][] {
  const n = Math.min(limit, Math.max(1, ...columns.map((c) => c.length)));
  return Array.from({ length: n }, (_, i) => columns.map((c) => c[i % c.length]!));
}

function interleave<T>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < b.length) out.push(b[i]!);
  }
  return out;
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Code points by the encodings they stress: ASCII, Latin-1, other BMP, astral. */
const CODE_POINT_RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0x80, 0xff],
  [0x100, 0x7ff],
  [0x800, 0xd7ff],
  [0xe000, 0xffff],
  [0x10000, 0x10ffff],
];

export function randomChar(rng: Rng): string {
  const [lo, hi] = rng.weighted(CODE_POINT_RANGES.map((r, i) => [i === 0 ? 6 : 1, r] as const));
  return String.fromCodePoint(rng.range(lo, hi));
}

export function randomString(rng: Rng, maxLength: number): string {
  const length = rng.chance(0.1) ? 0 : rng.range(0, maxLength);
  // Mostly Latin-1 strings sometimes, so that latin1+utf16 takes both of its paths.
  const latin1 = rng.chance(0.3);
  let s = '';
  for (let i = 0; i < length; i++) s += latin1 ? String.fromCharCode(rng.int(256)) : randomChar(rng);
  return s;
}

function randomFloat(rng: Rng, bits: 32 | 64): number {
  const pick = rng.int(10);
  if (pick === 0) return rng.pick(edges({ kind: bits === 32 ? 'f32' : 'f64' }, 20) as number[]);
  const buffer = new DataView(new ArrayBuffer(8));
  if (bits === 32) {
    buffer.setUint32(0, rng.u32());
    return buffer.getFloat32(0);
  }
  buffer.setBigUint64(0, rng.u64());
  return buffer.getFloat64(0);
}

/** Keeps random values small: each value spends from a shared budget of elements. */
export interface ValueBudget {
  left: number;
}

/** A random value of a type, reproducible from the generator's seed. */
export function randomValue(type: WitType, rng: Rng, budget: ValueBudget = { left: 200 }): Value {
  budget.left--;
  switch (type.kind) {
    case 'bool':
      return rng.chance(0.5);
    case 'u8':
    case 'u16':
    case 'u32':
    case 's8':
    case 's16':
    case 's32': {
      const [lo, hi] = INT_RANGES[type.kind];
      if (rng.chance(0.2)) return rng.pick(intEdges(lo, hi));
      return lo + (rng.u32() % (hi - lo + 1));
    }
    case 'u64':
      return rng.chance(0.2) ? rng.pick(edges(type, 20) as bigint[]) : rng.u64();
    case 's64':
      return rng.chance(0.2) ? rng.pick(edges(type, 20) as bigint[]) : BigInt.asIntN(64, rng.u64());
    case 'f32':
      return randomFloat(rng, 32);
    case 'f64':
      return randomFloat(rng, 64);
    case 'char':
      return randomChar(rng);
    case 'string':
      return randomString(rng, budget.left > 0 ? 40 : 2);
    case 'list': {
      const n = budget.left <= 0 ? 0 : rng.chance(0.15) ? 0 : rng.range(0, Math.min(16, budget.left));
      return Array.from({ length: n }, () => randomValue(type.of, rng, budget));
    }
    case 'tuple':
      return type.of.map((f) => randomValue(f, rng, budget));
    case 'record':
      return Object.fromEntries(type.fields.map((f) => [f.name, randomValue(f.type, rng, budget)]));
    case 'variant': {
      const c = rng.pick(type.cases);
      return c.type ? { tag: c.name, val: randomValue(c.type, rng, budget) } : { tag: c.name };
    }
    case 'enum':
      return rng.pick(type.cases);
    case 'option':
      return rng.chance(0.3) ? { tag: 'none' } : { tag: 'some', val: randomValue(type.of, rng, budget) };
    case 'result': {
      const ok = rng.chance(0.5);
      const payload = ok ? type.ok : type.err;
      const tag = ok ? 'ok' : 'err';
      return payload ? { tag, val: randomValue(payload, rng, budget) } : { tag };
    }
    case 'flags':
      return type.flags.filter(() => rng.chance(0.5));
    case 'own':
    case 'borrow':
      throw new Error('resources have no random values: vectors name them ({ handle: n })');
  }
}

/**
 * What a value becomes when it crosses the boundary as this type: f32 rounds to single precision
 * (a JavaScript number is a double). Everything else crosses unchanged.
 */
export function crossed(type: WitType, value: Value): Value {
  switch (type.kind) {
    case 'f32':
      return Math.fround(value as number);
    case 'list':
      return (value as Value[]).map((v) => crossed(type.of, v));
    case 'tuple':
      return (value as Value[]).map((v, i) => crossed(type.of[i]!, v));
    case 'record': {
      const record = value as Record<string, Value>;
      return Object.fromEntries(type.fields.map((f) => [f.name, crossed(f.type, record[f.name]!)]));
    }
    case 'variant':
    case 'option':
    case 'result': {
      const v = value as Tagged;
      const payload = payloadType(type, v.tag);
      return payload && v.val !== undefined ? { tag: v.tag, val: crossed(payload, v.val) } : v;
    }
    default:
      return value;
  }
}

/** The payload type of a case of a variant, option or result (undefined when it has none). */
export function payloadType(type: WitType, tag: string): WitType | undefined {
  switch (type.kind) {
    case 'variant': {
      const c = type.cases.find((x) => x.name === tag);
      if (!c) throw new Error(`variant ${type.name} has no case ${tag}`);
      return c.type;
    }
    case 'option':
      return tag === 'some' ? type.of : undefined;
    case 'result':
      return tag === 'ok' ? type.ok : type.err;
    default:
      throw new Error(`${type.kind} has no cases`);
  }
}

/** Where two values of a type differ (a path and both sides), or undefined when they are equal. */
export function difference(type: WitType, a: unknown, b: unknown, path = '$'): string | undefined {
  const differ = () => `${path}: ${show(a)} ≠ ${show(b)}`;
  switch (type.kind) {
    case 'f32':
    case 'f64':
      return typeof a === 'number' && typeof b === 'number' && Object.is(a, b) ? undefined : differ();
    case 'list':
    case 'tuple': {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return differ();
      for (let i = 0; i < a.length; i++) {
        const element = type.kind === 'list' ? type.of : type.of[i]!;
        const d = difference(element, a[i], b[i], `${path}[${i}]`);
        if (d) return d;
      }
      return undefined;
    }
    case 'record': {
      if (!isObject(a) || !isObject(b)) return differ();
      const keys = type.fields.map((f) => f.name).join(',');
      if (Object.keys(a).join(',') !== keys || Object.keys(b).join(',') !== keys) return differ();
      for (const f of type.fields) {
        const d = difference(f.type, a[f.name], b[f.name], `${path}.${f.name}`);
        if (d) return d;
      }
      return undefined;
    }
    case 'variant':
    case 'option':
    case 'result': {
      if (!isObject(a) || !isObject(b) || a.tag !== b.tag) return differ();
      const payload = payloadType(type, a.tag as string);
      if (!payload) return 'val' in a || 'val' in b ? differ() : undefined;
      return difference(payload, a.val, b.val, `${path}<${a.tag as string}>`);
    }
    case 'flags':
      return Array.isArray(a) && Array.isArray(b) && a.join(',') === b.join(',') ? undefined : differ();
    case 'own':
    case 'borrow':
      return isObject(a) && isObject(b) && a.handle === b.handle ? undefined : differ();
    default:
      return typeof a === typeof b && a === b ? undefined : differ();
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A readable, exact rendering: `5n`, `-0`, `NaN`, strings JSON-quoted, long lists shortened. */
export function show(value: unknown, depth = 0): string {
  if (depth > 8) return '…';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const shown = items.slice(0, 16).map((v) => show(v, depth + 1));
    if (items.length > 16) shown.push(`… ${items.length} in all`);
    return `[${shown.join(', ')}]`;
  }
  if (typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${show(v, depth + 1)}`)
      .join(', ')} }`;
  }
  return String(value);
}
