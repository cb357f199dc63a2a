/**
 * WIT value types as data, for the ABI corpus and its generators: their WIT text, and what the
 * canonical ABI makes of them (flattening, size, alignment), written from CanonicalABI.md, not
 * from any implementation, so that the corpus is an independent oracle.
 */

export type Primitive =
  | 'bool'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 's8'
  | 's16'
  | 's32'
  | 's64'
  | 'f32'
  | 'f64'
  | 'char'
  | 'string';

export const PRIMITIVES: readonly Primitive[] = [
  'bool',
  'u8',
  'u16',
  'u32',
  'u64',
  's8',
  's16',
  's32',
  's64',
  'f32',
  'f64',
  'char',
  'string',
];

export interface Field {
  name: string;
  type: WitType;
}

export interface Case {
  name: string;
  type?: WitType;
}

/** A WIT value type. Records, variants, enums and flags are named (WIT only has them as definitions). */
export type WitType =
  | { kind: Primitive }
  | { kind: 'list'; of: WitType }
  | { kind: 'tuple'; of: WitType[] }
  | { kind: 'option'; of: WitType }
  | { kind: 'result'; ok?: WitType; err?: WitType }
  | { kind: 'record'; name: string; fields: Field[] }
  | { kind: 'variant'; name: string; cases: Case[] }
  | { kind: 'enum'; name: string; cases: string[] }
  | { kind: 'flags'; name: string; flags: string[] }
  | { kind: 'own' | 'borrow'; resource: string };

export type Named = Extract<WitType, { name: string }>;

/** Shorthands: `t.u8`, `t.list(t.string)`, `t.record('point', { x: t.s32, y: t.s32 })`. */
export const t = {
  bool: { kind: 'bool' },
  u8: { kind: 'u8' },
  u16: { kind: 'u16' },
  u32: { kind: 'u32' },
  u64: { kind: 'u64' },
  s8: { kind: 's8' },
  s16: { kind: 's16' },
  s32: { kind: 's32' },
  s64: { kind: 's64' },
  f32: { kind: 'f32' },
  f64: { kind: 'f64' },
  char: { kind: 'char' },
  string: { kind: 'string' },
  list: (of: WitType): WitType => ({ kind: 'list', of }),
  tuple: (...of: WitType[]): WitType => ({ kind: 'tuple', of }),
  option: (of: WitType): WitType => ({ kind: 'option', of }),
  result: (ok?: WitType, err?: WitType): WitType => ({
    kind: 'result',
    ...(ok ? { ok } : {}),
    ...(err ? { err } : {}),
  }),
  record: (name: string, fields: Record<string, WitType>): WitType => ({
    kind: 'record',
    name,
    fields: Object.entries(fields).map(([n, type]) => ({ name: n, type })),
  }),
  variant: (name: string, cases: Record<string, WitType | null>): WitType => ({
    kind: 'variant',
    name,
    cases: Object.entries(cases).map(([n, type]) => (type ? { name: n, type } : { name: n })),
  }),
  enum: (name: string, cases: string[]): WitType => ({ kind: 'enum', name, cases }),
  flags: (name: string, flags: string[]): WitType => ({ kind: 'flags', name, flags }),
  own: (resource: string): WitType => ({ kind: 'own', resource }),
  borrow: (resource: string): WitType => ({ kind: 'borrow', resource }),
} as const satisfies Record<string, WitType | ((...args: any[]) => WitType)>;

/** `n` names `prefix0`, `prefix1`, ... (valid WIT identifiers). */
export function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** How the type is written where it is used: its name for definitions, else its expression. */
export function witRef(type: WitType): string {
  switch (type.kind) {
    case 'list':
      return `list<${witRef(type.of)}>`;
    case 'tuple':
      return `tuple<${type.of.map(witRef).join(', ')}>`;
    case 'option':
      return `option<${witRef(type.of)}>`;
    case 'result':
      if (!type.ok && !type.err) return 'result';
      if (!type.err) return `result<${witRef(type.ok!)}>`;
      return `result<${type.ok ? witRef(type.ok) : '_'}, ${witRef(type.err)}>`;
    case 'record':
    case 'variant':
    case 'enum':
    case 'flags':
      return type.name;
    case 'own':
      return type.resource;
    case 'borrow':
      return `borrow<${type.resource}>`;
    default:
      return type.kind;
  }
}

