/**
 * Resolved component types: what the planner builds from the AST once every index is known,
 * and what lifting, lowering and the world description read. Types are plain immutable data;
 * a resource type is an object whose identity is the resource's identity.
 */
import type { CoreValType, PrimName, StringEncoding } from './ast.js';

export type { PrimName, StringEncoding };

interface Named {
  /** The WIT name the type was exported or imported under, when it has one. */
  readonly name?: string | undefined;
}

export interface PrimType extends Named {
  readonly kind: PrimName;
}
export interface ListType extends Named {
  readonly kind: 'list';
  readonly element: ValType;
}
export interface RecordType extends Named {
  readonly kind: 'record';
  readonly fields: readonly { readonly name: string; readonly type: ValType }[];
}
export interface TupleType extends Named {
  readonly kind: 'tuple';
  readonly types: readonly ValType[];
}
export interface VariantType extends Named {
  readonly kind: 'variant';
  readonly cases: readonly { readonly name: string; readonly type: ValType | undefined }[];
}
export interface EnumType extends Named {
  readonly kind: 'enum';
  readonly names: readonly string[];
}
export interface OptionType extends Named {
  readonly kind: 'option';
  readonly type: ValType;
}
export interface ResultType extends Named {
  readonly kind: 'result';
  readonly ok: ValType | undefined;
  readonly err: ValType | undefined;
}
export interface FlagsType extends Named {
  readonly kind: 'flags';
  readonly names: readonly string[];
}
export interface HandleType extends Named {
  readonly kind: 'own' | 'borrow';
  readonly resource: ResourceType;
}

export type ValType =
  | PrimType
  | ListType
  | RecordType
  | TupleType
  | VariantType
  | EnumType
  | OptionType
  | ResultType
  | FlagsType
  | HandleType;

/** Where a resource type comes from. */
export type ResourceOrigin =
  /** Declared by a type (`sub resource`) and not yet bound to a real one. */
  | { readonly kind: 'abstract' }
  /** Imported from the host: the top-level import and the export names leading to it. */
  | { readonly kind: 'imported'; readonly path: readonly string[] }
  /** Defined by a component instance (`(type (resource (rep i32) (dtor ...)))`). */
  | { readonly kind: 'defined'; readonly instance: number; readonly dtor: number | undefined };

let nextResourceId = 0;

export class ResourceType {
  readonly kind = 'resource';
  /** Unique within a process (for debugging). */
  readonly id = nextResourceId++;
  constructor(
    /** The WIT name (`output-stream`), or a placeholder until it is exported under one. */
    readonly name: string,
    readonly origin: ResourceOrigin,
  ) {}
}

export interface FuncType {
  readonly kind: 'func';
  readonly params: readonly { readonly name: string; readonly type: ValType }[];
  /** Zero or one result in WIT; named results (an older encoding) may be several. */
  readonly results: readonly { readonly name: string | undefined; readonly type: ValType }[];
}

export interface CoreFuncType {
  readonly kind: 'core-func';
  readonly params: readonly CoreValType[];
  readonly results: readonly CoreValType[];
}

export interface CoreModuleType {
  readonly kind: 'core-module';
  readonly imports: readonly { module: string; name: string; kind: string; type?: CoreFuncType }[];
  readonly exports: readonly { name: string; kind: string; type?: CoreFuncType }[];
}

export type ExternType =
  | { readonly sort: 'func'; readonly type: FuncType }
  | { readonly sort: 'instance'; readonly type: InstanceType }
  | { readonly sort: 'component'; readonly type: ComponentType }
  | { readonly sort: 'core-module'; readonly type: CoreModuleType }
  | { readonly sort: 'type'; readonly type: ValType | ResourceType };

export interface InstanceType {
  readonly kind: 'instance';
  readonly exports: ReadonlyMap<string, ExternType>;
}

export interface ComponentType {
  readonly kind: 'component';
  readonly imports: ReadonlyMap<string, ExternType>;
  readonly exports: ReadonlyMap<string, ExternType>;
}

/** Anything the component type index space may hold. */
export type AnyType = ValType | FuncType | InstanceType | ComponentType | ResourceType;

export function isValType(t: AnyType): t is ValType {
  return !(t.kind === 'func' || t.kind === 'instance' || t.kind === 'component' || t.kind === 'resource');
}

const PRIMS = new Map<PrimName, PrimType>();
/** The one shared object of each primitive type. */
export function prim(name: PrimName): PrimType {
  let t = PRIMS.get(name);
  if (!t) {
    t = Object.freeze({ kind: name });
    PRIMS.set(name, t);
  }
  return t;
}

