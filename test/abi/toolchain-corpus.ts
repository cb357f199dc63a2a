/**
 * Components from other toolchains in the corpus, each export's expected values written from
 * its source's meaning: the AssemblyScript SDK (guests/as/types), C through wasi-libc with the
 * canonical ABI written by hand (guests/c/abi, its build recorded in abi.build.json), Rust
 * through Debian's rustc with the canonical ABI by hand (guests/rust/abi, the same; and
 * guests/rust/types, types the others lack and lists of resources), and
 * componentize-js (guests/js/bench, StarlingMonkey, which brings its own WASI imports).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Rng } from '../fuzz/rng.js';
import type { CorpusEntry, Vector } from './harness.js';
import { randomValue, type Value } from './values.js';
import { type FuncType, t, type WitType } from './wit.js';

const file = (path: string) => new Uint8Array(readFileSync(new URL(`../../${path}`, import.meta.url)));

const fn = (params: Record<string, WitType>, result?: WitType): FuncType => ({
  params: Object.entries(params).map(([name, type]) => ({ name, type })),
  ...(result ? { result } : {}),
});

const returns = (name: string, args: Value[], value?: Value, note?: string): Vector => ({
  export: name,
  args,
  expect: { ...(value === undefined ? {} : { value }), hostCalls: [] },
  ...(note ? { note } : {}),
});

/** guests/as/types: every type the AssemblyScript SDK binds. */
export function assemblyScriptEntry(): CorpusEntry {
  const u8 = fn({ a: t.u8, b: t.u8 }, t.u8);
  return {
    name: 'AssemblyScript guests/as/types',
    bytes: file('guests/as/types/types.wasm'),
    exports: {
      'keel:types/text#upper': fn({ s: t.string }, t.string),
      'keel:types/text#char-count': fn({ s: t.string }, t.u32),
      'numbers#add-u8': u8,
      'numbers#negate-s8': fn({ a: t.s8 }, t.s8),
      'numbers#add-u16': fn({ a: t.u16, b: t.u16 }, t.u16),
      'numbers#negate-s16': fn({ a: t.s16 }, t.s16),
      'numbers#add-u32': fn({ a: t.u32, b: t.u32 }, t.u32),
      'numbers#mul-s64': fn({ a: t.s64, b: t.s64 }, t.s64),
      'numbers#max-u64': fn({}, t.u64),
      'numbers#half-f32': fn({ a: t.f32 }, t.f32),
      'numbers#sqrt-f64': fn({ a: t.f64 }, t.f64),
      'numbers#invert': fn({ b: t.bool }, t.bool),
      'xor-bytes': fn({ data: t.list(t.u8), key: t.u8 }, t.list(t.u8)),
      'count-true': fn({ values: t.list(t.bool) }, t.u32),
      'negate-all': fn({ values: t.list(t.bool) }, t.list(t.bool)),
      join: fn({ parts: t.list(t.string), separator: t.string }, t.string),
      widen: fn({ values: t.list(t.u32) }, t.list(t.u64)),
      'echo-strings': fn({ values: t.list(t.string) }, t.list(t.string)),
      sixteen: fn(Object.fromEntries('abcdefghijklmnop'.split('').map((p) => [p, t.s32])), t.s64),
      nothing: fn({}),
    },
    vectors: [
      returns('keel:types/text#upper', ['abc é'], 'ABC É'),
      returns('keel:types/text#upper', [''], ''),
      returns('keel:types/text#char-count', ['a🚀b'], 3, 'scalar values, not UTF-16 units'),
      returns('numbers#add-u8', [200, 100], 44, 'u8 arithmetic wraps'),
      returns('numbers#add-u8', [255, 1], 0),
      returns('numbers#negate-s8', [-128], -128),
      returns('numbers#negate-s8', [5], -5),
      returns('numbers#add-u16', [65_535, 2], 1),
      returns('numbers#negate-s16', [-32_768], -32_768),
      returns('numbers#add-u32', [4_294_967_295, 2], 1),
      returns('numbers#mul-s64', [3_000_000_000n, 3_000_000_000n], 9_000_000_000_000_000_000n),
      returns('numbers#mul-s64', [-4n, 5n], -20n),
      returns('numbers#max-u64', [], 2n ** 64n - 1n),
      returns('numbers#half-f32', [3], 1.5),
      returns('numbers#sqrt-f64', [2], Math.SQRT2),
      returns('numbers#invert', [true], false),
      returns('numbers#invert', [false], true),
      returns('xor-bytes', [[1, 2, 3], 0xff], [254, 253, 252]),
      returns('xor-bytes', [[], 1], []),
      returns('count-true', [[true, false, true, true]], 3),
      returns('negate-all', [[true, false]], [false, true]),
      returns('negate-all', [[]], []),
      returns('join', [['a', 'b', 'c'], ', '], 'a, b, c'),
      returns('join', [[], '-'], ''),
      returns('widen', [[1, 2]], [4_294_967_296n, 8_589_934_592n], 'each shifted into the high half'),
      returns('echo-strings', [['x', '', '🚀', 'é']], ['x', '', '🚀', 'é']),
      returns(
        'sixteen',
        Array.from({ length: 16 }, (_, i) => i + 1),
        1496n,
        'sixteen flat parameters: the sum of each times its position',
      ),
      returns('nothing', []),
    ],
  };
}

