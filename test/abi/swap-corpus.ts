/**
 * The generated part of the corpus: swap components (swap.ts) over every WIT type, in each
 * string encoding, with edge-case and seeded random argument vectors whose expected outcomes
 * follow from the WIT semantics alone (the host import receives the arguments; the export
 * returns the host's answer).
 */
import { Rng } from '../fuzz/rng.js';
import type { CorpusEntry, Vector } from './harness.js';
import { buildSwap, HOST_INTERFACE, type StringEncoding, type SwapFunction, type SwapSpec } from './swap.js';
import { crossed, edgeValues, randomValue, type Value } from './values.js';
import { type FuncType, names, t, type WitType } from './wit.js';

const point = t.record('point', { x: t.s32, y: t.s32 });
/** Every primitive in one record, in an order that needs padding everywhere. */
const everything = t.record('everything', {
  a: t.u8,
  b: t.u64,
  c: t.bool,
  d: t.f32,
  e: t.s16,
  f: t.f64,
  g: t.char,
  h: t.s8,
  i: t.string,
  j: t.u16,
  k: t.s64,
  l: t.u32,
  m: t.s32,
});
const nested = t.record('nested', { inner: point, tags: t.list(t.string), maybe: t.option(point) });
const shape = t.variant('shape', {
  circle: t.f32,
  rect: point,
  label: t.string,
  big: t.u64,
  precise: t.f64,
  empty: null,
});
const colour = t.enum('colour', ['red', 'green', 'blue']);
const perms = t.flags('perms', ['read', 'write', 'exec']);

function swap1(name: string, type: WitType): SwapFunction {
  return { name, type: { params: [{ name: 'x', type }], result: type } };
}