/** The named types a type uses, innermost first (each once, by name). */
export function namedTypes(types: readonly WitType[], into = new Map<string, Named>()): Map<string, Named> {
  const visit = (type: WitType): void => {
    for (const child of children(type)) visit(child);
    if ('name' in type) {
      const seen = into.get(type.name);
      if (seen && witDefinition(seen) !== witDefinition(type)) {
        throw new Error(`two different types are named ${type.name}`);
      }
      into.set(type.name, type);
    }
  };
  for (const type of types) visit(type);
  return into;
}

/** The types directly inside a type. */
export function children(type: WitType): WitType[] {
  switch (type.kind) {
    case 'list':
    case 'option':
      return [type.of];
    case 'tuple':
      return type.of;
    case 'result':
      return [type.ok, type.err].filter((x): x is WitType => x !== undefined);
    case 'record':
      return type.fields.map((f) => f.type);
    case 'variant':
      return type.cases.flatMap((c) => (c.type ? [c.type] : []));
    default:
      return [];
  }
}

/** The WIT definition of a named type. */
export function witDefinition(type: Named): string {
  switch (type.kind) {
    case 'record':
      return `record ${type.name} { ${type.fields.map((f) => `${f.name}: ${witRef(f.type)}`).join(', ')} }`;
    case 'variant':
      return `variant ${type.name} { ${type.cases.map((c) => (c.type ? `${c.name}(${witRef(c.type)})` : c.name)).join(', ')} }`;
    case 'enum':
      return `enum ${type.name} { ${type.cases.join(', ')} }`;
    case 'flags':
      return `flags ${type.name} { ${type.flags.join(', ')} }`;
  }
}

/** A function's type: named parameters and an optional result. */
export interface FuncType {
  params: Field[];
  result?: WitType;
}