/** The sha256 of guests/c/abi's inputs, as scripts/build-c-guests.ts records it (the source, then the WIT). */
export function cAbiInputsHash(): string {
  return createHash('sha256')
    .update(file('guests/c/abi/abi.c'))
    .update(file('guests/c/abi/abi.wit'))
    .digest('hex');
}

/** guests/c/abi: C (clang, wasi-libc's allocator) with the canonical ABI by hand. */
export function cEntry(): CorpusEntry {
  const point = t.record('point', { x: t.s32, y: t.s32 });
  const shape = t.variant('shape', { circle: t.f64, rect: point, nothing: null });
  return {
    name: 'C guests/c/abi',
    bytes: file('guests/c/abi/abi.wasm'),
    exports: {
      sum: fn({ values: t.list(t.s32) }, t.s64),
      reverse: fn({ s: t.string }, t.string),
      midpoint: fn({ a: point, b: point }, point),
      area: fn({ s: shape }, t.f64),
      split: fn({ s: t.string, separator: t.u8 }, t.list(t.string)),
    },
    vectors: [
      returns('sum', [[]], 0n),
      returns('sum', [[1, -2, 2_147_483_647, 2_147_483_647]], 4_294_967_293n, 'past 32 bits'),
      returns('reverse', ['abc'], 'cba'),
      returns('reverse', ['a🚀é'], 'é🚀a', 'by code points'),
      returns('reverse', [''], ''),
      returns(
        'midpoint',
        [
          { x: 0, y: 0 },
          { x: 10, y: -10 },
        ],
        { x: 5, y: -5 },
      ),
      returns(
        'midpoint',
        [
          { x: 2_147_483_647, y: -2_147_483_648 },
          { x: 2_147_483_647, y: -2_147_483_648 },
        ],
        { x: 2_147_483_647, y: -2_147_483_648 },
      ),
      returns('area', [{ tag: 'circle', val: 2 }], 12, 'an f64 in the joined i64 slot'),
      returns('area', [{ tag: 'rect', val: { x: -3, y: 4 } }], -12, 'an s32 in the low half of the i64 slot'),
      returns('area', [{ tag: 'nothing' }], -1),
      returns('split', ['a,b,,c', 0x2c], ['a', 'b', '', 'c']),
      returns('split', ['', 0x2c], ['']),
      returns('split', ['é,🚀', 0x2c], ['é', '🚀']),
    ],
  };
}

/** The sha256 of guests/rust/abi's inputs, as scripts/build-rust-guests.ts records it (the source, then the WIT). */
export function rustAbiInputsHash(): string {
  return createHash('sha256')
    .update(file('guests/rust/abi/abi.rs'))
    .update(file('guests/rust/abi/abi.wit'))
    .digest('hex');
}

/**
 * guests/rust/abi: Rust (Debian's rustc, std's allocator) with the canonical ABI by hand. Fixed
 * vectors at the edges, then `random` seeded vectors per function whose expected values come
 * from a model of the source (a property test against another toolchain's code).
 */
