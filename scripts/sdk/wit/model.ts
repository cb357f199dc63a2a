/**
 * Keel's one WIT model, shared by every guest SDK generator (C, Rust, TypeScript,
 * AssemblyScript): packages parsed from source, interfaces with their types resolved to
 * definitions (a `use` points at the definition itself, so a type has one identity wherever it
 * is used), and a world flattened by wasm-tools (includes, implicit imports) then read back with
 * the same parser. Generators read only this model.
 */
import {
  type FileSyntax,
  type FuncSyntax,
  type InterfaceSyntax,
  type PackageSyntax,
  parseWit,
  type TypeDefSyntax,
  type TypeExpr,
  type UsePath,
  type UseSyntax,
  type WorldSyntax,
} from './syntax.js';

export const PRIMITIVES = [
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
export type Primitive = (typeof PRIMITIVES)[number];

const PRIMITIVE_NAMES: ReadonlyMap<string, Primitive> = new Map<string, Primitive>([
  ...PRIMITIVES.map((p) => [p, p] as [string, Primitive]),
  ['float32', 'f32'],
  ['float64', 'f64'],
]);

export type Type =
  | { kind: 'prim'; name: Primitive }
  | { kind: 'list'; element: Type }
  | { kind: 'option'; some: Type }
  | { kind: 'result'; ok?: Type; err?: Type }
  | { kind: 'tuple'; types: Type[] }
  | { kind: 'own'; resource: TypeDef }
  | { kind: 'borrow'; resource: TypeDef }
  /** A named record, variant, enum, flags or alias. */
  | { kind: 'ref'; def: TypeDef };

export interface Field {
  name: string;
  type: Type;
}

export interface Case {
  name: string;
  type?: Type;
}

export type TypeBody =
  | { kind: 'record'; fields: Field[] }
  | { kind: 'variant'; cases: Case[] }
  | { kind: 'enum'; cases: string[] }
  | { kind: 'flags'; flags: string[] }
  | { kind: 'resource'; funcs: Func[] }
  | { kind: 'alias'; type: Type };

export interface TypeDef {
  name: string;
  /** The interface (or world) that defines it. */
  owner: Interface | World;
  body: TypeBody;
}

export type FuncKind = 'freestanding' | 'method' | 'static' | 'constructor';

export interface Func {
  /** The WIT name: `greet`; for resource functions the member name (`size`, `constructor`). */
  name: string;
  kind: FuncKind;
  /** For resource functions: the resource. */
  resource?: TypeDef;
  /** Methods start with `self: borrow<resource>`. */
  params: Field[];
  result?: Type;
}

export interface Interface {
  kind: 'interface';
  /**
   * Imported interfaces (and those only used for their types) are resolved once per id; an
   * exported interface gets its own copy, since its resources are the guest's, not handles to
   * the host's (an interface both imported and exported has two sets of types).
   */
  direction: 'import' | 'export';
  /** `keel:kernel/log@0.2.0`, or the plain name of a world's inline interface (`numbers`). */
  id: string;
  /** The package (`keel:kernel@0.2.0`), absent for inline interfaces. */
  package?: string;
  /** The interface's own name: `log`, `numbers`. */
  name: string;
  /** Types defined here, in declaration order. */
  types: TypeDef[];
  /** Everything named in the interface: its own types and those it `use`s. */
  scope: Map<string, TypeDef>;
  funcs: Func[];
}

export type WorldItem =
  | { kind: 'interface'; iface: Interface }
  | { kind: 'func'; func: Func }
  | { kind: 'type'; def: TypeDef };

export interface World {
  kind: 'world';
  /** The guest's package and world: `keel:hello@0.1.0`, `hello`. */
  package: string;
  name: string;
  imports: WorldItem[];
  exports: WorldItem[];
  /** World-level types (they belong to the imports side). */
  types: TypeDef[];
  scope: Map<string, TypeDef>;
}

export class WitModelError extends Error {
  override readonly name = 'WitModelError';
}

/** `keel:kernel@0.2.0` → `{ base: 'keel:kernel', version: '0.2.0' }`. */
export function splitVersion(name: string): { base: string; version?: string } {
  const at = name.indexOf('@');
  return at < 0 ? { base: name } : { base: name.slice(0, at), version: name.slice(at + 1) };
}

/** `keel:kernel@0.2.0` + `log` → `keel:kernel/log@0.2.0`. */
export function interfaceId(pkg: string, iface: string): string {
  const { base, version } = splitVersion(pkg);
  return version === undefined ? `${base}/${iface}` : `${base}/${iface}@${version}`;
}

/** All packages of a set of WIT sources, by full name (version included). */
export class PackageSet {
  readonly packages = new Map<string, PackageSyntax>();
  readonly #interfaces = new Map<string, Interface>();

  constructor(sources: readonly { text: string; where: string }[]) {
    for (const { text, where } of sources) {
      let file: FileSyntax;
      try {
        file = parseWit(text);
      } catch (error) {
        throw new WitModelError(`${where}: ${(error as Error).message}`);
      }
      if (file.package !== undefined) {
        this.#add({ name: file.package, interfaces: file.interfaces, worlds: file.worlds });
      } else if (file.interfaces.length > 0 || file.worlds.length > 0) {
        throw new WitModelError(`${where}: no package declaration`);
      }
      for (const nested of file.nested) this.#add(nested);
    }
  }

  #add(pkg: PackageSyntax): void {
    const existing = this.packages.get(pkg.name);
    if (!existing) {
      this.packages.set(pkg.name, { ...pkg, interfaces: [...pkg.interfaces], worlds: [...pkg.worlds] });
      return;
    }
    existing.interfaces.push(...pkg.interfaces);
    existing.worlds.push(...pkg.worlds);
  }

  /** The package a path names: exact version, or the only version of that name. */
  #package(base: string, version: string | undefined, from: string): string {
    if (version !== undefined) {
      const name = `${base}@${version}`;
      if (this.packages.has(name)) return name;
      throw new WitModelError(`${from}: package ${name} not found`);
    }
    if (this.packages.has(base)) return base;
    const versions = [...this.packages.keys()].filter((n) => splitVersion(n).base === base);
    if (versions.length === 1) return versions[0]!;
    throw new WitModelError(
      `${from}: package ${base} ${versions.length === 0 ? 'not found' : `is ambiguous (${versions.join(', ')})`}`,
    );
  }

  /** Resolve a `use` path seen inside package `within` (undefined: a world's inline scope). */
  resolvePath(path: UsePath, within: string | undefined, from: string): Interface {
    if (path.package === undefined) {
      if (within === undefined) throw new WitModelError(`${from}: unqualified interface ${path.interface}`);
      return this.interface(within, path.interface, from);
    }
    return this.interface(this.#package(path.package, path.version, from), path.interface, from);
  }

  /** The interface `name` of package `pkg` (full name), resolved once. */
  interface(pkg: string, name: string, from = pkg): Interface {
    const id = interfaceId(pkg, name);
    const cached = this.#interfaces.get(id);
    if (cached) return cached;
    const syntax = this.packages.get(pkg)?.interfaces.find((i) => i.name === name);
    if (!syntax) throw new WitModelError(`${from}: interface ${id} not found`);
    const iface: Interface = {
      kind: 'interface',
      direction: 'import',
      id,
      package: pkg,
      name,
      types: [],
      scope: new Map(),
      funcs: [],
    };
    this.#interfaces.set(id, iface);
    this.fillInterface(iface, syntax, pkg);
    return iface;
  }

  /** An exported interface: a fresh copy whose own types are the guest's. */
  exported(path: UsePath, from: string): Interface {
    const imported = this.resolvePath(path, undefined, from);
    const pkg = imported.package!;
    const syntax = this.packages.get(pkg)!.interfaces.find((i) => i.name === imported.name)!;
    const iface: Interface = { ...imported, direction: 'export', types: [], scope: new Map(), funcs: [] };
    this.fillInterface(iface, syntax, pkg);
    return iface;
  }

  /** Resolve an interface body's uses, types and functions into `iface`. */
  fillInterface(iface: Interface, syntax: InterfaceSyntax, pkg: string | undefined): void {
    const where = iface.id;
    this.#uses(syntax.uses, iface.scope, pkg, where);
    const pending = declareTypes(syntax.types, iface, iface.scope, where);
    const resolve = (t: TypeExpr) => resolveType(t, iface.scope, where);
    for (const [def, s] of pending) fillType(def, s, resolve, where);
    iface.types = pending.map(([def]) => def);
    for (const f of syntax.funcs) iface.funcs.push(func(f, 'freestanding', undefined, resolve, where));
  }

  #uses(uses: UseSyntax[], scope: Map<string, TypeDef>, pkg: string | undefined, where: string): void {
    for (const use of uses) {
      const from = this.resolvePath(use.from, pkg, where);
      for (const { name, as } of use.names) {
        const def = from.scope.get(name);
        if (!def) throw new WitModelError(`${where}: ${from.id} has no type ${name}`);
        define(scope, as ?? name, def, where);
      }
    }
  }

  /** The world wasm-tools printed (flattened), read into the model. */
  world(printed: string, pkg: string, name: string): World {
    let file: FileSyntax;
    try {
      file = parseWit(printed);
    } catch (error) {
      throw new WitModelError(`the world printed by wasm-tools: ${(error as Error).message}`);
    }
    const syntax: WorldSyntax | undefined = file.worlds[0];
    if (!syntax) throw new WitModelError('wasm-tools printed no world');
    const world: World = {
      kind: 'world',
      package: pkg,
      name,
      imports: [],
      exports: [],
      types: [],
      scope: new Map(),
    };
    const where = `world ${name}`;
    this.#uses(syntax.uses, world.scope, undefined, where);
    const pending = declareTypes(syntax.types, world, world.scope, where);
    const resolve = (t: TypeExpr) => resolveType(t, world.scope, where);
    for (const [def, s] of pending) fillType(def, s, resolve, where);
    world.types = pending.map(([def]) => def);
    for (const def of world.types) world.imports.push({ kind: 'type', def });
    const item = (e: WorldSyntax['imports'][number], direction: 'import' | 'export'): WorldItem => {
      switch (e.kind) {
        case 'path':
          return {
            kind: 'interface',
            iface:
              direction === 'import'
                ? this.resolvePath(e.path, undefined, where)
                : this.exported(e.path, where),
          };
        case 'func':
          return { kind: 'func', func: func(e.func, 'freestanding', undefined, resolve, where) };
        case 'interface': {
          const iface: Interface = {
            kind: 'interface',
            direction,
            id: e.name,
            name: e.name,
            types: [],
            scope: new Map(),
            funcs: [],
          };
          this.fillInterface(iface, e.body, undefined);
          return { kind: 'interface', iface };
        }
      }
    };
    for (const e of syntax.imports) world.imports.push(item(e, 'import'));
    for (const e of syntax.exports) world.exports.push(item(e, 'export'));
    return world;
  }
}