export function witFunc(func: FuncType): string {
  const params = func.params.map((p) => `${p.name}: ${witRef(p.type)}`).join(', ');
  return `func(${params})${func.result ? ` -> ${witRef(func.result)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The canonical ABI (CanonicalABI.md): despecialization, alignment, size, flattening.

export type CoreType = 'i32' | 'i64' | 'f32' | 'f64';

/** At most this many flat parameters; beyond, they pass through memory (a pointer). */
export const MAX_FLAT_PARAMS = 16;
/** At most this many flat results; beyond, the result is in memory (a pointer to it). */
export const MAX_FLAT_RESULTS = 1;

/** The variant a type stands for: tuples are records, enums/options/results are variants. */
type Despecialized =
  | { kind: Primitive | 'own' | 'borrow' }
  | { kind: 'list'; of: WitType }
  | { kind: 'record'; fields: WitType[] }
  | { kind: 'variant'; cases: (WitType | undefined)[] }
  | { kind: 'flags'; count: number };

function despecialize(type: WitType): Despecialized {
  switch (type.kind) {
    case 'tuple':
      return { kind: 'record', fields: type.of };
    case 'record':
      return { kind: 'record', fields: type.fields.map((f) => f.type) };
    case 'variant':
      return { kind: 'variant', cases: type.cases.map((c) => c.type) };
    case 'enum':
      return { kind: 'variant', cases: type.cases.map(() => undefined) };
    case 'option':
      return { kind: 'variant', cases: [undefined, type.of] };
    case 'result':
      return { kind: 'variant', cases: [type.ok, type.err] };
    case 'flags':
      return { kind: 'flags', count: type.flags.length };
    default:
      return type;
  }
}

/** Bytes of a variant's discriminant: the smallest of u8, u16, u32 that numbers every case. */
export function discriminantSize(cases: number): 1 | 2 | 4 {
  if (cases <= 0x100) return 1;
  if (cases <= 0x10000) return 2;
  return 4;
}

const PRIMITIVE_SIZE: Record<Primitive, number> = {
  bool: 1,
  u8: 1,
  s8: 1,
  u16: 2,
  s16: 2,
  u32: 4,
  s32: 4,
  u64: 8,
  s64: 8,
  f32: 4,
  f64: 8,
  char: 4,
  string: 8,
};

export function alignment(type: WitType): number {
  const d = despecialize(type);
  switch (d.kind) {
    case 'string':
    case 'list':
      return 4;
    case 'record':
      return Math.max(1, ...d.fields.map(alignment));
    case 'variant':
      return Math.max(discriminantSize(d.cases.length), maxCaseAlignment(d.cases));
    case 'flags':
      return d.count <= 8 ? 1 : d.count <= 16 ? 2 : 4;
    case 'own':
    case 'borrow':
      return 4;
    default:
      return PRIMITIVE_SIZE[d.kind];
  }
}

function maxCaseAlignment(cases: readonly (WitType | undefined)[]): number {
  return Math.max(1, ...cases.map((c) => (c ? alignment(c) : 1)));
}

export function alignTo(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

export function size(type: WitType): number {
  const d = despecialize(type);
  switch (d.kind) {
    case 'list':
      return 8;
    case 'record': {
      let s = 0;
      for (const field of d.fields) s = alignTo(s, alignment(field)) + size(field);
      return alignTo(s, alignment(type));
    }
    case 'variant': {
      let s = alignTo(discriminantSize(d.cases.length), maxCaseAlignment(d.cases));
      s += Math.max(0, ...d.cases.map((c) => (c ? size(c) : 0)));
      return alignTo(s, alignment(type));
    }
    case 'flags':
      return d.count === 0 ? 0 : d.count <= 8 ? 1 : d.count <= 16 ? 2 : 4 * Math.ceil(d.count / 32);
    case 'own':
    case 'borrow':
      return 4;
    default:
      return PRIMITIVE_SIZE[d.kind];
  }
}

/** Offsets of a record's (or tuple's) fields in memory. */
export function fieldOffsets(types: readonly WitType[]): number[] {
  let s = 0;
  return types.map((field) => {
    s = alignTo(s, alignment(field));
    const at = s;
    s += size(field);
    return at;
  });
}

/** Offset of a variant's payload in memory. */
export function payloadOffset(type: WitType): number {
  const d = despecialize(type);
  if (d.kind !== 'variant') throw new Error(`${type.kind} has no payload`);
  return alignTo(discriminantSize(d.cases.length), maxCaseAlignment(d.cases));
}

function join(a: CoreType, b: CoreType): CoreType {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

/** The core values a value of this type is passed as, flat. */
export function flatten(type: WitType): CoreType[] {
  const d = despecialize(type);
  switch (d.kind) {
    case 'u64':
    case 's64':
      return ['i64'];
    case 'f32':
      return ['f32'];
    case 'f64':
      return ['f64'];
    case 'string':
    case 'list':
      return ['i32', 'i32'];
    case 'record':
      return d.fields.flatMap(flatten);
    case 'variant': {
      const flat: CoreType[] = [];
      for (const c of d.cases) {
        if (!c) continue;
        flatten(c).forEach((ft, i) => {
          flat[i] = i < flat.length ? join(flat[i]!, ft) : ft;
        });
      }
      return ['i32', ...flat];
    }
    case 'flags':
      return Array.from({ length: Math.ceil(d.count / 32) }, () => 'i32');
    default:
      return ['i32'];
  }
}

/** The core signature of a lifted export (`canon lift`) of this function type. */
export function liftedSignature(func: FuncType): { params: CoreType[]; results: CoreType[] } {
  const params = func.params.flatMap((p) => flatten(p.type));
  const results = func.result ? flatten(func.result) : [];
  return {
    params: params.length > MAX_FLAT_PARAMS ? ['i32'] : params,
    results: results.length > MAX_FLAT_RESULTS ? ['i32'] : results,
  };
}

/** The core signature of a lowered import (`canon lower`): results beyond one flat value go to a pointer parameter. */
export function loweredSignature(func: FuncType): { params: CoreType[]; results: CoreType[] } {
  const params = func.params.flatMap((p) => flatten(p.type));
  const results = func.result ? flatten(func.result) : [];
  const flatParams: CoreType[] = params.length > MAX_FLAT_PARAMS ? ['i32'] : params;
  if (results.length > MAX_FLAT_RESULTS) return { params: [...flatParams, 'i32'], results: [] };
  return { params: flatParams, results };
}

/** Whether values of this type live (partly) in memory: strings and lists. */
export function usesMemory(type: WitType): boolean {
  return type.kind === 'string' || type.kind === 'list' || children(type).some(usesMemory);
}

/** Nesting depth of a type (a primitive is 1). */
export function depth(type: WitType): number {
  return 1 + Math.max(0, ...children(type).map(depth));
}
