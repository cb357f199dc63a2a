/**
 * Type resolution: AST type definitions to resolved types (types.ts) within a scope, with
 * outer aliases, abstract resources (`sub resource`) and their substitution by real ones, and
 * the structural checks the planner applies (function types, instance types).
 */
import { KeelError } from '../kernel/errors.js';
import { notUnique, uniquenessKey } from '../loader/names.js';
import { ResourceNames } from './annotated.js';
import type {
  CoreFuncTypeAst,
  CoreTypeAst,
  DeclAst,
  DefValTypeAst,
  ExternDescAst,
  FuncTypeAst,
  TypeAst,
  ValTypeRef,
} from './ast.js';
import {
  type AnyType,
  type ComponentType,
  type CoreFuncType,
  type CoreModuleType,
  type ExternType,
  type FuncType,
  hasBorrows,
  hasHandles,
  type InstanceType,
  isValType,
  MAX_VALUE_TYPE_DEPTH,
  MAX_VALUE_TYPE_SIZE,
  measureType,
  named,
  prim,
  ResourceType,
  type ValType,
} from './types.js';

/** A malformed reference inside a valid-looking binary: `invalid-module`. */
export type Fail = (message: string) => never;

/** What of its parent's index spaces a component may name: what was defined before it. */
export interface Visible {
  readonly types: number;
  readonly coreTypes: number;
}

/** A type index space with a parent (outer aliases count outward through parents). */
export class TypeScope {
  readonly types: AnyType[] = [];
  readonly coreTypes: (CoreFuncType | CoreModuleType)[] = [];
  constructor(
    readonly parent: TypeScope | undefined,
    readonly fail: Fail,
    /**
     * A component's own scope: how much of the parent's it sees, and the test of a type that may
     * not cross its boundary (one that refers to resources). Undefined for a type declaration.
     */
    readonly boundary?: {
      readonly visible: Visible | undefined;
      readonly generative: (t: AnyType) => boolean;
    },
  ) {}

  /**
   * An outer alias's type: `index` of the scope `count` out, within what was defined before the
   * component it is named from; a type that refers to resources may not cross a component
   * boundary (resources are generative), from a type declaration as from the component itself.
   */
  outerType(count: number, index: number): AnyType {
    const { scope, limit, crossed } = this.#outer(count, 'types');
    if (limit !== undefined && index >= limit) {
      this.fail(`type index ${index} is out of bounds (${limit} types defined before this component)`);
    }
    const t = scope.type(index);
    if (crossed?.boundary?.generative(t)) {
      this.fail(`an outer alias of type ${index} refers to resources across a component boundary`);
    }
    return t;
  }

  /** An outer alias's core type, within what was defined before the component it is named from. */
  outerCoreType(count: number, index: number): CoreFuncType | CoreModuleType {
    const { scope, limit } = this.#outer(count, 'coreTypes');
    if (limit !== undefined && index >= limit) {
      this.fail(
        `core type index ${index} is out of bounds (${limit} core types defined before this component)`,
      );
    }
    return scope.coreType(index);
  }

