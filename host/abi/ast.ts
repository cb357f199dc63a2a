/**
 * The decoded form of a component binary (Binary.md), before any index is resolved: each
 * section's items in the order they appear, nested components as nested trees. `parse.ts`
 * builds it; `plan.ts` gives it meaning. Nothing here is ever turned into code.
 */
import type { CoreModuleInfo } from '../loader/core-info.js';

export type CoreSort =
  | 'core-func'
  | 'core-table'
  | 'core-memory'
  | 'core-global'
  | 'core-tag'
  | 'core-type'
  | 'core-module'
  | 'core-instance';

export type Sort = CoreSort | 'func' | 'value' | 'type' | 'component' | 'instance';

/** The component model's primitive value types, by their WIT names. */
export const PRIM_NAMES = [
  'bool',
  's8',
  'u8',
  's16',
  'u16',
  's32',
  'u32',
  's64',
  'u64',
  'f32',
  'f64',
  'char',
  'string',
] as const;

export type PrimName = (typeof PRIM_NAMES)[number];

/** A value type as written: a primitive, or an index into the enclosing type index space. */
export type ValTypeRef = { prim: PrimName } | { index: number };

export type CoreValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'ref';

export interface CoreFuncTypeAst {
  kind: 'func';
  params: CoreValType[];
  results: CoreValType[];
}

/** What a core module type declares (imports and exports; only their sorts are kept). */
export type CoreImportDescAst =
  | { kind: 'func'; type: number }
  | { kind: 'table' }
  | { kind: 'memory' }
  | { kind: 'global' }
  | { kind: 'tag' };

export type ModuleDeclAst =
  | { kind: 'import'; module: string; name: string; desc: CoreImportDescAst }
  | { kind: 'type'; type: CoreFuncTypeAst }
  | { kind: 'alias-outer'; count: number; index: number }
  | { kind: 'export'; name: string; desc: CoreImportDescAst };

export type CoreTypeAst = CoreFuncTypeAst | { kind: 'module'; decls: ModuleDeclAst[] };

export type DefValTypeAst =
  | { kind: 'prim'; prim: PrimName }
  | { kind: 'record'; fields: { name: string; type: ValTypeRef }[] }
  | { kind: 'variant'; cases: { name: string; type: ValTypeRef | undefined }[] }
  | { kind: 'list'; element: ValTypeRef }
  | { kind: 'tuple'; types: ValTypeRef[] }
  | { kind: 'flags'; names: string[] }
  | { kind: 'enum'; names: string[] }
  | { kind: 'option'; type: ValTypeRef }
  | { kind: 'result'; ok: ValTypeRef | undefined; err: ValTypeRef | undefined }
  | { kind: 'own'; index: number }
  | { kind: 'borrow'; index: number };

export interface FuncTypeAst {
  kind: 'func';
  params: { name: string; type: ValTypeRef }[];
  /** One unnamed result, or named results (an older encoding; zero of them means none). */
  results: { name: string | undefined; type: ValTypeRef }[];
}

export type TypeBoundAst = { kind: 'eq'; index: number } | { kind: 'sub-resource' };

export type ExternDescAst =
  | { sort: 'core-module'; index: number }
  | { sort: 'func'; index: number }
  | { sort: 'type'; bound: TypeBoundAst }
  | { sort: 'instance'; index: number }
  | { sort: 'component'; index: number };

export type DeclAst =
  | { kind: 'core-type'; type: CoreTypeAst }
  | { kind: 'type'; type: TypeAst }
  | { kind: 'alias'; alias: AliasAst }
  | { kind: 'export'; name: string; desc: ExternDescAst }
  | { kind: 'import'; name: string; desc: ExternDescAst };

export type TypeAst =
  | DefValTypeAst
  | FuncTypeAst
  | { kind: 'component'; decls: DeclAst[] }
  | { kind: 'instance'; decls: DeclAst[] }
  | { kind: 'resource'; rep: CoreValType; dtor: number | undefined };

export type AliasTargetAst =
  | { kind: 'export'; instance: number; name: string }
  | { kind: 'core-export'; instance: number; name: string }
  | { kind: 'outer'; count: number; index: number };

export interface AliasAst {
  sort: Sort;
  target: AliasTargetAst;
}

export type StringEncoding = 'utf8' | 'utf16' | 'latin1+utf16';

export interface CanonOptionsAst {
  encoding: StringEncoding | undefined;
  memory: number | undefined;
  realloc: number | undefined;
  postReturn: number | undefined;
}

export type CanonAst =
  | { kind: 'lift'; coreFunc: number; type: number; options: CanonOptionsAst }
  | { kind: 'lower'; func: number; options: CanonOptionsAst }
  | { kind: 'resource.new'; type: number }
  | { kind: 'resource.drop'; type: number }
  | { kind: 'resource.rep'; type: number };

export interface SortIndex {
  sort: Sort;
  index: number;
}

export type CoreInstanceAst =
  | { kind: 'instantiate'; module: number; args: { name: string; instance: number }[] }
  | { kind: 'exports'; exports: { name: string; sort: CoreSort; index: number }[] };

export type InstanceAst =
  | { kind: 'instantiate'; component: number; args: ({ name: string } & SortIndex)[] }
  | { kind: 'exports'; exports: ({ name: string } & SortIndex)[] };

export type ItemAst =
  | { kind: 'core-module'; bytes: Uint8Array; info: CoreModuleInfo }
  | { kind: 'core-instance'; instance: CoreInstanceAst }
  | { kind: 'core-type'; type: CoreTypeAst }
  | { kind: 'component'; component: ComponentAst }
  | { kind: 'instance'; instance: InstanceAst }
  | { kind: 'alias'; alias: AliasAst }
  | { kind: 'type'; type: TypeAst }
  | { kind: 'canon'; canon: CanonAst }
  | { kind: 'import'; name: string; desc: ExternDescAst }
  | ({ kind: 'export'; name: string; desc: ExternDescAst | undefined } & SortIndex);

export interface ComponentAst {
  items: ItemAst[];
}