/** `t` under a WIT name (a copy: the same structure may be named differently elsewhere). */
export function named<T extends ValType>(t: T, name: string): T {
  if (t.name === name) return t;
  return Object.freeze({ ...t, name }) as unknown as T;
}

/** The value types directly inside `t` (a field's, a case's, an element's). */
function childTypes(t: ValType): readonly ValType[] {
  switch (t.kind) {
    case 'list':
      return [t.element];
    case 'record':
      return t.fields.map((f) => f.type);
    case 'tuple':
      return t.types;
    case 'variant':
      return t.cases.flatMap((c) => (c.type === undefined ? [] : [c.type]));
    case 'option':
      return [t.type];
    case 'result':
      return [...(t.ok ? [t.ok] : []), ...(t.err ? [t.err] : [])];
    default:
      return [];
  }
}

/**
 * Value types nested deeper than this are refused at load (Wasmtime's limit too): every walk of
 * a type (lifting, lowering, layout, text) recurses at most this deep.
 */
export const MAX_VALUE_TYPE_DEPTH = 100;
/**
 * How deep a walk of a lifted value may go: a value of an admitted type nests at most
 * `MAX_VALUE_TYPE_DEPTH - 1` containers around its innermost scalar, and a resource renders as
 * one object more. Walks of values (JSON rendering, crossing to a worker) stop only past this,
 * so no value a guest can produce reaches their limit.
 */
export const MAX_VALUE_DEPTH = MAX_VALUE_TYPE_DEPTH + 2;
/**
 * Value types larger than this, counting every use of a shared type, are refused at load
 * (wasmparser's "effective type size" limit): a type that reuses another twice at every level
 * is exponentially large while its definition is small.
 */
export const MAX_VALUE_TYPE_SIZE = 1_000_000;

const measures = new WeakMap<ValType, { readonly depth: number; readonly size: number }>();

/**
 * How deep a value type nests (a primitive: 1) and how large it is (its nodes, a shared type
 * counted at each use). Linear in the number of distinct type objects (measures are kept); it
 * stops descending past the depth limit, so it never recurses deeper than that.
 */
export function measureType(t: ValType, level = 0): { readonly depth: number; readonly size: number } {
  const known = measures.get(t);
  if (known) return known;
  if (level > MAX_VALUE_TYPE_DEPTH) return { depth: MAX_VALUE_TYPE_DEPTH + 1, size: 1 };
  let depth = 1;
  let size = 1;
  for (const c of childTypes(t)) {
    const m = measureType(c, level + 1);
    depth = Math.max(depth, m.depth + 1);
    size += m.size;
    if (depth > MAX_VALUE_TYPE_DEPTH || size > MAX_VALUE_TYPE_SIZE) return { depth, size };
  }
  const m = { depth, size };
  measures.set(t, m);
  return m;
}

/** A question about a type answered once per type object (types are DAGs: sharing is kept). */
function memoized(test: (t: ValType, self: (t: ValType) => boolean) => boolean): (t: ValType) => boolean {
  const answers = new WeakMap<ValType, boolean>();
  const self = (t: ValType): boolean => {
    let answer = answers.get(t);
    if (answer === undefined) {
      answer = test(t, self);
      answers.set(t, answer);
    }
    return answer;
  };
  return self;
}

/** Does `t` hold a handle anywhere (own or borrow)? */
export const hasHandles = memoized(
  (t, self) => t.kind === 'own' || t.kind === 'borrow' || childTypes(t).some(self),
);

/** Does `t` hold a borrow handle anywhere? */
export const hasBorrows = memoized((t, self) => t.kind === 'borrow' || childTypes(t).some(self));

const resourceSets = new WeakMap<ValType, ReadonlySet<ResourceType>>();

/** Every resource type `t` mentions. */
export function resourcesOf(t: ValType, into: Set<ResourceType>): void {
  for (const r of resourceSet(t)) into.add(r);
}

function resourceSet(t: ValType): ReadonlySet<ResourceType> {
  let set = resourceSets.get(t);
  if (!set) {
    const found = new Set<ResourceType>();
    if (t.kind === 'own' || t.kind === 'borrow') found.add(t.resource);
    for (const c of childTypes(t)) for (const r of resourceSet(c)) found.add(r);
    set = found;
    resourceSets.set(t, set);
  }
  return set;
}