  /** The scope `count` out, the bound its child sets on it, and a component boundary crossed. */
  #outer(
    count: number,
    space: keyof Visible,
  ): { scope: TypeScope; limit: number | undefined; crossed: TypeScope | undefined } {
    let scope: TypeScope = this;
    let limit: number | undefined;
    let crossed: TypeScope | undefined;
    for (let i = 0; i < count; i++) {
      const parent = scope.parent;
      if (!parent) this.fail(`an outer alias reaches ${count} scopes out, past the outermost component`);
      if (scope.boundary) crossed = scope;
      limit = scope.boundary?.visible?.[space];
      scope = parent;
    }
    return { scope, limit, crossed };
  }

  outer(count: number): TypeScope {
    let scope: TypeScope | undefined = this;
    for (let i = 0; i < count; i++) scope = scope?.parent;
    if (!scope) this.fail(`an outer alias reaches ${count} scopes out, past the outermost component`);
    return scope;
  }

  type(index: number): AnyType {
    const t = this.types[index];
    if (!t) this.fail(`type index ${index} is out of bounds (${this.types.length} types)`);
    return t;
  }

  coreType(index: number): CoreFuncType | CoreModuleType {
    const t = this.coreTypes[index];
    if (!t) this.fail(`core type index ${index} is out of bounds (${this.coreTypes.length} core types)`);
    return t;
  }

  valType(ref: ValTypeRef): ValType {
    if ('prim' in ref) return prim(ref.prim);
    const t = this.type(ref.index);
    if (!isValType(t)) this.fail(`type index ${ref.index} is a ${t.kind}, not a value type`);
    return t;
  }

  resource(index: number): ResourceType {
    const t = this.type(index);
    if (!(t instanceof ResourceType)) this.fail(`type index ${index} is a ${t.kind}, not a resource`);
    return t;
  }

  funcType(index: number): FuncType {
    const t = this.type(index);
    if (t.kind !== 'func') this.fail(`type index ${index} is a ${t.kind}, not a function type`);
    return t;
  }

  instanceType(index: number): InstanceType {
    const t = this.type(index);
    if (t.kind !== 'instance') this.fail(`type index ${index} is a ${t.kind}, not an instance type`);
    return t;
  }

  componentType(index: number): ComponentType {
    const t = this.type(index);
    if (t.kind !== 'component') this.fail(`type index ${index} is a ${t.kind}, not a component type`);
    return t;
  }

  /** Resolve a type definition (not a resource definition: the planner does those). */
  define(ast: Exclude<TypeAst, { kind: 'resource' }>): AnyType {
    switch (ast.kind) {
      case 'func':
        return this.func(ast);
      case 'instance':
        return this.instance(ast.decls);
      case 'component':
        return this.component(ast.decls);
      default:
        return this.defValType(ast);
    }
  }

  /** A value type definition, refused past the depth and size limits (types.ts). */
  defValType(ast: DefValTypeAst): ValType {
    const t = this.#defValType(ast);
    const { depth, size } = measureType(t);
    if (depth > MAX_VALUE_TYPE_DEPTH) this.fail(`a value type nested more than ${MAX_VALUE_TYPE_DEPTH} deep`);
    if (size > MAX_VALUE_TYPE_SIZE) {
      this.fail(`a value type larger than ${MAX_VALUE_TYPE_SIZE} (each use of a shared type counted)`);
    }
    return t;
  }

  #defValType(ast: DefValTypeAst): ValType {
    switch (ast.kind) {
      case 'prim':
        return prim(ast.prim);
      case 'record':
        return freeze({
          kind: 'record',
          fields: ast.fields.map((f) => freeze({ name: f.name, type: this.valType(f.type) })),
        });
      case 'variant':
        return freeze({
          kind: 'variant',
          cases: ast.cases.map((c) =>
            freeze({ name: c.name, type: c.type === undefined ? undefined : this.valType(c.type) }),
          ),
        });
      case 'list':
        return freeze({ kind: 'list', element: this.valType(ast.element) });
      case 'tuple':
        return freeze({ kind: 'tuple', types: ast.types.map((t) => this.valType(t)) });
      case 'flags':
        return freeze({ kind: 'flags', names: [...ast.names] });
      case 'enum':
        return freeze({ kind: 'enum', names: [...ast.names] });
      case 'option':
        return freeze({ kind: 'option', type: this.valType(ast.type) });
      case 'result':
        return freeze({
          kind: 'result',
          ok: ast.ok === undefined ? undefined : this.valType(ast.ok),
          err: ast.err === undefined ? undefined : this.valType(ast.err),
        });
      case 'own':
      case 'borrow':
        return freeze({ kind: ast.kind, resource: this.resource(ast.index) });
    }
  }

  func(ast: FuncTypeAst): FuncType {
    const results = ast.results.map((r) => freeze({ name: r.name, type: this.valType(r.type) }));
    // Anywhere in a result, as wasmparser checks: a borrow lent by the callee would outlive the call.
    if (results.some((r) => hasBorrows(r.type))) this.fail('a function returns a borrow handle');
    return freeze({
      kind: 'func',
      params: ast.params.map((p) => freeze({ name: p.name, type: this.valType(p.type) })),
      results,
    });
  }

  coreFunc(ast: CoreFuncTypeAst): CoreFuncType {
    return freeze({ kind: 'core-func', params: [...ast.params], results: [...ast.results] });
  }

  defineCore(ast: CoreTypeAst): CoreFuncType | CoreModuleType {
    if (ast.kind === 'func') return this.coreFunc(ast);
    // A module type has its own core type space; outer aliases reach this one.
    const inner = new TypeScope(this, this.fail);
    const imports: { module: string; name: string; kind: string; type?: CoreFuncType }[] = [];
    const exports: { name: string; kind: string; type?: CoreFuncType }[] = [];
    const funcType = (index: number): CoreFuncType => {
      const t = inner.coreType(index);
      if (t.kind !== 'core-func') this.fail(`core type index ${index} is not a function type`);
      return t;
    };
    // Names are checked as core validation checks a module's: each export's once, each
    // import's two-level name once (they mangle to one component-level name).
    const importNames = new Set<string>();
    const exportNames = new Set<string>();
    for (const decl of ast.decls) {
      if (decl.kind === 'type') inner.coreTypes.push(inner.coreFunc(decl.type));
      else if (decl.kind === 'alias-outer') inner.coreTypes.push(inner.outerCoreType(decl.count, decl.index));
      else if (decl.kind === 'import') {
        const key = JSON.stringify([decl.module, decl.name]);
        if (importNames.has(key))
          this.fail(`a module type imports ${JSON.stringify(`${decl.module}.${decl.name}`)} twice`);
        importNames.add(key);
        imports.push({
          module: decl.module,
          name: decl.name,
          kind: decl.desc.kind,
          ...(decl.desc.kind === 'func' ? { type: funcType(decl.desc.type) } : {}),
        });
      } else {
        if (exportNames.has(decl.name)) this.fail(`a module type exports ${JSON.stringify(decl.name)} twice`);
        exportNames.add(decl.name);
        exports.push({
          name: decl.name,
          kind: decl.desc.kind,
          ...(decl.desc.kind === 'func' ? { type: funcType(decl.desc.type) } : {}),
        });
      }
    }
    return freeze({ kind: 'core-module', imports, exports });
  }

  /** What an import or export descriptor declares, in this scope; `name` names a fresh resource. */
  externType(desc: ExternDescAst, name = 'resource'): ExternType {
    switch (desc.sort) {
      case 'func':
        return { sort: 'func', type: this.funcType(desc.index) };
      case 'instance':
        return { sort: 'instance', type: this.instanceType(desc.index) };
      case 'component':
        return { sort: 'component', type: this.componentType(desc.index) };
      case 'core-module': {
        const t = this.coreType(desc.index);
        if (t.kind !== 'core-module') this.fail(`core type index ${desc.index} is not a module type`);
        return { sort: 'core-module', type: t };
      }
      case 'type': {
        if (desc.bound.kind === 'sub-resource') {
          return { sort: 'type', type: new ResourceType(name, { kind: 'abstract' }) };
        }
        const t = this.type(desc.bound.index);
        if (t.kind === 'func' || t.kind === 'instance' || t.kind === 'component') {
          this.fail(`a type bound on a ${t.kind} type`);
        }
        return { sort: 'type', type: t };
      }
    }
  }

  /** Declarations of an instance or component type, in their own scope. */
  declarations(decls: readonly DeclAst[]): {
    imports: Map<string, ExternType>;
    exports: Map<string, ExternType>;
  } {
    const inner = new TypeScope(this, this.fail);
    const imports = new Map<string, ExternType>();
    const exports = new Map<string, ExternType>();
    /** Import and export names as `uniquenessKey` has them: strongly unique (Binary.md). */
    const importKeys = new Map<string, string>();
    const exportKeys = new Map<string, string>();
    /** The resources its imports, and its exports, have named: annotated names' scopes. */
    const importedResources = new ResourceNames();
    const exportedResources = new ResourceNames();
    /** The declaration's instance index space: instances imported, exported or aliased in it. */
    const instances: InstanceType[] = [];
    for (const decl of decls) {
      switch (decl.kind) {
        case 'core-type':
          inner.coreTypes.push(inner.defineCore(decl.type));
          break;
        case 'type':
          if (decl.type.kind === 'resource') this.fail('a resource definition inside a type declaration');
          inner.types.push(inner.define(decl.type));
          break;
        case 'alias': {
          const { sort, target } = decl.alias;
          if (target.kind === 'export') {
            instanceAlias(this.fail, instances, inner, sort, target.instance, target.name);
            break;
          }
          if (target.kind !== 'outer') this.fail('a core export alias in a type declaration');
          if (sort === 'type') inner.types.push(inner.outerType(target.count, target.index));
          else if (sort === 'core-type')
            inner.coreTypes.push(inner.outerCoreType(target.count, target.index));
          else this.fail(`an outer alias of sort ${sort} in a type declaration`);
          break;
        }
        case 'import':
        case 'export': {
          const into = decl.kind === 'import' ? imports : exports;
          const keys = decl.kind === 'import' ? importKeys : exportKeys;
          const key = uniquenessKey(decl.name);
          const earlier = keys.get(key);
          if (earlier !== undefined) this.fail(`${decl.kind} ${notUnique(decl.name, earlier)}`);
          keys.set(key, decl.name);
          let extern = inner.externType(decl.desc, decl.name);
          const resources = decl.kind === 'import' ? importedResources : exportedResources;
          const problem = resources.problem(decl.name, extern.sort === 'func' ? extern.type : undefined);
          if (problem !== undefined) {
            this.fail(`${decl.kind} ${JSON.stringify(decl.name)}: ${problem} (Binary.md's annotated names)`);
          }
          if (extern.sort === 'type' && extern.type instanceof ResourceType)
            resources.add(extern.type, decl.name);
          if (extern.sort === 'type') {
            extern = { sort: 'type', type: namedType(extern.type, decl.name) };
            inner.types.push(extern.type);
          } else if (extern.sort === 'instance') instances.push(extern.type);
          into.set(decl.name, extern);
          break;
        }
      }
    }
    return { imports, exports };
  }

  instance(decls: readonly DeclAst[]): InstanceType {
    const { exports } = this.declarations(decls);
    return freeze({ kind: 'instance', exports });
  }

  component(decls: readonly DeclAst[]): ComponentType {
    const { imports, exports } = this.declarations(decls);
    return freeze({ kind: 'component', imports, exports });
  }
}

