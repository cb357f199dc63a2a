/**
 * Rust spellings of WIT names and types for one world's bindings. Generated code names std
 * types by full path (`::std::string::String`), so a WIT type called `string` or `option`
 * cannot shadow them; keywords get a trailing `_`.
 */
import { idParts, NameError, pascal, snake } from '../names.js';
import { type Interface, type Type, type TypeDef, unalias, type World } from '../wit/model.js';

const KEYWORDS = new Set(
  (
    'as break const continue crate else enum extern false fn for if impl in let loop match mod move mut pub ref ' +
    'return self Self static struct super trait true type unsafe use where while async await dyn abstract become ' +
    'box do final macro override priv typeof unsized virtual yield try union'
  ).split(' '),
);

/** A value-level name: `get-value` → `get_value`, `type` → `type_`. */
export function rustValue(name: string): string {
  const s = snake(name);
  return KEYWORDS.has(s) ? `${s}_` : s;
}

/** A type-level name: `get-value` → `GetValue`, `self` → `Self_`. */
export function rustType(name: string): string {
  const s = pascal(name);
  return KEYWORDS.has(s) ? `${s}_` : s;
}

export const STD = {
  string: '::std::string::String',
  vec: '::std::vec::Vec',
  option: '::core::option::Option',
  result: '::core::result::Result',
  box: '::std::boxed::Box',
};

export class RustNames {
  readonly worldType: string;
  constructor(readonly world: World) {
    this.worldType = rustType(world.name);
  }

  /** Module path segments of an interface or the world, under `crate::bindings`. */
  modulePath(owner: Interface | World): string[] {
    if (owner.kind === 'world') return [];
    const parts =
      owner.package === undefined
        ? [rustValue(owner.name)]
        : idParts(owner.id).map((p) => {
            const v = p.replace(/[^a-z0-9_]/g, '_');
            return KEYWORDS.has(v) ? `${v}_` : v;
          });
    return owner.direction === 'export' ? ['exports', ...parts] : parts;
  }

  path(owner: Interface | World): string {
    return ['crate', 'bindings', ...this.modulePath(owner)].join('::');
  }

  defPath(def: TypeDef): string {
    return `${this.path(def.owner)}::${rustType(def.name)}`;
  }

  /** The trait an exported interface (or the world's own exports) is implemented through. */
  guestTrait(owner: Interface | World): string {
    return `${this.path(owner)}::Guest`;
  }

  isExported(def: TypeDef): boolean {
    return def.owner.kind === 'interface' && def.owner.direction === 'export';
  }

  /** `<crate::Probe as crate::bindings::exports::...::Guest>::Counter`: the guest's type for an exported resource. */
  repType(def: TypeDef): string {
    return `<crate::${this.worldType} as ${this.guestTrait(def.owner)}>::${rustType(def.name)}`;
  }

  /** The Rust type of a WIT type (owned form). */
  ty(type: Type): string {
    switch (type.kind) {
      case 'prim':
        switch (type.name) {
          case 's8':
            return 'i8';
          case 's16':
            return 'i16';
          case 's32':
            return 'i32';
          case 's64':
            return 'i64';
          case 'string':
            return STD.string;
          default:
            return type.name;
        }
      case 'list':
        return `${STD.vec}<${this.ty(type.element)}>`;
      case 'option':
        return `${STD.option}<${this.ty(type.some)}>`;
      case 'result':
        return `${STD.result}<${type.ok ? this.ty(type.ok) : '()'}, ${type.err ? this.ty(type.err) : '()'}>`;
      case 'tuple':
        return `(${type.types.map((t) => `${this.ty(t)},`).join(' ')})`;
      case 'own':
        return this.defPath(type.resource);
      case 'borrow':
        if (this.isExported(type.resource)) return `&${this.repType(type.resource)}`;
        return `&${this.defPath(type.resource)}`;
      case 'ref':
        return this.defPath(type.def);
    }
  }

  /** Whether values of the type hold no resource handle (they may derive Clone and PartialEq). */
  plain(type: Type): boolean {
    const t = unalias(type);
    switch (t.kind) {
      case 'prim':
        return true;
      case 'own':
      case 'borrow':
        return false;
      case 'list':
        return this.plain(t.element);
      case 'option':
        return this.plain(t.some);
      case 'result':
        return (!t.ok || this.plain(t.ok)) && (!t.err || this.plain(t.err));
      case 'tuple':
        return t.types.every((x) => this.plain(x));
      case 'ref': {
        const b = t.def.body;
        if (b.kind === 'record') return b.fields.every((f) => this.plain(f.type));
        if (b.kind === 'variant') return b.cases.every((c) => !c.type || this.plain(c.type));
        return b.kind !== 'resource';
      }
    }
  }
}

/** Checks that members of one Rust item get distinct names. */
export function distinct(names: string[], convert: (n: string) => string, what: string): void {
  const seen = new Map<string, string>();
  for (const n of names) {
    const c = convert(n);
    const prev = seen.get(c);
    if (prev !== undefined) throw new NameError(`${what}: ${prev} and ${n} both become \`${c}\` in Rust`);
    seen.set(c, n);
  }
}
