/**
 * Does a component's import fit what the host serves? A component declares the type of each
 * interface it imports; the host's provider serves the interface at its own WIT types (Keel's
 * for WASI 0.2 and `keel:*`, the embedder's for its providers). Lifting and lowering use the
 * component's declaration, so before anything runs each imported function's type must be the
 * served one (component-model subtyping of an imported instance: the host may serve more
 * functions and types than the component imports; each one imported must be equal, parameter
 * names included, as wasmparser checks them). Resources are identified by interface (its version
 * ignored) and name; a resource the component imports as its own (`sub resource`) is bound to
 * whichever resource the host serves under that name, as instantiation substitutes the supplied
 * resource for an abstract import (Explainer.md): every later use of it compares as that one
 * (`Bindings`: a host's alias `resource1-again` of `resource1` imported as a resource of its own,
 * Wasmtime's resources.wast 182).
 *
 * The other direction: an export the kernel calls by name (`keel:kernel/handler#on-message`) must
 * have Keel's type (`exportMismatch`: the component may export more than Keel's WIT names; each
 * function and type it names must be equal).
 *
 * The comparison is linear in the two types: each pair of type objects is compared once per
 * check, and types of different sizes (measured once per type, bounded at load) are unequal
 * without a walk.
 */
import type { ExportDef } from './plan.js';
import type { ExternType, FuncType, InstanceType, ResourceType, ValType } from './types.js';
import { measureType } from './types.js';
import { funcTextBounded, typeText } from './wit.js';

/** Characters of one function's text in a mismatch message. */
const MAX_FUNC_TEXT = 600;