/** Functions over every type, one component (utf8). */
export const TYPE_FUNCTIONS: readonly SwapFunction[] = [
  ...(
    ['bool', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'f32', 'f64', 'char', 'string'] as const
  ).map((kind) => swap1(`swap-${kind}`, { kind })),
  ...(
    ['u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'bool', 'char', 'string'] as const
  ).map((kind) => swap1(`swap-list-${kind}`, t.list({ kind }))),
  swap1('swap-list-point', t.list(point)),
  swap1('swap-list-list-u32', t.list(t.list(t.u32))),
  swap1('swap-list-list-string', t.list(t.list(t.string))),
  swap1('swap-list-tuple', t.list(t.tuple(t.u8, t.string))),
  swap1('swap-list-option', t.list(t.option(t.u16))),
  swap1('swap-list-shape', t.list(shape)),
  swap1('swap-point', point),
  swap1('swap-everything', everything),
  swap1('swap-nested', nested),
  swap1('swap-tuple-small', t.tuple(t.u8, t.u64)),
  swap1('swap-tuple-mixed', t.tuple(t.string, t.f32, t.char, t.bool)),
  swap1('swap-shape', shape),
  swap1('swap-variant-plain', t.variant('plain', { one: null, two: null, three: null })),
  swap1(
    'swap-variant-wide',
    t.variant('wide', Object.fromEntries(names('case', 300).map((n, i) => [n, i % 7 === 0 ? t.u32 : null]))),
  ),
  swap1('swap-colour', colour),
  swap1('swap-enum256', t.enum('enum-full', names('e', 256))),
  swap1('swap-enum257', t.enum('enum-over', names('e', 257))),
  swap1('swap-enum300', t.enum('enum-large', names('v', 300))),
  swap1('swap-option-u8', t.option(t.u8)),
  swap1('swap-option-f64', t.option(t.f64)),
  swap1('swap-option-string', t.option(t.string)),
  swap1('swap-option-point', t.option(point)),
  swap1('swap-option-option', t.option(t.option(t.u8))),
  swap1('swap-option3', t.option(t.option(t.option(t.string)))),
  swap1('swap-result-both', t.result(t.u8, t.string)),
  swap1('swap-result-ok', t.result(t.u32)),
  swap1('swap-result-err', t.result(undefined, t.string)),
  swap1('swap-result-none', t.result()),
  swap1('swap-result-nested', t.result(t.result(t.u8, t.u8), t.option(t.string))),
  swap1('swap-result-floats', t.result(t.f32, t.f64)),
  swap1('swap-perms', perms),
  swap1('swap-flags8', t.flags('flags-eight', names('flag', 8))),
  swap1('swap-flags9', t.flags('flags-nine', names('flag', 9))),
  swap1('swap-flags16', t.flags('flags-sixteen', names('flag', 16))),
  swap1('swap-flags17', t.flags('flags-seventeen', names('flag', 17))),
  swap1('swap-flags32', t.flags('flags-thirty-two', names('flag', 32))),
  // Several parameters; more than 16 flat parameters (passed in memory); no result; no parameter.
  {
    name: 'swap-many',
    type: {
      params: [
        { name: 'a', type: t.u8 },
        { name: 'b', type: t.string },
        { name: 'c', type: t.f64 },
        { name: 'd', type: t.list(t.u8) },
        { name: 'e', type: colour },
      ],
      result: t.tuple(t.string, t.f32, perms),
    },
  },
  {
    name: 'swap-seventeen',
    type: { params: names('p', 17).map((name) => ({ name, type: t.u32 })), result: t.u32 },
  },
  {
    name: 'swap-wide-record',
    type: {
      params: [
        {
          name: 'r',
          type: t.record('wide-record', Object.fromEntries(names('field', 20).map((n) => [n, t.u8]))),
        },
      ],
      result: t.s64,
    },
  },
  {
    name: 'swap-sink',
    type: {
      params: [
        { name: 's', type: t.string },
        { name: 'n', type: t.s64 },
      ],
    },
  },
  { name: 'swap-source', type: { params: [], result: t.list(t.string) } },
  { name: 'swap-nothing', type: { params: [] } },
];

/** Functions whose values carry strings, for the utf16 and latin1+utf16 components. */
export const STRING_FUNCTIONS: readonly SwapFunction[] = TYPE_FUNCTIONS.filter((f) =>
  [
    'swap-char',
    'swap-string',
    'swap-list-string',
    'swap-list-list-string',
    'swap-list-tuple',
    'swap-everything',
    'swap-nested',
    'swap-shape',
    'swap-option-string',
    'swap-option3',
    'swap-result-both',
    'swap-many',
    'swap-sink',
    'swap-source',
  ].includes(f.name),
);

const hostKey = (name: string) => `${HOST_INTERFACE}#${name}`;

/** The vectors of one function: each edge value once, then `random` seeded random ones. */
export function swapVectors(fn: SwapFunction, rng: Rng, random: number): Vector[] {
  const { params, result } = fn.type;
  const paramEdges = params.map((p) => edgeValues(p.type));
  const resultEdges = result ? edgeValues(result) : [];
  const count = Math.max(1, ...paramEdges.map((e) => e.length), resultEdges.length);
  const vectors: Vector[] = [];
  const vector = (args: Value[], answer: Value | undefined, note: string): Vector => ({
    export: fn.name,
    args,
    ...(answer !== undefined ? { answers: { [hostKey(fn.name)]: [answer] } } : {}),
    expect: {
      ...(answer !== undefined && result ? { value: crossed(result, answer) } : {}),
      hostCalls: [{ fn: hostKey(fn.name), args: args.map((a, i) => crossed(params[i]!.type, a)) }],
    },
    note,
  });
  for (let i = 0; i < count; i++) {
    const args = paramEdges.map((e) => e[i % e.length]!);
    // The answer is another edge value than the argument, so that a guest echoing its argument would be caught.
    const answer = result ? resultEdges[(i + 1) % resultEdges.length] : undefined;
    vectors.push(vector(args, answer, `edge ${i}`));
  }
  for (let i = 0; i < random; i++) {
    const args = params.map((p) => randomValue(p.type, rng));
    vectors.push(vector(args, result ? randomValue(result, rng) : undefined, `random ${i}`));
  }
  return vectors;
}

function exportsOf(functions: readonly SwapFunction[]): Record<string, FuncType> {
  return Object.fromEntries([
    ...functions.map((f) => [f.name, f.type] as const),
    ['post-count', { params: [], result: t.u32 }],
  ]);
}

/** A swap component as a corpus entry: its vectors, then `post-count` (one post-return per successful call). */
export async function swapEntry(
  name: string,
  spec: SwapSpec,
  seed: number,
  random: number,
): Promise<CorpusEntry> {
  const rng = new Rng(seed);
  const vectors = spec.functions.flatMap((f) => swapVectors(f, rng, random));
  // Every call before returned, so every one had its post-return.
  vectors.push({
    export: 'post-count',
    args: [],
    expectAfter: (before) => ({ value: before.length, hostCalls: [] }),
    note: 'one post-return per call',
  });
  return {
    name,
    bytes: await buildSwap(spec),
    exports: exportsOf(spec.functions),
    imports: { [HOST_INTERFACE]: Object.fromEntries(spec.functions.map((f) => [f.name, f.type])) },
    vectors,
    ...(spec.encoding === 'utf16' ? { features: ['utf16'] } : {}),
    ...(spec.encoding === 'compact-utf16' ? { features: ['latin1+utf16'] } : {}),
  };
}

export function encodingSpec(encoding: StringEncoding, functions: readonly SwapFunction[]): SwapSpec {
  return { functions, encoding };
}
