/**
 * C spellings of WIT types for one world. Every C type has the canonical ABI's memory layout
 * on wasm32 (natural alignment, `size_t` and pointers of 4 bytes, a one-byte `bool`), so a
 * value in guest memory *is* its canonical representation: return areas, spilled parameters
 * and list elements need no conversion, only flat values do.
 */
import { idParts, NameTable, shout, snake } from '../names.js';
import { flagsSize } from '../wit/abi.js';
import { type Interface, type Type, type TypeDef, unalias, type World } from '../wit/model.js';

const C_KEYWORDS = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
    'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
    '_Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert _Thread_local ' +
    'bool true false NULL errno assert offsetof self ret err'
  ).split(' '),
);

/** A field or parameter name: snake case, off C's keywords (and the bindings' own `ret`, `err`). */
export function cField(name: string): string {
  const s = snake(name);
  return C_KEYWORDS.has(s) ? `${s}_` : s;
}

const PRIM: Record<string, string> = {
  bool: 'bool',
  s8: 'int8_t',
  u8: 'uint8_t',
  s16: 'int16_t',
  u16: 'uint16_t',
  s32: 'int32_t',
  u32: 'uint32_t',
  s64: 'int64_t',
  u64: 'uint64_t',
  f32: 'float',
  f64: 'double',
  char: 'uint32_t',
  string: 'keel_string_t',
};

export class CTypes {
  readonly names = new NameTable('C');
  /** Type declarations in dependency order. */
  readonly decls: string[] = [];
  /** Free functions: declarations and definitions. */
  readonly freeDecls: string[] = [];
  readonly freeDefs: string[] = [];
  readonly #declared = new Set<string>();
  readonly #freed = new Map<string, string | null>();
  readonly world: string;

  constructor(readonly model: World) {
    this.world = snake(model.name);
  }

  /** The identifier prefix of an interface or the world: `keel_kernel_log`, `exports_keel_kernel_handler`. */
  prefix(owner: Interface | World): string {
    if (owner.kind === 'world') return this.world;
    const base =
      owner.package === undefined ? `${this.world}_${snake(owner.name)}` : idParts(owner.id).join('_');
    return owner.direction === 'export' ? `exports_${base}` : base;
  }

  defName(def: TypeDef): string {
    return `${this.prefix(def.owner)}_${snake(def.name)}`;
  }

  /** Whether a value of this type is passed by value (no pointer) and owns no memory. */
  isScalar(type: Type): boolean {
    const t = unalias(type);
    if (t.kind === 'prim') return t.name !== 'string';
    if (t.kind === 'own' || t.kind === 'borrow') return true;
    if (t.kind === 'ref') return t.def.body.kind === 'enum' || t.def.body.kind === 'flags';
    return false;
  }

  isExportedResource(def: TypeDef): boolean {
    return def.owner.kind === 'interface' && def.owner.direction === 'export';
  }

