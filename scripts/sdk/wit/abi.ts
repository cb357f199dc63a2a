/**
 * The canonical ABI as the guest sees it (wasm32, UTF-8 strings): sizes, alignments, field
 * offsets, flattening to core values and the core import and export names wit-component
 * expects. Shared by the C and Rust generators; the formulas are CanonicalABI.md's.
 */
import type { Func, Interface, Type, TypeDef } from './model.js';
import { unalias } from './model.js';

export type CoreType = 'i32' | 'i64' | 'f32' | 'f64';

/** Flat parameters beyond this go to memory, as one pointer. */
export const MAX_FLAT_PARAMS = 16;
/** Flat results beyond this go to memory: a return area. */
export const MAX_FLAT_RESULTS = 1;

export class AbiError extends Error {
  override readonly name = 'AbiError';
}

export function alignTo(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** The discriminant's byte size for `n` cases. */
export function discriminantSize(n: number): 1 | 2 | 4 {
  return n <= 256 ? 1 : n <= 65536 ? 2 : 4;
}

/** The byte size of a flags value, and the number of i32s it flattens to. */
export function flagsSize(n: number): number {
  if (n <= 8) return 1;
  if (n <= 16) return 2;
  return 4 * Math.ceil(n / 32);
}

/** A variant's cases as types (option and result are variants). */
export function variantCases(type: Type): (Type | undefined)[] | undefined {
  const t = unalias(type);
  if (t.kind === 'option') return [undefined, t.some];
  if (t.kind === 'result') return [t.ok, t.err];
  if (t.kind === 'ref' && t.def.body.kind === 'variant') return t.def.body.cases.map((c) => c.type);
  return undefined;
}

/** Record fields or tuple members as types. */
export function memberTypes(type: Type): Type[] | undefined {
  const t = unalias(type);
  if (t.kind === 'tuple') return t.types;
  if (t.kind === 'ref' && t.def.body.kind === 'record') return t.def.body.fields.map((f) => f.type);
  return undefined;
}

export function align(type: Type): number {
  const t = unalias(type);
  switch (t.kind) {
    case 'prim':
      return primSize(t.name);
    case 'list':
      return 4;
    case 'own':
    case 'borrow':
      return 4;
    default:
      break;
  }
  const members = memberTypes(t);
  if (members) return Math.max(1, ...members.map(align));
  const cases = variantCases(t);
  if (cases) return Math.max(discriminantSize(cases.length), ...cases.map((c) => (c ? align(c) : 1)));
  const def = (t as { def: TypeDef }).def;
  if (def.body.kind === 'enum') return discriminantSize(def.body.cases.length);
  if (def.body.kind === 'flags') return Math.min(4, flagsSize(def.body.flags.length));
  throw new AbiError(`no alignment for ${def.name}`);
}

function primSize(name: string): number {
  switch (name) {
    case 'bool':
    case 's8':
    case 'u8':
      return 1;
    case 's16':
    case 'u16':
      return 2;
    case 's64':
    case 'u64':
    case 'f64':
      return 8;
    case 'string':
      return 4; // alignment; the size is 8 (pointer, length), below
    default:
      return 4;
  }
}

export function size(type: Type): number {
  const t = unalias(type);
  switch (t.kind) {
    case 'prim':
      return t.name === 'string' ? 8 : primSize(t.name);
    case 'list':
      return 8;
    case 'own':
    case 'borrow':
      return 4;
    default:
      break;
  }
  const members = memberTypes(t);
  if (members) {
    let s = 0;
    for (const m of members) s = alignTo(s, align(m)) + size(m);
    return alignTo(s, align(t));
  }
  const cases = variantCases(t);
  if (cases) return alignTo(payloadOffset(t) + Math.max(0, ...cases.map((c) => (c ? size(c) : 0))), align(t));
  const def = (t as { def: TypeDef }).def;
  if (def.body.kind === 'enum') return discriminantSize(def.body.cases.length);
  if (def.body.kind === 'flags') return flagsSize(def.body.flags.length);
  throw new AbiError(`no size for ${def.name}`);
}

/** Byte offsets of a record's or tuple's members. */
export function memberOffsets(type: Type): number[] {
  const members = memberTypes(type)!;
  const offsets: number[] = [];
  let s = 0;
  for (const m of members) {
    s = alignTo(s, align(m));
    offsets.push(s);
    s += size(m);
  }
  return offsets;
}

/** Where a variant's payload starts, after its discriminant. */
export function payloadOffset(type: Type): number {
  const cases = variantCases(type)!;
  return alignTo(discriminantSize(cases.length), Math.max(1, ...cases.map((c) => (c ? align(c) : 1))));
}

function join(a: CoreType, b: CoreType): CoreType {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

/** The core values a type flattens to. */
export function flat(type: Type): CoreType[] {
  const t = unalias(type);
  switch (t.kind) {
    case 'prim':
      switch (t.name) {
        case 's64':
        case 'u64':
          return ['i64'];
        case 'f32':
          return ['f32'];
        case 'f64':
          return ['f64'];
        case 'string':
          return ['i32', 'i32'];
        default:
          return ['i32'];
      }
    case 'list':
      return ['i32', 'i32'];
    case 'own':
    case 'borrow':
      return ['i32'];
    default:
      break;
  }
  const members = memberTypes(t);
  if (members) return members.flatMap(flat);
  const cases = variantCases(t);
  if (cases) {
    const joined: CoreType[] = [];
    for (const c of cases) {
      if (!c) continue;
      flat(c).forEach((ft, i) => {
        joined[i] = i < joined.length ? join(joined[i]!, ft) : ft;
      });
    }
    return ['i32', ...joined];
  }
  const def = (t as { def: TypeDef }).def;
  if (def.body.kind === 'enum') return ['i32'];
  if (def.body.kind === 'flags') {
    const n = def.body.flags.length;
    return n === 0 ? [] : Array.from({ length: Math.ceil(n / 32) }, () => 'i32' as const);
  }
  throw new AbiError(`cannot flatten ${def.name}`);
}

/** A function's core signature, as the side that lowers its parameters sees it. */
export interface CoreSignature {
  params: CoreType[];
  results: CoreType[];
  /** Parameters passed in memory, as one pointer (more than 16 flat values). */
  paramsInMemory: boolean;
  /** The result is in memory: imports pass a return pointer last, exports return a pointer. */
  resultInMemory: boolean;
}

export function coreSignature(func: Func, direction: 'import' | 'export'): CoreSignature {
  const flatParams = func.params.flatMap((p) => flat(p.type));
  const flatResults = func.result ? flat(func.result) : [];
  const paramsInMemory = flatParams.length > MAX_FLAT_PARAMS;
  const resultInMemory = flatResults.length > MAX_FLAT_RESULTS;
  const params: CoreType[] = paramsInMemory ? ['i32'] : flatParams;
  let results: CoreType[] = flatResults;
  if (resultInMemory) {
    if (direction === 'import') params.push('i32');
    results = direction === 'import' ? [] : ['i32'];
  }
  return { params, results, paramsInMemory, resultInMemory };
}

/** The parameters as one tuple (their layout in memory when they spill). */
export function paramsTuple(func: Func): Type {
  return { kind: 'tuple', types: func.params.map((p) => p.type) };
}

/** A function's name as the component model mangles it: `[method]blob.size`, `greet`. */
export function mangledName(func: Func): string {
  switch (func.kind) {
    case 'freestanding':
      return func.name;
    case 'constructor':
      return `[constructor]${func.resource!.name}`;
    case 'method':
      return `[method]${func.resource!.name}.${func.name}`;
    case 'static':
      return `[static]${func.resource!.name}.${func.name}`;
  }
}

/** The core import of a function: module `keel:kernel/log@0.2.0` (or `$root`), name `log`. */
export function importName(func: Func, iface: Interface | undefined): { module: string; name: string } {
  return { module: iface ? iface.id : '$root', name: mangledName(func) };
}

/** The core export of a function: `keel:kernel/handler@0.2.0#handle`, or `greet`. */
export function exportName(func: Func, iface: Interface | undefined): string {
  return iface ? `${iface.id}#${mangledName(func)}` : mangledName(func);
}

/** Resource intrinsics: an imported resource's drop; an exported resource's new, rep, drop and dtor. */
export function resourceImports(
  def: TypeDef,
  iface: Interface,
): Record<'new' | 'rep' | 'drop', { module: string; name: string }> {
  const module = iface.direction === 'export' ? `[export]${iface.id}` : iface.id;
  return {
    new: { module, name: `[resource-new]${def.name}` },
    rep: { module, name: `[resource-rep]${def.name}` },
    drop: { module, name: `[resource-drop]${def.name}` },
  };
}

export function resourceDtor(def: TypeDef, iface: Interface): string {
  return `${iface.id}#[dtor]${def.name}`;
}
