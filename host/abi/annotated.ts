/**
 * Annotated names (Binary.md, "Import and Export Definitions"): an import or export named
 * `[constructor]r`, `[method]r.m` or `[static]r.f` is a function of the resource its scope names
 * `r`, and bindings generators trust that: they make it a class's constructor, method or static
 * function. So, as wasmparser checks:
 *
 * - an annotated name is a function's;
 * - `[constructor]r` returns `(own $R)` or `(result (own $R) (error E)?)`;
 * - `[method]r.m` takes `(param "self" (borrow $R))` first;
 * - `$R` is the resource the scope names `r`: a resource imported as `r` for an import, exported
 *   as `r` for an export, in the same component, component type or instance type (imports and
 *   exports are two scopes; an imported instance's resources name nothing here);
 * - `[static]r.f` names a resource the scope has named `r`.
 *
 * A resource is named by the type index its import or export adds: an export's is a new
 * identity (visibility.ts's token), so a function must be given its type through that index (an
 * ascription) to be the resource's member. A bag of exports adds no type index: it names no
 * resource, and no annotated name is valid in it.
 */
import type { FuncType, HandleType } from './types.js';
import { handleIdentity } from './visibility.js';

/** What an annotated name says about its resource; undefined for a label or an interface name. */
export interface Annotation {
  readonly kind: 'constructor' | 'method' | 'static';
  readonly resource: string;
}

/** Names the grammar took (host/loader/names.ts), so the label before the dot is a label. */
const ANNOTATED = /^\[(?:async )?(constructor|method|static)\]([^.]*)/;

export function annotation(name: string): Annotation | undefined {
  if (name.charCodeAt(0) !== 0x5b) return undefined;
  const m = ANNOTATED.exec(name);
  return m ? { kind: m[1] as Annotation['kind'], resource: m[2]! } : undefined;
}

/** The resources one scope's imports (or exports) have named so far, by identity. */
export class ResourceNames {
  readonly #byIdentity = new Map<object, Set<string>>();
  readonly #all = new Set<string>();

  /** `identity` (a resource, or the token of the index an export added) is named `name`. */
  add(identity: object, name: string): void {
    let names = this.#byIdentity.get(identity);
    if (!names) {
      names = new Set();
      this.#byIdentity.set(identity, names);
    }
    names.add(name);
    this.#all.add(name);
  }

  /**
   * Why an import or export named `name` in this scope may not be what it is (`func`: its
   * function type, undefined when it is not a function), or undefined when it may.
   */
  problem(name: string, func: FuncType | undefined): string | undefined {
    const a = annotation(name);
    if (!a) return undefined;
    if (!func) return `a [${a.kind}] name is a function's, and this is not a function`;
    switch (a.kind) {
      case 'constructor': {
        if (func.results.length !== 1) return 'a [constructor] returns one value';
        const r = func.results[0]!.type;
        const own = r.kind === 'own' ? r : r.kind === 'result' && r.ok?.kind === 'own' ? r.ok : undefined;
        if (own === undefined) return 'a [constructor] returns (own $R) or (result (own $R) (error E)?)';
        return this.#named(own as HandleType, a);
      }
      case 'method': {
        const self = func.params[0];
        if (self === undefined)
          return 'a [method] takes (param "self" (borrow $R)) first, and it has no parameter';
        if (self.name !== 'self') return 'a [method]\'s first parameter is named "self"';
        if (self.type.kind !== 'borrow') return 'a [method] takes (param "self" (borrow $R)) first';
        return this.#named(self.type, a);
      }
      case 'static':
        return this.#all.has(a.resource)
          ? undefined
          : `a [static] function names a resource of its scope, and none is named ${JSON.stringify(a.resource)} there`;
    }
  }

  #named(handle: HandleType, a: Annotation): string | undefined {
    const names = this.#byIdentity.get(handleIdentity(handle));
    if (names === undefined) {
      return `the resource of a [${a.kind}] is one its scope names by import or export, and this function's resource has no name there`;
    }
    if (names.has(a.resource)) return undefined;
    return `its resource is named ${JSON.stringify(names.values().next().value)} in its scope, not ${JSON.stringify(a.resource)}`;
  }
}

/** A bag of exports adds no type index, so it names no resource: no annotated name fits in it. */
export const BAG = new ResourceNames();