function define(scope: Map<string, TypeDef>, name: string, def: TypeDef, where: string): void {
  if (scope.has(name)) throw new WitModelError(`${where}: type ${name} is defined twice`);
  scope.set(name, def);
}

function declareTypes(
  types: TypeDefSyntax[],
  owner: Interface | World,
  scope: Map<string, TypeDef>,
  where: string,
): [TypeDef, TypeDefSyntax][] {
  return types.map((s) => {
    const def: TypeDef = { name: s.name, owner, body: { kind: 'record', fields: [] } };
    define(scope, s.name, def, where);
    return [def, s];
  });
}

function fillType(def: TypeDef, s: TypeDefSyntax, resolve: (t: TypeExpr) => Type, where: string): void {
  const at = `${where}: ${s.name}`;
  switch (s.kind) {
    case 'alias':
      def.body = { kind: 'alias', type: resolve(s.type) };
      return;
    case 'record':
      if (s.fields.length === 0) throw new WitModelError(`${at}: a record needs at least one field`);
      def.body = { kind: 'record', fields: s.fields.map((f) => ({ name: f.name, type: resolve(f.type) })) };
      return;
    case 'variant':
      if (s.cases.length === 0) throw new WitModelError(`${at}: a variant needs at least one case`);
      def.body = {
        kind: 'variant',
        cases: s.cases.map((c) => (c.type ? { name: c.name, type: resolve(c.type) } : { name: c.name })),
      };
      return;
    case 'enum':
      if (s.cases.length === 0) throw new WitModelError(`${at}: an enum needs at least one case`);
      def.body = { kind: 'enum', cases: s.cases };
      return;
    case 'flags':
      def.body = { kind: 'flags', flags: s.flags };
      return;
    case 'resource': {
      const funcs: Func[] = [];
      def.body = { kind: 'resource', funcs };
      for (const f of s.funcs) funcs.push(func(f, f.kind, def, resolve, where));
      return;
    }
  }
}