export function rustEntry(seed = 1, random = 6): CorpusEntry {
  const perms = t.flags('perms', ['read', 'write', 'exec']);
  const color = t.enum('color', ['red', 'green', 'blue']);
  const span = t.record('span', { start: t.u32, len: t.u16, first: t.char });
  const deep = t.option(t.option(t.u8));
  const exports = {
    'count-chars': fn({ s: t.string }, t.u32),
    'next-char': fn({ c: t.char }, t.char),
    sign: fn({ x: t.s64 }, t.result()),
    'bump-deep': fn({ x: deep }, deep),
    toggle: fn({ p: perms }, perms),
    'color-name': fn({ c: color }, t.string),
    halve: fn({ x: t.f32 }, t.f32),
    words: fn({ s: t.string }, t.list(t.string)),
    spans: fn({ s: t.string }, t.list(span)),
    max: fn({ values: t.list(t.u64) }, t.option(t.u64)),
  };
  const some = (val: Value): Value => ({ tag: 'some', val });
  const none: Value = { tag: 'none' };
  /** What the Rust source computes, for the random vectors. */
  const model: Record<string, (...args: any[]) => Value> = {
    'count-chars': (s: string) => [...s].length,
    'next-char': (c: string) => {
      const cp = c.codePointAt(0)!;
      return String.fromCodePoint(cp === 0xd7ff ? 0xe000 : cp === 0x10ffff ? 0 : cp + 1);
    },
    sign: (x: bigint) => ({ tag: x < 0n ? 'err' : 'ok' }),
    'bump-deep': (x: { tag: string; val?: { tag: string; val?: number } }) =>
      x.tag === 'none' ? none : x.val!.tag === 'none' ? some(none) : some(some((x.val!.val! + 1) & 0xff)),
    toggle: (p: string[]) => ['read', 'write', 'exec'].filter((f) => !p.includes(f)),
    'color-name': (c: string) => c,
    halve: (x: number) => Math.fround(x / 2),
    max: (values: bigint[]) => (values.length === 0 ? none : some(values.reduce((a, b) => (a > b ? a : b)))),
  };
  const rng = new Rng(seed);
  const randomVectors: Vector[] = [];
  for (const [name, run] of Object.entries(model)) {
    for (let i = 0; i < random; i++) {
      const args = exports[name as keyof typeof exports].params.map((p) => randomValue(p.type, rng));
      randomVectors.push(returns(name, args, run(...args), `random (seed ${seed})`));
    }
  }
  return {
    name: 'Rust guests/rust/abi',
    bytes: file('guests/rust/abi/abi.wasm'),
    exports,
    vectors: [
      returns('count-chars', ['a🚀b'], 3, 'scalar values, not UTF-16 units'),
      returns('count-chars', [''], 0),
      returns('count-chars', ['é\0x'], 3, 'a NUL is a character'),
      returns('next-char', ['a'], 'b'),
      returns('next-char', ['\u{d7ff}'], '\u{e000}', 'past the surrogates'),
      returns('next-char', ['\u{10ffff}'], '\0', 'wraps'),
      returns('next-char', ['🚀'], '🚁'),
      returns('sign', [0n], { tag: 'ok' }, 'a result with no payloads'),
      returns('sign', [-(2n ** 63n)], { tag: 'err' }),
      returns('bump-deep', [none], none),
      returns('bump-deep', [some(none)], some(none), 'some(none) is not none'),
      returns('bump-deep', [some(some(255))], some(some(0)), 'wrapping u8'),
      returns('bump-deep', [some(some(7))], some(some(8))),
      returns('toggle', [[]], ['read', 'write', 'exec']),
      returns('toggle', [['write']], ['read', 'exec']),
      returns('color-name', ['green'], 'green'),
      returns('halve', [3], 1.5),
      returns('halve', [-0], -0),
      returns('halve', [Number.NaN], Number.NaN),
      returns('halve', [Number.POSITIVE_INFINITY], Number.POSITIVE_INFINITY),
      returns('words', ['  a bc\tdé  🚀 '], ['a', 'bc', 'dé', '🚀']),
      returns('words', [''], []),
      returns(
        'spans',
        ['ab  cé 🚀x'],
        [
          { start: 0, len: 2, first: 'a' },
          { start: 4, len: 3, first: 'c' },
          { start: 8, len: 5, first: '🚀' },
        ],
        'u32, u16, char: the char at offset 8 of 12',
      ),
      returns('spans', [''], []),
      returns('max', [[]], none),
      returns(
        'max',
        [[1n, 2n ** 64n - 1n, 5n]],
        some(2n ** 64n - 1n),
        'the u64 at offset 8 of the return area',
      ),
      ...randomVectors,
    ],
  };
}