/**
 * An export alias inside a component or instance type: an export of an instance declared before
 * it there, of sort type or instance only (the Explainer's restriction). A type that is or holds a
 * resource is refused as unsupported: the resources an instance type declares are bound afresh
 * where it is imported, export by export, and a second name for one would not follow them.
 */
function instanceAlias(
  fail: Fail,
  instances: InstanceType[],
  into: TypeScope,
  sort: string,
  index: number,
  name: string,
): void {
  if (sort !== 'type' && sort !== 'instance') {
    fail(`an export alias of sort ${sort} in a type declaration: it may only refer to types or instances`);
  }
  const from = instances[index];
  if (!from) fail(`instance index ${index} is out of bounds (${instances.length} instances declared)`);
  const e = from.exports.get(name);
  if (!e) fail(`instance ${index} has no export ${JSON.stringify(name)}`);
  if (e.sort !== sort) fail(`export ${JSON.stringify(name)} is a ${e.sort}, aliased as a ${sort}`);
  if (e.sort === 'instance') {
    instances.push(e.type);
    return;
  }
  if (e.sort !== 'type') return;
  // Answered once per type object (hasHandles): a thousand aliases of one large type stay linear.
  if (e.type instanceof ResourceType || hasHandles(e.type)) {
    throw new KeelError(
      'invalid-module',
      `unsupported component: an export alias of a resource type, or a type holding one, inside a type declaration (type section)`,
      { section: 'type', feature: 'export aliases of resource types in type declarations' },
    );
  }
  into.types.push(e.type);
}

