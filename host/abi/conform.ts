/**
 * Does a component's import fit what the host serves? A component declares the type of each
 * interface it imports; the host's provider serves the interface at its own WIT types (Keel's
 * for WASI 0.2 and `keel:*`, the embedder's for its providers). Lifting and lowering use the
 * component's declaration, so before anything runs each imported function's type must be the
 * served one (component-model subtyping of an imported instance: the host may serve more
 * functions and types than the component imports; each one imported must be equal, parameter
 * names included, as wasmparser checks them), and each imported resource must be the served
 * resource: resources are identified by interface (its version ignored) and name.
 *
 * The comparison is linear in the two types: each pair of type objects is compared once per
 * check, and types of different sizes (measured once per type, bounded at load) are unequal
 * without a walk.
 */
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

/** A resource's identity across components: its interface (unversioned) and its name. */
function resourceKey(r: ResourceType): string | undefined {
  if (r.origin.kind !== 'imported') return undefined;
  const path = r.origin.path;
  return `${unversioned(path[0]!)}#${path.slice(1).join('.')}`;
}

class Comparison {
  readonly #answers = new Map<ValType, Map<ValType, boolean>>();

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
        const key = resourceKey(a.resource);
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
    if (declared.sort !== served.sort) {
      return `${path} is imported as a ${sortWord(declared)}, the host serves a ${sortWord(served)}`;
    }
    switch (declared.sort) {
      case 'func': {
        const host = (served as typeof declared).type;
        if (this.func(declared.type, host)) return undefined;
        return `${path} is imported as ${funcTextBounded(declared.type, MAX_FUNC_TEXT)}, the host serves ${funcTextBounded(host, MAX_FUNC_TEXT)}`;
      }
      case 'instance':
        return this.instance(path, declared.type, (served as typeof declared).type);
      case 'type': {
        const mine = declared.type;
        const host = (served as typeof declared).type;
        if (mine.kind === 'resource' || host.kind === 'resource') {
          const a = mine.kind === 'resource' ? resourceKey(mine) : undefined;
          const b = host.kind === 'resource' ? resourceKey(host) : undefined;
          if (a !== undefined && a === b) return undefined;
          return `${path} is imported as ${mine.kind === 'resource' ? `resource ${a ?? mine.name}` : typeText(mine)}, the host serves ${host.kind === 'resource' ? `resource ${b ?? host.name}` : typeText(host)}`;
        }
        if (this.same(mine, host)) return undefined;
        return `${path} is imported as ${structure(mine)}, the host serves ${structure(host)}`;
      }
      default:
        return `${path} is imported as a ${declared.sort}, which the host does not serve`;
    }
  }

  instance(path: string, declared: InstanceType, served: InstanceType): string | undefined {
    for (const [name, e] of declared.exports) {
      const host = served.exports.get(name);
      const at = `${path}#${name}`;
      if (!host) return `${at} is imported as a ${sortWord(e)}, which the host's ${path} does not have`;
      const why = this.extern(at, e, host);
      if (why !== undefined) return why;
    }
    return undefined;
  }
}

/** A type's text that shows its structure, not the name it is exported under. */
function structure(t: ValType): string {
  return t.name === undefined ? typeText(t) : typeText({ ...t, name: undefined } as ValType);
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
export function importMismatch(name: string, declared: ExternType, served: ExternType): string | undefined {
  return new Comparison().extern(name, declared, served);
}