/** The sha256 of guests/rust/types' inputs, as scripts/build-rust-guests.ts records it (the source, then the WIT). */
export function rustTypesInputsHash(): string {
  return createHash('sha256')
    .update(file('guests/rust/types/types.rs'))
    .update(file('guests/rust/types/types.wit'))
    .digest('hex');
}

/**
 * guests/rust/types: types the other corpora's toolchains lack (nested variants of lists of
 * records, results of results, a tuple of 18 elements as a list element and as parameters in
 * memory), from Rust with the canonical ABI by hand. Each export hands back what it was given, as
 * it lies in the guest's memory (std's allocator behind cabi_realloc), so each value is lowered by
 * the engine and lifted back: the expected value is the argument (a list of one for `one-big`).
 */
export function rustTypesEntry(seed = 1, random = 6): CorpusEntry {
  const pt = t.record('pt', { x: t.s16, y: t.f64, tag: t.string });
  const inner = t.variant('inner', { pts: t.list(pt), code: t.u64, empty: null });
  const shape = t.variant('shape', {
    leaf: t.list(pt),
    pair: t.tuple(t.u8, t.list(pt)),
    nested: t.list(inner),
    none: null,
  });
  const rr = t.result(t.result(t.u32, t.string), t.result(t.list(t.u8), t.option(t.s64)));
  const big = t.tuple(
    t.u8,
    t.u16,
    t.u32,
    t.u64,
    t.s8,
    t.s16,
    t.s32,
    t.s64,
    t.f32,
    t.f64,
    t.char,
    t.bool,
    t.string,
    t.option(t.u8),
    t.result(t.u8, t.string),
    t.list(t.u16),
    t.u8,
    t.u32,
  );
  const exports = {
    shapes: fn({ x: t.list(shape) }, t.list(shape)),
    results: fn({ x: t.list(rr) }, t.list(rr)),
    bigs: fn({ x: t.list(big) }, t.list(big)),
    'one-big': fn({ x: big }, t.list(big)),
  };
  const p = (x: number, y: number, tag: string): Value => ({ x, y, tag });
  const ok = (val: Value): Value => ({ tag: 'ok', val });
  const err = (val: Value): Value => ({ tag: 'err', val });
  const edgeBig: Value = [
    255,
    65535,
    2 ** 32 - 1,
    2n ** 64n - 1n,
    -128,
    -32768,
    -(2 ** 31),
    -(2n ** 63n),
    -0,
    Number.NaN,
    '\u{10ffff}',
    true,
    'é🚀',
    { tag: 'some', val: 0 },
    err('e'),
    [0, 65535],
    1,
    7,
  ];
  const rng = new Rng(seed);
  const randomVectors: Vector[] = [];
  for (const [name, type] of Object.entries(exports)) {
    for (let i = 0; i < random; i++) {
      const arg = randomValue(type.params[0]!.type, rng);
      randomVectors.push(returns(name, [arg], name === 'one-big' ? [arg] : arg, `random (seed ${seed})`));
    }
  }
  const shapesEdge: Value = [
    { tag: 'leaf', val: [p(-32768, -0, ''), p(32767, Number.NaN, 'x🚀')] },
    { tag: 'pair', val: [255, []] },
    {
      tag: 'nested',
      val: [{ tag: 'pts', val: [p(1, 1.5, 'a')] }, { tag: 'code', val: 2n ** 64n - 1n }, { tag: 'empty' }],
    },
    { tag: 'none' },
    { tag: 'nested', val: [] },
  ];
  const resultsEdge: Value = [
    ok(ok(0)),
    ok(err('')),
    err(ok([1, 2, 255])),
    err(err({ tag: 'none' })),
    err(err({ tag: 'some', val: -(2n ** 63n) })),
  ];
  return {
    name: 'Rust guests/rust/types',
    bytes: file('guests/rust/types/types.wasm'),
    exports,
    vectors: [
      returns('shapes', [shapesEdge], shapesEdge, 'every case, nested, empty lists, -0, NaN'),
      returns('shapes', [[]], []),
      returns('results', [resultsEdge], resultsEdge, 'all four leaves'),
      returns('bigs', [[edgeBig, edgeBig]], [edgeBig, edgeBig], 'each element at its edge'),
      returns('one-big', [edgeBig], [edgeBig], '23 flat values: the parameters in memory'),
      ...randomVectors,
    ],
  };
}

