/**
 * External visibility of types (the Explainer's "External visibility of types", wasmparser's
 * `validate_and_register_named_types`): a function, type or instance a component imports or
 * exports may name a record, variant, enum, flags or resource only through a type the component
 * has itself imported or exported by name, so that every type the world shows has a name. Each
 * component (each run of a nested one, the root) keeps two sets of type identities: what it
 * imported (valid for both directions) and what it exported.
 *
 * Identity is the planner's type object (a defined type is a fresh object; an export of a value
 * type is a named copy, `named`), except for resources: an export of a resource pushes the same
 * `ResourceType` again, so the exported index gets a token of its own here, and a handle type
 * defined through that index remembers it (`handleTokens`). Nothing here changes a plan: it only
 * refuses a component the specification rejects.
 *
 * Bounded: a structural type found named is remembered per set (sets only grow, and one unnamed
 * type refuses the component), an instance is registered once per set, so each type object and
 * each instance is walked at most once per component run.
 */
import type { AnyType, FuncType, ValType } from './types.js';
import { ResourceType } from './types.js';

/** The token a handle type (own, borrow) names its resource by, when not the resource itself. */
const handleTokens = new WeakMap<object, object>();

/** A handle type `t` was defined through a type index whose token is `token`. */
export function rememberHandleToken(t: AnyType, token: object | undefined): void {
  if (token !== undefined && (t.kind === 'own' || t.kind === 'borrow')) handleTokens.set(t, token);
}

/** The identity a handle type names its resource by: the token of its index, or the resource. */
export function handleIdentity(t: { readonly resource: object }): object {
  return handleTokens.get(t) ?? t.resource;
}

/** An instance as the check sees it: its exports, and the tokens of its resource exports. */
export interface VisibleInstance {
  readonly exports: ReadonlyMap<string, VisibleValue>;
  /** Type exports whose identity is not their type object: a resource exported by a new name. */
  readonly tokens?: ReadonlyMap<string, object> | undefined;
}

export type VisibleValue =
  | { sort: 'func'; func: { readonly type: FuncType } }
  | { sort: 'instance'; instance: VisibleInstance }
  | { sort: 'type'; type: AnyType }
  | { sort: 'component' }
  | { sort: 'core-module' };

/** One direction's named types, and what has been found named against them. */
class NamedSet {
  readonly ids = new Set<object>();
  /** Structural types (list, tuple, option, result) all of whose parts were found named. */
  readonly ok = new WeakSet<object>();
  /** Instances already registered in this set. */
  readonly instances = new WeakSet<object>();

  /** `type_named_valtype`: a record, variant, enum, flags or handle's resource must be named. */
  valType(t: ValType): boolean {
    switch (t.kind) {
      case 'record':
      case 'variant':
      case 'enum':
      case 'flags':
        return this.ids.has(t);
      case 'own':
      case 'borrow':
        return this.ids.has(handleIdentity(t));
      case 'list':
      case 'option':
      case 'tuple':
      case 'result':
        return this.structural(t);
      default:
        return true;
    }
  }

  /** `all_valtypes_named_in_defined`: the parts of a type exported or imported as a type. */
  parts(t: AnyType): boolean {
    switch (t.kind) {
      case 'record':
        return t.fields.every((f) => this.valType(f.type));
      case 'variant':
        return t.cases.every((c) => c.type === undefined || this.valType(c.type));
      case 'func':
        return this.func(t);
      case 'own':
      case 'borrow':
      case 'list':
      case 'option':
      case 'tuple':
      case 'result':
        return this.valType(t);
      default:
        // Primitives, enums, flags and resources name nothing; component and instance types are
        // checked as they are imported or exported, not as types.
        return true;
    }
  }

  func(t: FuncType): boolean {
    return t.params.every((p) => this.valType(p.type)) && t.results.every((r) => this.valType(r.type));
  }

  structural(t: ValType): boolean {
    if (this.ok.has(t)) return true;
    let named: boolean;
    switch (t.kind) {
      case 'list':
        named = this.valType(t.element);
        break;
      case 'option':
        named = this.valType(t.type);
        break;
      case 'tuple':
        named = t.types.every((x) => this.valType(x));
        break;
      case 'result':
        named = (t.ok === undefined || this.valType(t.ok)) && (t.err === undefined || this.valType(t.err));
        break;
      default:
        named = this.valType(t);
    }
    if (named) this.ok.add(t);
    return named;
  }
}

/** One component run's named types, by direction. */
export class Visibility {
  readonly #imported = new NamedSet();
  readonly #exported = new NamedSet();
  /** Type indices whose token is not their type: resources exported by a new name. */
  readonly #tokens = new Map<number, object>();
  /** The tokens of this component's resource exports, by export name. */
  readonly exportTokens = new Map<string, object>();

  /** The token of type index `index` (holding `t`), when it is not `t` itself. */
  tokenOf(index: number): object | undefined {
    return this.#tokens.get(index);
  }

  /** Type index `index` was given a token of its own (an alias of an instance's resource export). */
  setToken(index: number, token: object | undefined): void {
    if (token !== undefined) this.#tokens.set(index, token);
  }

  /**
   * An import of `value` (what the import binds: the host's, or the instantiation argument);
   * `declared` is the import's function type where the value is a function. False when it names
   * a type that is not named.
   */
  imported(value: VisibleValue, declared: FuncType | undefined): boolean {
    return this.#register(value, 'import', declared, undefined);
  }

  /**
   * An export of `value` under `name`; `index` is the type index the export of a type adds.
   * False when it names a type that is not named.
   */
  exported(name: string, value: VisibleValue, index: number | undefined): boolean {
    let token: object | undefined;
    if (value.sort === 'type' && value.type instanceof ResourceType && index !== undefined) {
      // A new identity for the exported index: the resource under its own name is not the same
      // type, to the check, as the resource defined before it (external-visibility.wast 28).
      token = {};
      this.#tokens.set(index, token);
      this.exportTokens.set(name, token);
    }
    return this.#register(value, 'export', undefined, token);
  }

  #register(
    value: VisibleValue,
    kind: 'import' | 'export',
    declared: FuncType | undefined,
    token: object | undefined,
  ): boolean {
    const set = kind === 'import' ? this.#imported : this.#exported;
    switch (value.sort) {
      case 'func':
        return set.func(declared ?? value.func.type);
      case 'type': {
        if (!set.parts(value.type)) return false;
        const id = token ?? value.type;
        this.#exported.ids.add(id);
        if (kind === 'import') this.#imported.ids.add(id);
        return true;
      }
      case 'instance':
        return this.#instance(value.instance, kind);
      default:
        // Components and core modules are closed: they name nothing of this component's.
        return true;
    }
  }

  /** Each export of an instance registered in turn, types before what names them. */
  #instance(instance: VisibleInstance, kind: 'import' | 'export'): boolean {
    const set = kind === 'import' ? this.#imported : this.#exported;
    if (set.instances.has(instance)) return true;
    for (const [name, value] of instance.exports) {
      if (!this.#register(value, kind, undefined, instance.tokens?.get(name))) return false;
    }
    set.instances.add(instance);
    return true;
  }
}