/** `wasi:io/streams@0.2.3` → `wasi:io/streams`. */
function unversioned(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/**
 * The served resource each abstract resource import of a component stands for (its identity,
 * `resourceKey`), bound where the import declares it: one map for all of a component's imports,
 * as one import's resource may be used by another's functions (`use`).
 */
export type Bindings = Map<ResourceType, string>;

/** A resource's identity across components: its interface (unversioned) and its name. */
function resourceKey(r: ResourceType): string | undefined {
  if (r.origin.kind !== 'imported') return undefined;
  const path = r.origin.path;
  return `${unversioned(path[0]!)}#${path.slice(1).join('.')}`;
}

/** How a mismatch reads, by direction: the component's side, then the host's. */
interface Words {
  /** `imported as`, `exported as`. */
  readonly as: string;
  /** The host's side: `the host serves`, `Keel's WIT has`. */
  readonly theirs: string;
  /** What the host's side does not have: `the host does not serve`. */
  readonly lacks: string;
}

const IMPORTED: Words = { as: 'imported as', theirs: 'the host serves', lacks: 'the host does not serve' };
const EXPORTED: Words = { as: 'exported as', theirs: "Keel's WIT has", lacks: "Keel's WIT does not have" };

class Comparison {
  readonly #answers = new Map<ValType, Map<ValType, boolean>>();
  readonly #words: Words;
  readonly #bound: Bindings | undefined;

  /** `bound`: the import direction's bindings (the component's side is always the first). */
  constructor(words: Words, bound?: Bindings) {
    this.#words = words;
    this.#bound = bound;
  }

  /** The component's resource's identity: what it was bound to, else its own. */
  #key(r: ResourceType): string | undefined {
    return this.#bound?.get(r) ?? resourceKey(r);
  }

  same(a: ValType, b: ValType): boolean {
    if (a === b) return true;
    if (a.kind !== b.kind) return false;
    let row = this.#answers.get(a);
    const known = row?.get(b);
    if (known !== undefined) return known;
    // Unequal sizes: unequal, without a walk (sizes are measured once per type, and bounded).
    const answer = measureType(a).size === measureType(b).size && this.#compare(a, b);
    if (!row) {
      row = new Map();
      this.#answers.set(a, row);
    }
    row.set(b, answer);
    return answer;
  }

  #optional(a: ValType | undefined, b: ValType | undefined): boolean {
    return a === undefined || b === undefined ? a === b : this.same(a, b);
  }

  #compare(a: ValType, b: ValType): boolean {
    switch (a.kind) {
      case 'own':
      case 'borrow': {
        const key = this.#key(a.resource);
        return key !== undefined && key === resourceKey((b as typeof a).resource);
      }
      case 'list':
        return this.same(a.element, (b as typeof a).element);
      case 'record': {
        const o = b as typeof a;
        return (
          a.fields.length === o.fields.length &&
          a.fields.every((f, i) => f.name === o.fields[i]!.name && this.same(f.type, o.fields[i]!.type))
        );
      }
      case 'tuple': {
        const o = b as typeof a;
        return a.types.length === o.types.length && a.types.every((t, i) => this.same(t, o.types[i]!));
      }
      case 'variant': {
        const o = b as typeof a;
        return (
          a.cases.length === o.cases.length &&
          a.cases.every((c, i) => c.name === o.cases[i]!.name && this.#optional(c.type, o.cases[i]!.type))
        );
      }
      case 'enum':
      case 'flags': {
        const o = b as typeof a;
        return a.names.length === o.names.length && a.names.every((n, i) => n === o.names[i]);
      }
      case 'option':
        return this.same(a.type, (b as typeof a).type);
      case 'result': {
        const o = b as typeof a;
        return this.#optional(a.ok, o.ok) && this.#optional(a.err, o.err);
      }
      default:
        return true;
    }
  }

  func(a: FuncType, b: FuncType): boolean {
    return (
      a.params.length === b.params.length &&
      a.results.length === b.results.length &&
      a.params.every((p, i) => p.name === b.params[i]!.name && this.same(p.type, b.params[i]!.type)) &&
      a.results.every((r, i) => r.name === b.results[i]!.name && this.same(r.type, b.results[i]!.type))
    );
  }

  extern(path: string, declared: ExternType, served: ExternType): string | undefined {
    const w = this.#words;
    if (declared.sort !== served.sort) {
      return `${path} is ${w.as} ${article(sortWord(declared))}, ${w.theirs} ${article(sortWord(served))}`;
    }
    switch (declared.sort) {
      case 'func': {
        const host = (served as typeof declared).type;
        if (this.func(declared.type, host)) return undefined;
        return `${path} is ${w.as} ${funcTextBounded(declared.type, MAX_FUNC_TEXT)}, ${w.theirs} ${funcTextBounded(host, MAX_FUNC_TEXT)}`;
      }
      case 'instance':
        return w === EXPORTED
          ? this.exported(path, declared.type, (served as typeof declared).type)
          : this.instance(path, declared.type, (served as typeof declared).type);
      case 'type': {
        const mine = declared.type;
        const host = (served as typeof declared).type;
        if (mine.kind === 'resource' || host.kind === 'resource') {
          const served = host.kind === 'resource' ? resourceKey(host) : undefined;
          // An abstract import declared here (`sub resource`, this name) is whatever the host serves.
          if (this.#bound && served !== undefined && mine.kind === 'resource' && declares(mine, path)) {
            const earlier = this.#bound.get(mine);
            if (earlier === undefined || earlier === served) {
              this.#bound.set(mine, served);
              return undefined;
            }
          }
          const a = mine.kind === 'resource' ? this.#key(mine) : undefined;
          const b = host.kind === 'resource' ? resourceKey(host) : undefined;
          if (a !== undefined && a === b) return undefined;
          return `${path} is ${w.as} ${mine.kind === 'resource' ? `resource ${a ?? mine.name}` : typeText(mine)}, ${w.theirs} ${host.kind === 'resource' ? `resource ${b ?? host.name}` : typeText(host)}`;
        }
        if (this.same(mine, host)) return undefined;
        return `${path} is ${w.as} ${structure(mine)}, ${w.theirs} ${structure(host)}`;
      }
      default:
        return `${path} is ${w.as} ${article(declared.sort)}, which ${w.lacks}`;
    }
  }

  /** Import direction: each function, resource and type the component imports must be served. */
  instance(path: string, declared: InstanceType, served: InstanceType): string | undefined {
    for (const [name, e] of declared.exports) {
      const host = served.exports.get(name);
      const at = `${path}#${name}`;
      // A type export bound by `eq` (a value type, or a resource the import names elsewhere) is
      // defined by its bound: the host need not serve it (Wasmtime's instance.wast 182,
      // resources.wast 211). Served, it must be equal all the same (below).
      if (!host && e.sort === 'type' && !namesOwnResource(e.type, name)) continue;
      if (!host)
        return `${at} is imported as ${article(sortWord(e))}, which the host's ${path} does not have`;
      const why = this.extern(at, e, host);
      if (why !== undefined) return why;
    }
    return undefined;
  }

  /**
   * Export direction: the component may export more than Keel's WIT names; each function and
   * type Keel's WIT names that it exports must have Keel's type. One it does not export is not a
   * confusion: a call of it is refused by name (`invalid-argument`), as any missing export is.
   */
  exported(path: string, exported: InstanceType, expected: InstanceType): string | undefined {
    for (const [name, e] of expected.exports) {
      const mine = exported.exports.get(name);
      if (!mine) continue;
      const why = this.extern(`${path}#${name}`, mine, e);
      if (why !== undefined) return why;
    }
    return undefined;
  }
}

