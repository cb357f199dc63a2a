/**
 * The canonical ABI's layout of a value type: its size and alignment in linear memory and its
 * flattening into core values (CanonicalABI.md, "Alignment", "Element Size", "Flattening").
 */
import type { CoreValType } from './ast.js';
import type { FuncType, ValType } from './types.js';

export type FlatType = Exclude<CoreValType, 'v128' | 'ref'>;

export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;

/**
 * A flattening longer than this is never used (parameters past 16 flat values, and results past
 * 1, go through memory, and a variant's cases are at most its own length): a layout keeps its
 * flat list only up to this length, and its count always. A legal type can flatten to a million
 * values; keeping every type's whole list held gigabytes for a component of many such types.
 */
export const MAX_KEPT_FLAT = MAX_FLAT_PARAMS;

export interface Layout {
  readonly size: number;
  readonly align: number;
  /** How many core values the type flattens to. */
  readonly flatCount: number;
  /** Those core values, when there are at most `MAX_KEPT_FLAT`; otherwise empty (never used). */
  readonly flat: readonly FlatType[];
}

const layouts = new WeakMap<ValType, Layout>();

export function layoutOf(t: ValType): Layout {
  let layout = layouts.get(t);
  if (!layout) {
    layout = compute(t);
    layouts.set(t, layout);
  }
  return layout;
}

