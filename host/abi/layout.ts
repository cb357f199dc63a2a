/**
 * The canonical ABI's layout of a value type: its size and alignment in linear memory and its
 * flattening into core values (CanonicalABI.md, "Alignment", "Element Size", "Flattening").
 */
import type { CoreValType } from './ast.js';
import type { FuncType, ValType } from './types.js';

export type FlatType = Exclude<CoreValType, 'v128' | 'ref'>;

export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;

export interface Layout {
  readonly size: number;
  readonly align: number;
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
  const flat: FlatType[] = [];
  for (const t of types) {
    const l = layoutOf(t);
    size = alignTo(size, l.align) + l.size;
    align = Math.max(align, l.align);
    flat.push(...l.flat);
  }
  return { size: alignTo(size, align), align, flat };
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
  const flat: FlatType[] = [];
  for (const c of cases) {
    if (!c) continue;
    const l = layoutOf(c);
    caseAlign = Math.max(caseAlign, l.align);
    caseSize = Math.max(caseSize, l.size);
    l.flat.forEach((f, i) => {
      flat[i] = i < flat.length ? join(flat[i]!, f) : f;
    });
  }
  const align = Math.max(disc, caseAlign);
  const payloadOffset = alignTo(disc, caseAlign);
  return { size: alignTo(payloadOffset + caseSize, align), align, flat: ['i32', ...flat], payloadOffset };
}

function compute(t: ValType): Layout {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return { size: 1, align: 1, flat: ['i32'] };
    case 's16':
    case 'u16':
      return { size: 2, align: 2, flat: ['i32'] };
    case 's32':
    case 'u32':
    case 'char':
      return { size: 4, align: 4, flat: ['i32'] };
    case 's64':
    case 'u64':
      return { size: 8, align: 8, flat: ['i64'] };
    case 'f32':
      return { size: 4, align: 4, flat: ['f32'] };
    case 'f64':
      return { size: 8, align: 8, flat: ['f64'] };
    case 'string':
    case 'list':
      return { size: 8, align: 4, flat: ['i32', 'i32'] };
    case 'own':
    case 'borrow':
      return { size: 4, align: 4, flat: ['i32'] };
    case 'record':
      return record(t.fields.map((f) => f.type));
    case 'tuple':
      return record(t.types);
    case 'flags': {
      const n = t.names.length;
      const size = n <= 8 ? 1 : n <= 16 ? 2 : 4;
      return { size, align: size, flat: ['i32'] };
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

/** Flat core parameters and results of a function, lifted (`lift`) or lowered (`lower`). */
export function flattenFunc(
  ft: FuncType,
  context: 'lift' | 'lower',
): { params: FlatType[]; results: FlatType[]; paramsInMemory: boolean; resultsInMemory: boolean } {
  let params = ft.params.flatMap((p) => layoutOf(p.type).flat);
  const paramsInMemory = params.length > MAX_FLAT_PARAMS;
  if (paramsInMemory) params = ['i32'];
  let results = ft.results.flatMap((r) => layoutOf(r.type).flat);
  const resultsInMemory = results.length > MAX_FLAT_RESULTS;
  if (resultsInMemory) {
    if (context === 'lift') results = ['i32'];
    else {
      params = [...params, 'i32'];
      results = [];
    }
  }
  return { params, results, paramsInMemory, resultsInMemory };
}

/** The tuple type of several values (parameters or results spilled to memory). */
export function tupleOf(types: readonly ValType[]): ValType {
  return { kind: 'tuple', types };
}

/** Does lifting or lowering `t` need linear memory (strings, lists)? */
export function needsMemory(t: ValType): boolean {
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