/**
 * Whether `r` is the resource an import declares at `path` (`host#resource1-again`: the import's
 * own `sub resource` there), not an alias of one declared elsewhere.
 */
function declares(r: ResourceType, path: string): boolean {
  const origin = r.origin;
  return origin.kind === 'imported' && origin.path.join('#') === path;
}

/** Whether an imported type export `name` is a resource of its own (`sub resource`), not an alias or a value type. */
function namesOwnResource(t: ValType | ResourceType, name: string): boolean {
  if (t.kind !== 'resource') return false;
  const origin = (t as ResourceType).origin;
  return origin.kind !== 'imported' || origin.path[origin.path.length - 1] === name;
}

/** A type's text that shows its structure, not the name it is exported under. */
function structure(t: ValType): string {
  return t.name === undefined ? typeText(t) : typeText({ ...t, name: undefined } as ValType);
}

/** `an instance`, `a function`. */
function article(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

function sortWord(e: ExternType): string {
  if (e.sort === 'type') return (e.type as { kind: string }).kind === 'resource' ? 'resource' : 'type';
  return e.sort === 'func' ? 'function' : e.sort;
}

/**
 * Why the import `name`, declared by the component as `declared`, does not fit what the host
 * serves (`served`); undefined when it fits. The message names the import, the function and
 * both WIT types (cut at a few hundred characters: a component's types may be huge).
 */
export function importMismatch(
  name: string,
  declared: ExternType,
  served: ExternType,
  bound: Bindings = new Map(),
): string | undefined {
  return new Comparison(IMPORTED, bound).extern(name, declared, served);
}

/** An export's type, as an import's is written (a function's, an instance's exports, a type). */
function exportType(def: ExportDef): ExternType {
  switch (def.sort) {
    case 'func':
      return { sort: 'func', type: def.func.type };
    case 'type':
      return { sort: 'type', type: def.type };
    case 'instance': {
      const exports = new Map<string, ExternType>();
      for (const [name, d] of def.exports) exports.set(name, exportType(d));
      return { sort: 'instance', type: { kind: 'instance', exports } };
    }
  }
}

/**
 * Why the component's export `name` (`def`) does not fit the type Keel calls it at (`expected`,
 * from Keel's WIT); undefined when it fits. Component-model subtyping in the export direction:
 * the component may export more functions and types than Keel's WIT names, and each one named
 * that it exports must be of Keel's type. The message names the export, the function and both
 * WIT types (bounded as an import's).
 */
export function exportMismatch(name: string, def: ExportDef, expected: ExternType): string | undefined {
  return new Comparison(EXPORTED).extern(name, exportType(def), expected);
}
