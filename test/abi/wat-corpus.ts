/**
 * The hand-written part of the corpus: component WAT under guests/wat/components/, built at
 * test time with wasm-tools' `parse`, each export's expected values written from
 * CanonicalABI.md (the bytes the core module laid out, the flat values it was given).
 */
import { readFileSync } from 'node:fs';
import { parse } from '../../scripts/lib/wasm-tools.js';
import type { CorpusEntry, Vector } from './harness.js';
import type { Value } from './values.js';
import { type FuncType, names, t, type WitType } from './wit.js';

/** Parse a component WAT file of the repository (`guests/wat/components/...`). */
export async function componentWat(path: string): Promise<Uint8Array> {
  return parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
}

const fn = (result: WitType, params: Record<string, WitType> = {}): FuncType => ({
  params: Object.entries(params).map(([name, type]) => ({ name, type })),
  result,
});

/** A vector expecting a value (and no host call). */
const returns = (name: string, args: Value[], value: Value, note?: string): Vector => ({
  export: name,
  args,
  expect: { value, hostCalls: [] },
  ...(note ? { note } : {}),
});

const record = t.record('record', { a: t.u8, b: t.u64, c: t.u16, d: t.char });
const wideEnum = t.enum('wide-enum', names('e', 257));
const flags17 = t.flags('flags17', names('flag', 17));
const joined = t.variant('joined', { a: t.f32, b: t.u64, c: t.u8, d: null });
const bytes = t.list(t.u8);

/** layout.wat: memory layout and flat values, utf8. */
export async function layoutEntry(): Promise<CorpusEntry> {
  return {
    name: 'layout.wat',
    bytes: await componentWat('guests/wat/components/layout.wat'),
    exports: {
      'get-record': fn(record),
      'get-some-none': fn(t.option(t.option(t.u8))),
      'get-some-some': fn(t.option(t.option(t.u8))),
      'get-wide-enum': fn(t.record('with-enum', { x: t.u8, e: wideEnum, y: t.u8 })),
      'get-flags': fn(t.record('with-flags', { f: flags17, z: t.u8 })),
      'get-strings': fn(t.list(t.string)),
      'get-error': fn(t.result(t.u32, t.string)),
      'get-tuple': fn(t.tuple(t.u8, t.f64, t.s16)),
      'get-s64s': fn(t.list(t.s64)),
      'get-f32s': fn(t.list(t.f32)),
      'nan-payload': fn(t.f32),
      'negative-zero': fn(t.f64),
      'bool-two': fn(t.bool),
      'u8-wide': fn(t.u8),
      's8-wide': fn(t.s8),
      'u16-wide': fn(t.u16),
      's16-wide': fn(t.s16),
      'char-max': fn(t.char),
      'joined-raw': fn(t.tuple(t.u32, t.u64), { v: joined }),
      'option-string-raw': fn(t.tuple(t.u32, t.u32), { o: t.option(t.string) }),
      's8-raw': fn(t.u32, { x: t.s8 }),
      's16-raw': fn(t.u32, { x: t.s16 }),
      'bool-raw': fn(t.u32, { x: t.bool }),
      'char-raw': fn(t.u32, { x: t.char }),
      'enum-raw': fn(t.u32, { x: wideEnum }),
      'f32-raw': fn(t.u32, { x: t.f32 }),
      'flags-raw': fn(t.u32, { x: flags17 }),
      'string-units': fn(t.u32, { s: t.string }),
      'u16s-bytes': fn(bytes, { l: t.list(t.u16) }),
      'records-bytes': fn(bytes, { l: t.list(record) }),
      'seventeen-bytes': fn(bytes, Object.fromEntries(names('p', 17).map((p) => [p, t.u8]))),
    },
    vectors: [
      returns('get-record', [], { a: 254, b: 0x0102030405060708n, c: 0xbeef, d: '🚀' }),
      returns('get-some-none', [], { tag: 'some', val: { tag: 'none' } }),
      returns('get-some-some', [], { tag: 'some', val: { tag: 'some', val: 42 } }),
      returns('get-wide-enum', [], { x: 1, e: 'e256', y: 2 }, 'a u16 discriminant'),
      returns('get-flags', [], { f: ['flag0', 'flag16'], z: 7 }, 'seventeen flags are a u32'),
      returns('get-strings', [], ['hello', '', '🚀']),
      returns('get-error', [], { tag: 'err', val: 'bad' }),
      returns('get-tuple', [], [9, 1.5, -2]),
      returns('get-s64s', [], [-1n, -(2n ** 63n)]),
      returns('get-f32s', [], [Number.NaN, -0, 1.5], 'a NaN payload is canonicalized, -0 kept'),
      returns('nan-payload', [], Number.NaN),
      returns('negative-zero', [], -0),
      returns('bool-two', [], true, 'any non-zero i32 lifts as true'),
      returns('u8-wide', [], 255, 'high bits are ignored'),
      returns('s8-wide', [], -1, 'high bits are ignored'),
      returns('u16-wide', [], 0x2345, 'high bits are ignored'),
      returns('s16-wide', [], -32768, 'high bits are ignored'),
      returns('char-max', [], '\u{10ffff}'),
      // A variant's payloads join into one i64 here: an f32 goes as its bits, zero-extended;
      // a case without payload leaves it 0.
      returns('joined-raw', [{ tag: 'a', val: 1.5 }], [0, 0x3fc00000n]),
      returns('joined-raw', [{ tag: 'a', val: -0 }], [0, 0x80000000n]),
      returns('joined-raw', [{ tag: 'b', val: 2n ** 64n - 1n }], [1, 2n ** 64n - 1n]),
      returns('joined-raw', [{ tag: 'c', val: 200 }], [2, 200n]),
      returns('joined-raw', [{ tag: 'd' }], [3, 0n]),
      returns('option-string-raw', [{ tag: 'none' }], [0, 0]),
      returns('option-string-raw', [{ tag: 'some', val: 'héllo' }], [1, 6]),
      returns('s8-raw', [-1], 0xffffffff, 'sign-extended to 32 bits'),
      returns('s8-raw', [-128], 0xffffff80),
      returns('s8-raw', [127], 127),
      returns('s16-raw', [-32768], 0xffff8000),
      returns('bool-raw', [true], 1),
      returns('bool-raw', [false], 0),
      returns('char-raw', ['🚀'], 0x1f680),
      returns('char-raw', ['\0'], 0),
      returns('enum-raw', ['e256'], 256),
      returns('enum-raw', ['e0'], 0),
      returns('f32-raw', [1.5], 0x3fc00000),
      returns('f32-raw', [-0], 0x80000000),
      returns('f32-raw', [Number.NaN], 0x7fc00000, 'the canonical NaN'),
      returns('f32-raw', [Infinity], 0x7f800000),
      returns('f32-raw', [0.1], 0x3dcccccd, 'rounded to nearest'),
      returns('flags-raw', [['flag0', 'flag16']], 0x10001),
      returns('flags-raw', [[]], 0),
      returns('flags-raw', [names('flag', 17)], 0x1ffff),
      returns('string-units', ['aé🚀'], 7, 'UTF-8 bytes'),
      returns('string-units', [''], 0),
      returns('u16s-bytes', [[0x0102, 0xfffe]], [2, 1, 0xfe, 0xff], 'little-endian'),
      returns('u16s-bytes', [[]], []),
      returns(
        'records-bytes',
        [[{ a: 1, b: 2n, c: 3, d: 'A' }]],
        [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x41, 0, 0, 0],
        'fields at 0, 8, 16, 20 (padding untouched in fresh memory)',
      ),
      returns(
        'seventeen-bytes',
        Array.from({ length: 17 }, (_, i) => i + 1),
        Array.from({ length: 17 }, (_, i) => i + 1),
        'more than 16 flat parameters pass as a tuple in memory',
      ),
    ],
  };
}