  /** A short, unique description of an anonymous type, for its typedef's name. */
  #describe(type: Type): string {
    switch (type.kind) {
      case 'prim':
        return type.name;
      case 'list':
        return `list_${this.#describe(type.element)}`;
      case 'option':
        return `option_${this.#describe(type.some)}`;
      case 'result':
        return `result_${type.ok ? this.#describe(type.ok) : 'void'}_${type.err ? this.#describe(type.err) : 'void'}`;
      case 'tuple':
        return `tuple${type.types.length}_${type.types.map((t) => this.#describe(t)).join('_')}`;
      case 'own':
        return `own_${this.defName(type.resource)}`;
      case 'borrow':
        return `borrow_${this.defName(type.resource)}`;
      case 'ref':
        return this.defName(type.def);
    }
  }

  /** The C type of a WIT type, declaring what it needs first. */
  c(type: Type): string {
    switch (type.kind) {
      case 'prim':
        return PRIM[type.name]!;
      case 'ref':
        this.declareDef(type.def);
        return `${this.defName(type.def)}_t`;
      case 'own':
        this.declareDef(type.resource);
        return `${this.prefix(type.resource.owner)}_own_${snake(type.resource.name)}_t`;
      case 'borrow':
        this.declareDef(type.resource);
        if (this.isExportedResource(type.resource)) return `${this.defName(type.resource)}_t *`;
        return `${this.prefix(type.resource.owner)}_borrow_${snake(type.resource.name)}_t`;
      default:
        return this.#anonymous(type);
    }
  }

  #anonymous(type: Type): string {
    const name = `${this.world}_${this.#describe(type)}_t`;
    if (this.#declared.has(name)) return name;
    let body: string;
    switch (type.kind) {
      case 'list':
        body = `typedef struct {\n  ${this.c(type.element)} *ptr;\n  size_t len;\n} ${name};`;
        break;
      case 'option':
        body = `typedef struct {\n  bool is_some;\n  ${this.c(type.some)} val;\n} ${name};`;
        break;
      case 'result': {
        const members: string[] = [];
        if (type.ok) members.push(`    ${this.c(type.ok)} ok;`);
        if (type.err) members.push(`    ${this.c(type.err)} err;`);
        const union = members.length > 0 ? `\n  union {\n${members.join('\n')}\n  } val;` : '';
        body = `typedef struct {\n  bool is_err;${union}\n} ${name};`;
        break;
      }
      case 'tuple':
        body = `typedef struct {\n${type.types.map((t, i) => `  ${this.c(t)} f${i};`).join('\n')}\n} ${name};`;
        break;
      default:
        throw new Error(`not an anonymous type: ${type.kind}`);
    }
    this.names.claim(name, `an anonymous ${type.kind} type`);
    this.#declared.add(name);
    this.decls.push(body);
    return name;
  }

  /** Declare a named type (and what it uses) once. */
  declareDef(def: TypeDef): void {
    const base = this.defName(def);
    if (this.#declared.has(base)) return;
    this.#declared.add(base);
    const what = `type ${def.name} of ${def.owner.kind === 'world' ? `world ${def.owner.name}` : def.owner.id}`;
    const body = def.body;
    switch (body.kind) {
      case 'alias': {
        const target = this.c(body.type);
        this.decls.push(`typedef ${target} ${this.names.claim(`${base}_t`, what)};`);
        return;
      }
      case 'record': {
        const fields = body.fields.map((f) => `  ${this.c(f.type)} ${cField(f.name)};`);
        this.#checkMembers(
          body.fields.map((f) => f.name),
          what,
        );
        this.decls.push(
          `typedef struct ${base} {\n${fields.join('\n')}\n} ${this.names.claim(`${base}_t`, what)};`,
        );
        return;
      }
      case 'variant': {
        const tagType =
          body.cases.length <= 256 ? 'uint8_t' : body.cases.length <= 65536 ? 'uint16_t' : 'uint32_t';
        const payloads = body.cases
          .filter((c) => c.type)
          .map((c) => `    ${this.c(c.type!)} ${cField(c.name)};`);
        this.#checkMembers(
          body.cases.map((c) => c.name),
          what,
        );
        const union = payloads.length > 0 ? `\n  union {\n${payloads.join('\n')}\n  } val;` : '';
        const cases = body.cases.map(
          (c, i) =>
            `#define ${this.names.claim(`${base.toUpperCase()}_${shout(c.name)}`, `case ${c.name} of ${what}`)} ${i}`,
        );
        this.decls.push(
          `typedef struct ${base} {\n  ${tagType} tag;${union}\n} ${this.names.claim(`${base}_t`, what)};\n${cases.join('\n')}`,
        );
        return;
      }
      case 'enum': {
        const n = body.cases.length;
        const tagType = n <= 256 ? 'uint8_t' : n <= 65536 ? 'uint16_t' : 'uint32_t';
        const cases = body.cases.map(
          (c, i) =>
            `#define ${this.names.claim(`${base.toUpperCase()}_${shout(c)}`, `case ${c} of ${what}`)} ${i}`,
        );
        this.decls.push(`typedef ${tagType} ${this.names.claim(`${base}_t`, what)};\n${cases.join('\n')}`);
        return;
      }
      case 'flags': {
        const n = body.flags.length;
        if (n > 32)
          throw new Error(`${what}: flags with more than 32 members are not supported by the C SDK`);
        const size = flagsSize(n);
        const cType = size === 1 ? 'uint8_t' : size === 2 ? 'uint16_t' : 'uint32_t';
        const flags = body.flags.map(
          (f, i) =>
            `#define ${this.names.claim(`${base.toUpperCase()}_${shout(f)}`, `flag ${f} of ${what}`)} (((${cType})1) << ${i})`,
        );
        this.decls.push(`typedef ${cType} ${this.names.claim(`${base}_t`, what)};\n${flags.join('\n')}`);
        return;
      }
      case 'resource': {
        const owner = this.prefix(def.owner);
        const r = snake(def.name);
        const own = this.names.claim(`${owner}_own_${r}_t`, `own<${def.name}> of ${what}`);
        const decl = [`typedef struct {\n  int32_t __handle;\n} ${own};`];
        if (this.isExportedResource(def)) {
          decl.push(
            `/** Your representation of ${def.name}: define struct ${base} in your code. */`,
            `typedef struct ${base} ${this.names.claim(`${base}_t`, what)};`,
          );
        } else {
          const borrow = this.names.claim(`${owner}_borrow_${r}_t`, `borrow<${def.name}> of ${what}`);
          decl.push(`typedef struct {\n  int32_t __handle;\n} ${borrow};`);
        }
        this.decls.push(decl.join('\n'));
        return;
      }
    }
  }

  #checkMembers(names: string[], what: string): void {
    const seen = new Map<string, string>();
    for (const n of names) {
      const c = cField(n);
      const prev = seen.get(c);
      if (prev !== undefined) throw new Error(`${what}: ${prev} and ${n} both become \`${c}\` in C`);
      seen.set(c, n);
    }
  }

  /** Whether freeing a value of this type has anything to do. */
  needsFree(type: Type): boolean {
    const t = unalias(type);
    switch (t.kind) {
      case 'prim':
        return t.name === 'string';
      case 'list':
        return true;
      case 'own':
        return true;
      case 'borrow':
        return false;
      case 'option':
        return this.needsFree(t.some);
      case 'result':
        return (t.ok !== undefined && this.needsFree(t.ok)) || (t.err !== undefined && this.needsFree(t.err));
      case 'tuple':
        return t.types.some((x) => this.needsFree(x));
      case 'ref': {
        const b = t.def.body;
        if (b.kind === 'record') return b.fields.some((f) => this.needsFree(f.type));
        if (b.kind === 'variant') return b.cases.some((c) => c.type !== undefined && this.needsFree(c.type));
        return false;
      }
    }
  }

  /**
   * The statement that frees what `ptr` (a pointer expression to a value of `type`) owns, or
   * undefined when nothing needs freeing. Declares `<type>_free` functions as needed.
   */
  free(type: Type, ptr: string): string | undefined {
    if (!this.needsFree(type)) return undefined;
    const t = unalias(type);
    if (t.kind === 'prim') return `keel_string_free(${ptr});`;
    return `${this.freeFunction(t)}(${ptr});`;
  }

  /** `<ctype-without-_t>_free`, defined once. */
  freeFunction(type: Type): string {
    const cType = this.c(type);
    const name = `${cType.replace(/_t$/, '')}_free`;
    if (this.#freed.has(name)) return name;
    this.#freed.set(name, null);
    this.names.claim(name, `the free function of ${cType}`);
    const body: string[] = [];
    const t = unalias(type);
    const member = (mt: Type, expr: string) => {
      const s = this.free(mt, `&${expr}`);
      if (s) body.push(`  ${s}`);
    };
    switch (t.kind) {
      case 'list': {
        const inner = this.free(t.element, '&ptr->ptr[i]');
        if (inner) body.push(`  for (size_t i = 0; i < ptr->len; i++) ${inner}`);
        body.push('  if (ptr->len > 0) free(ptr->ptr);', '  ptr->ptr = NULL;', '  ptr->len = 0;');
        break;
      }
      case 'own': {
        body.push(`  ${this.prefix(t.resource.owner)}_${snake(t.resource.name)}_drop_own(*ptr);`);
        break;
      }
      case 'option':
        body.push('  if (ptr->is_some) {');
        member(t.some, 'ptr->val');
        body.push('  }');
        break;
      case 'result':
        body.push('  if (!ptr->is_err) {');
        if (t.ok) member(t.ok, 'ptr->val.ok');
        body.push('  } else {');
        if (t.err) member(t.err, 'ptr->val.err');
        body.push('  }');
        break;
      case 'tuple':
        t.types.forEach((x, i) => {
          member(x, `ptr->f${i}`);
        });
        break;
      case 'ref': {
        const b = t.def.body;
        if (b.kind === 'record') for (const f of b.fields) member(f.type, `ptr->${cField(f.name)}`);
        else if (b.kind === 'variant') {
          body.push('  switch (ptr->tag) {');
          b.cases.forEach((c, i) => {
            if (!c.type || !this.needsFree(c.type)) return;
            body.push(`    case ${i}:`);
            member(c.type, `ptr->val.${cField(c.name)}`);
            body.push('      break;');
          });
          body.push('  }');
        }
        break;
      }
      default:
        break;
    }
    this.freeDecls.push(
      `/** Free what a ${cType} owns (not the struct itself). */\nvoid ${name}(${cType} *ptr);`,
    );
    this.freeDefs.push(`void ${name}(${cType} *ptr) {\n${body.join('\n')}\n}`);
    return name;
  }
}