/**
 * guests/rust/types' `cells`: lists of resources the Rust guest defines (a boxed u32 each, its
 * destructor freeing it): made in a list, lent in a list, moved in and dropped by the guest,
 * handed back in a list, made by the constructor and dropped by the host.
 */
export function rustCellsEntry(): CorpusEntry {
  const CELLS = 'keel:rust-types/cells';
  const cell = t.own('cell');
  const exports: Record<string, FuncType> = {
    [`${CELLS}#make-cells`]: fn({ n: t.u32 }, t.list(cell)),
    [`${CELLS}#sum`]: fn({ cells: t.list(t.borrow('cell')) }, t.u32),
    [`${CELLS}#take`]: fn({ cells: t.list(cell) }, t.u32),
    [`${CELLS}#echo`]: fn({ cells: t.list(cell) }, t.list(cell)),
    [`${CELLS}#freed`]: fn({}, t.u32),
    [`${CELLS}#[constructor]cell`]: fn({ v: t.u32 }, cell),
    [`${CELLS}#[method]cell.value`]: fn({ self: t.borrow('cell') }, t.u32),
    /** Not an export: the host drops its handle of a cell (the guest's destructor runs). */
    '[resource-drop]cell': fn({ self: cell }),
  };
  const h = (handle: number): Value => ({ handle });
  const call = (name: string, args: Value[], value?: Value, note?: string): Vector =>
    returns(name.startsWith('[resource-drop]') ? name : `${CELLS}#${name}`, args, value, note);
  return {
    name: 'Rust guests/rust/types (cells)',
    bytes: file('guests/rust/types/types.wasm'),
    exports,
    vectors: [
      call('make-cells', [3], [h(0), h(1), h(2)], 'a list of owns to the host'),
      call('sum', [[h(0), h(1), h(2)]], 3, 'a list of borrows lent back (each arrives as its rep)'),
      call('[method]cell.value', [h(2)], 2),
      call(
        'echo',
        [[h(2), h(0)]],
        [h(3), h(4)],
        'moved in and handed back: owns of the host again, new handles',
      ),
      call('[method]cell.value', [h(3)], 2, 'the cell of value 2'),
      call('take', [[h(1)]], 1, 'moved in, dropped by the guest'),
      call('freed', [], 1, 'its destructor ran'),
      call('make-cells', [0], []),
      call('sum', [[h(3), h(4), h(3)]], 4, 'one resource lent twice in a list'),
      call('take', [[h(4), h(3)]], 2),
      call('freed', [], 3),
      call('make-cells', [1], [h(5)]),
      call('[resource-drop]cell', [h(5)], undefined, 'the host drops its handle'),
      call('freed', [], 4),
      // Last: jco's engine skips a resource's own functions (jcoGap), so its handles count on.
      call('[constructor]cell', [7], h(6)),
      call('[method]cell.value', [h(6)], 7),
    ],
  };
}

/** guests/js/bench: componentize-js (StarlingMonkey); it imports WASI besides `keel:bench/host`. */
export function javaScriptEntry(): CorpusEntry {
  const tick = fn({ x: t.u32 }, t.u32);
  return {
    name: 'componentize-js guests/js/bench',
    bytes: file('guests/js/bench/build/bench.wasm'),
    grants: ['wasi:cli/*', 'wasi:clocks/*', 'wasi:random/*'],
    exports: {
      noop: fn({}),
      add: fn({ a: t.u32, b: t.u32 }, t.u32),
      shout: fn({ s: t.string }, t.string),
      'call-host': fn({ n: t.u32 }, t.u32),
      fib: fn({ n: t.u32 }, t.u32),
    },
    imports: { 'keel:bench/host': { tick } },
    host: () => ({ 'keel:bench/host': { tick: ([x]) => (x as number) + 2 } }),
    vectors: [
      returns('noop', []),
      returns('add', [2, 3], 5),
      returns('add', [4_294_967_295, 1], 0, '(a + b) >>> 0'),
      returns('shout', ['hello'], 'Hello'),
      returns('shout', ['éa🚀'], 'Éa🚀'),
      returns('shout', [''], ''),
      returns('fib', [20], 6765),
      {
        export: 'call-host',
        args: [3],
        expect: {
          value: 6,
          hostCalls: [0, 2, 4].map((x) => ({ fn: 'keel:bench/host#tick', args: [x] })),
        },
        note: 'each answer of the host fed to the next call',
      },
    ],
  };
}