function func(
  s: FuncSyntax,
  kind: FuncKind,
  resource: TypeDef | undefined,
  resolve: (t: TypeExpr) => Type,
  where: string,
): Func {
  if (s.async) throw new WitModelError(`${where}: ${s.name}: async functions are not supported (WASI 0.3)`);
  const params = s.params.map((p) => ({ name: p.name, type: resolve(p.type) }));
  if (kind === 'method') params.unshift({ name: 'self', type: { kind: 'borrow', resource: resource! } });
  const f: Func = { name: s.name, kind, params };
  if (resource) f.resource = resource;
  if (kind === 'constructor') {
    f.result = s.result ? resolve(s.result) : { kind: 'own', resource: resource! };
  } else if (s.result) f.result = resolve(s.result);
  return f;
}

function resolveType(t: TypeExpr, scope: ReadonlyMap<string, TypeDef>, where: string): Type {
  const r = (x: TypeExpr) => resolveType(x, scope, where);
  switch (t.kind) {
    case 'name': {
      const def = scope.get(t.name);
      if (def) return def.body.kind === 'resource' ? { kind: 'own', resource: def } : { kind: 'ref', def };
      const prim = PRIMITIVE_NAMES.get(t.name);
      if (prim) return { kind: 'prim', name: prim };
      throw new WitModelError(`${where}: unknown type ${t.name}`);
    }
    case 'list':
      if (t.length !== undefined) throw new WitModelError(`${where}: fixed-length lists are not supported`);
      return { kind: 'list', element: r(t.element) };
    case 'option':
      return { kind: 'option', some: r(t.some) };
    case 'result': {
      const result: Type = { kind: 'result' };
      if (t.ok) result.ok = r(t.ok);
      if (t.err) result.err = r(t.err);
      return result;
    }
    case 'tuple':
      return { kind: 'tuple', types: t.types.map(r) };
    case 'borrow': {
      const def = scope.get(t.name);
      if (def?.body.kind !== 'resource') throw new WitModelError(`${where}: ${t.name} is not a resource`);
      return { kind: 'borrow', resource: def };
    }
    case 'future':
    case 'stream':
      throw new WitModelError(`${where}: ${t.kind} types are not supported (WASI 0.3)`);
  }
}