/** layout-utf16.wat: the utf16 string encoding. */
export async function layoutUtf16Entry(): Promise<CorpusEntry> {
  return {
    name: 'layout-utf16.wat',
    bytes: await componentWat('guests/wat/components/layout-utf16.wat'),
    features: ['utf16'],
    exports: {
      'get-string': fn(t.string),
      'string-units': fn(t.u32, { s: t.string }),
      'string-misalignment': fn(t.u32, { s: t.string }),
    },
    vectors: [
      returns('get-string', [], 'hi🚀'),
      returns('string-units', ['aé🚀'], 4, 'UTF-16 code units'),
      returns('string-units', [''], 0),
      returns('string-misalignment', ['x'], 0, 'UTF-16 is 2-aligned'),
    ],
  };
}

/** layout-latin1.wat: the latin1+utf16 string encoding. */
export async function layoutLatin1Entry(): Promise<CorpusEntry> {
  return {
    name: 'layout-latin1.wat',
    bytes: await componentWat('guests/wat/components/layout-latin1.wat'),
    features: ['latin1+utf16'],
    exports: {
      'get-latin1': fn(t.string),
      'get-utf16': fn(t.string),
      'string-units': fn(t.u32, { s: t.string }),
    },
    vectors: [
      returns('get-latin1', [], 'café'),
      returns('get-utf16', [], '€'),
      returns('string-units', ['aé'], 2, 'Latin-1 when every char fits'),
      returns('string-units', ['a€'], 0x80000002, 'else UTF-16, tagged'),
      returns('string-units', [''], 0),
    ],
  };
}

/** nested.wat: nested and composed components, instances, aliases, a shared memory. */
export async function nestedEntry(): Promise<CorpusEntry> {
  const add = fn(t.u32, { a: t.u32, b: t.u32 });
  return {
    name: 'nested.wat',
    bytes: await componentWat('guests/wat/components/nested.wat'),
    exports: {
      add,
      'keel:corpus/numbers#add': add,
      'keel:corpus/numbers#twice': fn(t.u32, { x: t.u32 }),
      shout: fn(t.string, { s: t.string }),
    },
    vectors: [
      returns('add', [2, 3], 5),
      returns('add', [0xffffffff, 1], 0, 'u32 arithmetic wraps in the guest'),
      returns('keel:corpus/numbers#add', [40, 2], 42, 'the same function, through the exported instance'),
      returns('keel:corpus/numbers#twice', [21], 42, 'through the other child, which imports add'),
      returns('keel:corpus/numbers#twice', [0x80000000], 0),
      returns('shout', ['hello ça va'], 'HELLO çA VA', 'the helper module works on the main module’s memory'),
      returns('shout', [''], ''),
    ],
  };
}

export const WAT_ENTRIES = [
  { name: 'layout.wat', make: layoutEntry },
  { name: 'layout-utf16.wat', make: layoutUtf16Entry },
  { name: 'layout-latin1.wat', make: layoutLatin1Entry },
  { name: 'nested.wat', make: nestedEntry },
];