function freeze<T extends object>(value: T): T {
  return Object.freeze(value);
}

/** A type under the name it is exported or imported as: value types get the name, resources keep theirs. */
export function namedType(t: ValType | ResourceType, name: string): ValType | ResourceType {
  return t instanceof ResourceType ? t : named(t, name);
}

/**
 * Replace resources by others in a type (abstract ones by the ones an import or an
 * instantiation binds them to). Types without any of them come back unchanged.
 */
export class Substitution {
  readonly #map: Map<ResourceType, ResourceType>;
  readonly #done = new Map<object, unknown>();
  constructor(map: Map<ResourceType, ResourceType>) {
    this.#map = map;
  }

  get size(): number {
    return this.#map.size;
  }

  resource(t: ResourceType): ResourceType {
    return this.#map.get(t) ?? t;
  }

  val(t: ValType): ValType {
    if (this.#map.size === 0) return t;
    const done = this.#done.get(t) as ValType | undefined;
    if (done) return done;
    const out = this.#val(t);
    this.#done.set(t, out);
    return out;
  }

  #val(t: ValType): ValType {
    const keep = { ...(t.name !== undefined ? { name: t.name } : {}) };
    switch (t.kind) {
      case 'own':
      case 'borrow': {
        const r = this.resource(t.resource);
        return r === t.resource ? t : freeze({ ...keep, kind: t.kind, resource: r });
      }
      case 'list': {
        const e = this.val(t.element);
        return e === t.element ? t : freeze({ ...keep, kind: 'list', element: e });
      }
      case 'record': {
        const fields = t.fields.map((f) => ({ name: f.name, type: this.val(f.type) }));
        return fields.every((f, i) => f.type === t.fields[i]!.type)
          ? t
          : freeze({ ...keep, kind: 'record', fields });
      }
      case 'tuple': {
        const types = t.types.map((e) => this.val(e));
        return types.every((e, i) => e === t.types[i]) ? t : freeze({ ...keep, kind: 'tuple', types });
      }
      case 'variant': {
        const cases = t.cases.map((c) => ({ name: c.name, type: c.type && this.val(c.type) }));
        return cases.every((c, i) => c.type === t.cases[i]!.type)
          ? t
          : freeze({ ...keep, kind: 'variant', cases });
      }
      case 'option': {
        const e = this.val(t.type);
        return e === t.type ? t : freeze({ ...keep, kind: 'option', type: e });
      }
      case 'result': {
        const ok = t.ok && this.val(t.ok);
        const err = t.err && this.val(t.err);
        return ok === t.ok && err === t.err ? t : freeze({ ...keep, kind: 'result', ok, err });
      }
      default:
        return t;
    }
  }

