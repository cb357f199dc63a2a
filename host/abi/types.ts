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
  /** Dense index among the resources of one plan (handle tables are found by it); -1: none. */
  slot = -1;
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

/** Does `t` hold a handle anywhere (own or borrow)? */
export function hasHandles(t: ValType): boolean {
  switch (t.kind) {
    case 'own':
    case 'borrow':
      return true;
    case 'list':
      return hasHandles(t.element);
    case 'record':
      return t.fields.some((f) => hasHandles(f.type));
    case 'tuple':
      return t.types.some(hasHandles);
    case 'variant':
      return t.cases.some((c) => c.type !== undefined && hasHandles(c.type));
    case 'option':
      return hasHandles(t.type);
    case 'result':
      return (t.ok !== undefined && hasHandles(t.ok)) || (t.err !== undefined && hasHandles(t.err));
    default:
      return false;
  }
}

/** Does `t` hold a borrow handle anywhere? */
export function hasBorrows(t: ValType): boolean {
  switch (t.kind) {
    case 'borrow':
      return true;
    case 'list':
      return hasBorrows(t.element);
    case 'record':
      return t.fields.some((f) => hasBorrows(f.type));
    case 'tuple':
      return t.types.some(hasBorrows);
    case 'variant':
      return t.cases.some((c) => c.type !== undefined && hasBorrows(c.type));
    case 'option':
      return hasBorrows(t.type);
    case 'result':
      return (t.ok !== undefined && hasBorrows(t.ok)) || (t.err !== undefined && hasBorrows(t.err));
    default:
      return false;
  }
}

/** Every resource type `t` mentions. */
export function resourcesOf(t: ValType, into: Set<ResourceType>): void {
  switch (t.kind) {
    case 'own':
    case 'borrow':
      into.add(t.resource);
      return;
    case 'list':
      resourcesOf(t.element, into);
      return;
    case 'record':
      for (const f of t.fields) resourcesOf(f.type, into);
      return;
    case 'tuple':
      for (const e of t.types) resourcesOf(e, into);
      return;
    case 'variant':
      for (const c of t.cases) if (c.type) resourcesOf(c.type, into);
      return;
    case 'option':
      resourcesOf(t.type, into);
      return;
    case 'result':
      if (t.ok) resourcesOf(t.ok, into);
      if (t.err) resourcesOf(t.err, into);
      return;
    default:
      return;
  }
}