export function alignTo(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** The discriminant's byte size for `n` cases: 1, 2 or 4. */
export function discriminantSize(n: number): 1 | 2 | 4 {
  return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
}

function record(types: readonly ValType[]): Layout {
  let size = 0;
  let align = 1;
  let flatCount = 0;
  for (const t of types) {
    const l = layoutOf(t);
    size = alignTo(size, l.align) + l.size;
    align = Math.max(align, l.align);
    flatCount += l.flatCount;
  }
  const flat: FlatType[] = [];
  // Kept only when short: then every field's list is whole (each is at most the sum).
  if (flatCount <= MAX_KEPT_FLAT) for (const t of types) for (const f of layoutOf(t).flat) flat.push(f);
  return { size: alignTo(size, align), align, flatCount, flat };
}

function simple(size: number, flat: FlatType): Layout {
  return { size, align: size, flatCount: 1, flat: [flat] };
}

function join(a: FlatType, b: FlatType): FlatType {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

/** Layout of a variant with these case payloads (undefined: no payload). */
export function variantLayout(cases: readonly (ValType | undefined)[]): Layout & { payloadOffset: number } {
  const disc = discriminantSize(cases.length);
  let caseAlign = 1;
  let caseSize = 0;
  let caseFlat = 0;
  for (const c of cases) {
    if (!c) continue;
    const l = layoutOf(c);
    caseAlign = Math.max(caseAlign, l.align);
    caseSize = Math.max(caseSize, l.size);
    caseFlat = Math.max(caseFlat, l.flatCount);
  }
  const flatCount = 1 + caseFlat;
  const flat: FlatType[] = [];
  // Kept only when short: then every case's list is whole (each is shorter).
  if (flatCount <= MAX_KEPT_FLAT) {
    flat.push('i32');
    for (const c of cases) {
      if (!c) continue;
      layoutOf(c).flat.forEach((f, i) => {
        flat[i + 1] = i + 1 < flat.length ? join(flat[i + 1]!, f) : f;
      });
    }
  }
  const align = Math.max(disc, caseAlign);
  const payloadOffset = alignTo(disc, caseAlign);
  return { size: alignTo(payloadOffset + caseSize, align), align, flatCount, flat, payloadOffset };
}

function compute(t: ValType): Layout {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return simple(1, 'i32');
    case 's16':
    case 'u16':
      return simple(2, 'i32');
    case 's32':
    case 'u32':
    case 'char':
      return simple(4, 'i32');
    case 's64':
    case 'u64':
      return simple(8, 'i64');
    case 'f32':
      return simple(4, 'f32');
    case 'f64':
      return simple(8, 'f64');
    case 'string':
    case 'list':
      return { size: 8, align: 4, flatCount: 2, flat: ['i32', 'i32'] };
    case 'own':
    case 'borrow':
      return simple(4, 'i32');
    case 'record':
      return record(t.fields.map((f) => f.type));
    case 'tuple':
      return record(t.types);
    case 'flags': {
      const n = t.names.length;
      return simple(n <= 8 ? 1 : n <= 16 ? 2 : 4, 'i32');
    }
    case 'enum':
      return variantLayout(t.names.map(() => undefined));
    case 'variant':
      return variantLayout(t.cases.map((c) => c.type));
    case 'option':
      return variantLayout([undefined, t.type]);
    case 'result':
      return variantLayout([t.ok, t.err]);
  }
}

/**
 * Flat core parameters and results of a function, lifted (`lift`) or lowered (`lower`). Counts
 * first, lists only when they are short enough to be passed flat: never a list of more than
 * `MAX_FLAT_PARAMS` + 1 values, whatever the types.
 */
export function flattenFunc(ft: FuncType, context: 'lift' | 'lower'): FlatFunc {
  // Once per function type and direction: every sandbox of a module lifts and lowers the same
  // types (a spawn made this for each of its trampolines).
  const known = flatFuncs.get(ft);
  const cached = context === 'lift' ? known?.lift : known?.lower;
  if (cached) return cached;
  const computed = computeFlatFunc(ft, context);
  Object.freeze(computed.params);
  Object.freeze(computed.results);
  const flat: FlatFunc = Object.freeze(computed);
  if (known) known[context] = flat;
  else flatFuncs.set(ft, context === 'lift' ? { lift: flat } : { lower: flat });
  return flat;
}

/** A function's flat core signature (`flattenFunc`): shared, never written. */
export interface FlatFunc {
  readonly params: readonly FlatType[];
  readonly results: readonly FlatType[];
  readonly paramsInMemory: boolean;
  readonly resultsInMemory: boolean;
}

const flatFuncs = new WeakMap<FuncType, { lift?: FlatFunc; lower?: FlatFunc }>();

function computeFlatFunc(
  ft: FuncType,
  context: 'lift' | 'lower',
): { params: FlatType[]; results: FlatType[]; paramsInMemory: boolean; resultsInMemory: boolean } {
  const paramsInMemory = flatCountOf(ft.params) > MAX_FLAT_PARAMS;
  let params: FlatType[] = paramsInMemory ? ['i32'] : ft.params.flatMap((p) => layoutOf(p.type).flat);
  const resultsInMemory = flatCountOf(ft.results) > MAX_FLAT_RESULTS;
  let results: FlatType[] = resultsInMemory ? [] : ft.results.flatMap((r) => layoutOf(r.type).flat);
  if (resultsInMemory) {
    if (context === 'lift') results = ['i32'];
    else params = [...params, 'i32'];
  }
  return { params, results, paramsInMemory, resultsInMemory };
}

function flatCountOf(values: readonly { readonly type: ValType }[]): number {
  let n = 0;
  for (const v of values) n += layoutOf(v.type).flatCount;
  return n;
}

/** The tuple type of several values (parameters or results spilled to memory). */
export function tupleOf(types: readonly ValType[]): ValType {
  return { kind: 'tuple', types };
}

const memoryNeeds = new WeakMap<ValType, boolean>();

/**
 * Does lifting or lowering `t` need linear memory (strings, lists)? Answered once per type
 * object: types are DAGs, and a walk of the tree under a shared type is exponential in its
 * definition (it was 262,144 steps per function for a tuple eight wide six deep, a thousand
 * such functions held a load for 12 s).
 */
export function needsMemory(t: ValType): boolean {
  let answer = memoryNeeds.get(t);
  if (answer === undefined) {
    answer = walkNeedsMemory(t);
    memoryNeeds.set(t, answer);
  }
  return answer;
}

function walkNeedsMemory(t: ValType): boolean {
  switch (t.kind) {
    case 'string':
    case 'list':
      return true;
    case 'record':
      return t.fields.some((f) => needsMemory(f.type));
    case 'tuple':
      return t.types.some(needsMemory);
    case 'variant':
      return t.cases.some((c) => c.type !== undefined && needsMemory(c.type));
    case 'option':
      return needsMemory(t.type);
    case 'result':
      return (t.ok !== undefined && needsMemory(t.ok)) || (t.err !== undefined && needsMemory(t.err));
    default:
      return false;
  }
}