  func(t: FuncType): FuncType {
    if (this.#map.size === 0) return t;
    return freeze({
      kind: 'func',
      params: t.params.map((p) => ({ name: p.name, type: this.val(p.type) })),
      results: t.results.map((r) => ({ name: r.name, type: this.val(r.type) })),
    });
  }

  extern(e: ExternType): ExternType {
    switch (e.sort) {
      case 'func':
        return { sort: 'func', type: this.func(e.type) };
      case 'instance':
        return { sort: 'instance', type: this.instance(e.type) };
      case 'type':
        return {
          sort: 'type',
          type: e.type instanceof ResourceType ? this.resource(e.type) : this.val(e.type),
        };
      default:
        return e;
    }
  }

  instance(t: InstanceType): InstanceType {
    if (this.#map.size === 0) return t;
    const done = this.#done.get(t) as InstanceType | undefined;
    if (done) return done;
    const exports = new Map<string, ExternType>();
    for (const [name, e] of t.exports) exports.set(name, this.extern(e));
    const out = freeze({ kind: 'instance', exports }) as InstanceType;
    this.#done.set(t, out);
    return out;
  }
}

const sameAnswers = new WeakMap<ValType, WeakMap<ValType, boolean>>();

/**
 * Structural equality of value types; resources by identity. Answered once per pair of type
 * objects: types are DAGs, and comparing the trees under shared types is exponential in their
 * definitions (a pair of equal types of size 1,000,000 is a million steps, at every check).
 */
export function sameValType(a: ValType, b: ValType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  let answers = sameAnswers.get(a);
  let answer = answers?.get(b);
  if (answer !== undefined) return answer;
  answer = compareValTypes(a, b);
  if (!answers) {
    answers = new WeakMap();
    sameAnswers.set(a, answers);
  }
  answers.set(b, answer);
  return answer;
}

function compareValTypes(a: ValType, b: ValType): boolean {
  switch (a.kind) {
    case 'own':
    case 'borrow':
      return a.resource === (b as typeof a).resource;
    case 'list':
      return sameValType(a.element, (b as typeof a).element);
    case 'record': {
      const o = b as typeof a;
      return (
        a.fields.length === o.fields.length &&
        a.fields.every((f, i) => f.name === o.fields[i]!.name && sameValType(f.type, o.fields[i]!.type))
      );
    }
    case 'tuple': {
      const o = b as typeof a;
      return a.types.length === o.types.length && a.types.every((t, i) => sameValType(t, o.types[i]!));
    }
    case 'variant': {
      const o = b as typeof a;
      return (
        a.cases.length === o.cases.length &&
        a.cases.every((c, i) => {
          const d = o.cases[i]!;
          return c.name === d.name && sameOptional(c.type, d.type);
        })
      );
    }
    case 'enum':
    case 'flags': {
      const o = b as typeof a;
      return a.names.length === o.names.length && a.names.every((n, i) => n === o.names[i]);
    }
    case 'option':
      return sameValType(a.type, (b as typeof a).type);
    case 'result': {
      const o = b as typeof a;
      return sameOptional(a.ok, o.ok) && sameOptional(a.err, o.err);
    }
    default:
      return true;
  }
}

function sameOptional(a: ValType | undefined, b: ValType | undefined): boolean {
  return a === undefined || b === undefined ? a === b : sameValType(a, b);
}

export function sameFuncType(a: FuncType, b: FuncType): boolean {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((p, i) => sameValType(p.type, b.params[i]!.type)) &&
    a.results.every((r, i) => sameValType(r.type, b.results[i]!.type))
  );
}

export function sameCoreFuncType(
  a: CoreFuncType,
  b: { params: readonly string[]; results: readonly string[] },
) {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((p, i) => p === b.params[i]) &&
    a.results.every((r, i) => r === b.results[i])
  );
}

export function describeCoreFunc(t: { params: readonly string[]; results: readonly string[] }): string {
  return `(${t.params.join(', ')}) -> (${t.results.join(', ')})`;
}