/** Follow aliases to the type they name. */
export function unalias(type: Type): Type {
  while (type.kind === 'ref' && type.def.body.kind === 'alias') type = type.def.body.type;
  return type;
}

/** Interfaces of a world's imports or exports, in order. */
export function interfaces(items: readonly WorldItem[]): Interface[] {
  return items.flatMap((i) => (i.kind === 'interface' ? [i.iface] : []));
}

/**
 * Every interface whose types a generator must declare: the world's own, and those they `use`
 * types from (`keel:kernel/types` for `keel:kernel/ipc`), each once, dependencies first.
 */
export function typeOwners(world: World): (Interface | World)[] {
  const seen = new Set<Interface | World>();
  const order: (Interface | World)[] = [];
  const visitType = (t: Type): void => {
    if (t.kind === 'own' || t.kind === 'borrow') visitOwner(t.resource.owner);
    else if (t.kind === 'ref') visitOwner(t.def.owner);
    else for (const child of typeChildren(t)) visitType(child);
  };
  const visitFunc = (f: Func): void => {
    for (const p of f.params) visitType(p.type);
    if (f.result) visitType(f.result);
  };
  const visitDef = (def: TypeDef): void => {
    if (def.body.kind === 'resource') for (const f of def.body.funcs) visitFunc(f);
    else for (const t of bodyTypes(def.body)) visitType(t);
  };
  const visitOwner = (owner: Interface | World): void => {
    if (seen.has(owner)) return;
    seen.add(owner);
    if (owner.kind === 'interface') {
      for (const def of owner.scope.values()) if (def.owner !== owner) visitOwner(def.owner);
      for (const f of owner.funcs) visitFunc(f);
    }
    for (const def of owner.types) visitDef(def);
    order.push(owner);
  };
  visitOwner(world);
  for (const item of [...world.imports, ...world.exports]) {
    if (item.kind === 'interface') visitOwner(item.iface);
    else if (item.kind === 'func') visitFunc(item.func);
  }
  return order;
}

/** The types an anonymous type is made of. */
export function typeChildren(t: Type): Type[] {
  switch (t.kind) {
    case 'list':
      return [t.element];
    case 'option':
      return [t.some];
    case 'result':
      return [t.ok, t.err].filter((x): x is Type => x !== undefined);
    case 'tuple':
      return t.types;
    default:
      return [];
  }
}

/** The types a named type's body is made of (resources: none; their functions are separate). */
export function bodyTypes(b: TypeBody): Type[] {
  switch (b.kind) {
    case 'record':
      return b.fields.map((f) => f.type);
    case 'variant':
      return b.cases.flatMap((c) => (c.type ? [c.type] : []));
    case 'alias':
      return [b.type];
    default:
      return [];
  }
}
