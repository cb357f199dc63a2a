/**
 * Decoding a component binary into its AST (ast.ts). Every byte is bounds-checked; every name
 * is valid UTF-8 and checked against the component model's name grammar. What Keel does not
 * run is refused here, by section and feature: component-model async (async functions and
 * options, `stream`, `future`, `error-context`, the task and waitable builtins), value
 * definitions and `start`, GC core types, fixed-size lists. Refusals and malformed input are
 * `invalid-module`, never a stack trace.
 */
import { KeelError } from '../kernel/errors.js';
import { asciiText, type CoreModuleInfo, readCoreModuleInfo } from '../loader/core-info.js';
import { showName, versionSuffixProblem } from '../loader/names.js';
import { MalformedError, Reader } from '../meter/binary.js';
import type {
  AliasAst,
  AliasTargetAst,
  CanonAst,
  CanonOptionsAst,
  ComponentAst,
  CoreFuncTypeAst,
  CoreImportDescAst,
  CoreInstanceAst,
  CoreSort,
  CoreTypeAst,
  CoreValType,
  DeclAst,
  ExternDescAst,
  FuncTypeAst,
  InstanceAst,
  ItemAst,
  ModuleDeclAst,
  PrimName,
  Sort,
  TypeAst,
  TypeBoundAst,
  ValTypeRef,
} from './ast.js';
import { camelCase } from './js-names.js';
import { checkName, type NameRole } from './names.js';

/** The component binary version this parser reads (`0x0d 0x00`, then layer `0x01 0x00`). */
export const COMPONENT_VERSION = 0x0d;
/** Components nest rarely more than two or three deep (composition); deeper is refused. */
export const MAX_COMPONENT_DEPTH = 16;
/** Type definitions nest (instance types hold types, types hold types): bounded as well. */
export const MAX_TYPE_DEPTH = 64;

export const ASYNC_REFUSAL = 'component-model async is not supported yet';

const SECTION_NAMES = [
  'custom',
  'core module',
  'core instance',
  'core type',
  'component',
  'instance',
  'alias',
  'type',
  'canon',
  'start',
  'import',
  'export',
  'value',
];

/** Parse a component binary (preamble included). Throws `invalid-module`. */
export function parseComponent(bytes: Uint8Array): ComponentAst {
  const parser = new Parser(bytes);
  try {
    return parser.component(new Reader(bytes), 0);
  } catch (error) {
    if (error instanceof KeelError) throw error;
    if (error instanceof MalformedError || error instanceof RangeError) {
      throw new KeelError(
        'invalid-module',
        `malformed component${parser.where()}: ${(error as Error).message}`,
        { section: parser.section },
      );
    }
    throw error;
  }
}

/** `invalid-module` for a construct Keel does not run, naming the section and the feature. */
export function unsupported(section: string, feature: string): never {
  throw new KeelError('invalid-module', `unsupported component: ${feature} (${section} section)`, {
    section,
    feature,
  });
}

/** `invalid-module` for component-model async, by the construct that uses it. */
export function asyncRefused(section: string, feature: string): never {
  throw new KeelError('invalid-module', `${ASYNC_REFUSAL}: ${feature} (${section} section)`, {
    section,
    feature,
    async: true,
  });
}

const PRIMS: Record<number, PrimName> = {
  127: 'bool',
  126: 's8',
  125: 'u8',
  124: 's16',
  123: 'u16',
  122: 's32',
  121: 'u32',
  120: 's64',
  119: 'u64',
  118: 'f32',
  117: 'f64',
  116: 'char',
  115: 'string',
};

const CORE_SORTS: Record<number, CoreSort> = {
  0: 'core-func',
  1: 'core-table',
  2: 'core-memory',
  3: 'core-global',
  4: 'core-tag',
  16: 'core-type',
  17: 'core-module',
  18: 'core-instance',
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Parser {
  section = 'preamble';
  depth = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** The section being read, for a refusal: the preamble covers section headers too. */
  where(): string {
    return ` (${this.section} section)`;
  }

  hex(b: number): string {
    return `0x${b.toString(16).padStart(2, '0')}`;
  }

  malformed(message: string): never {
    throw new KeelError('invalid-module', `malformed component (${this.section} section): ${message}`, {
      section: this.section,
    });
  }

  name(r: Reader, role: NameRole, what: string): string {
    const text = this.text(r, what);
    checkName(text, role, what, this.section);
    return text;
  }

  /** A length-prefixed UTF-8 string, unchecked: `name` checks it against a grammar. */
  text(r: Reader, what: string): string {
    const length = r.u32();
    if (length > r.end - r.pos) this.malformed(`${what} name runs past its section`);
    let text = asciiText(r.bytes, r.pos, length);
    if (text === undefined) {
      try {
        text = utf8.decode(r.bytes.subarray(r.pos, r.pos + length));
      } catch {
        this.malformed(`${what} name is not valid UTF-8`);
      }
    }
    r.pos += length;
    return text;
  }

  vec<T>(r: Reader, each: (r: Reader) => T): T[] {
    const out: T[] = [];
    // Every item takes at least one byte: a count larger than what is left is malformed.
    const count = r.u32();
    if (count > r.end - r.pos) this.malformed(`a vector of ${count} items in ${r.end - r.pos} bytes`);
    for (let i = 0; i < count; i++) out.push(each(r));
    return out;
  }

  component(r: Reader, depth: number): ComponentAst {
    if (depth > MAX_COMPONENT_DEPTH) {
      unsupported('component', `components nested more than ${MAX_COMPONENT_DEPTH} deep`);
    }
    const magic = [0x00, 0x61, 0x73, 0x6d];
    for (const b of magic) if (r.byte() !== b) this.malformed('missing the \\0asm magic number');
    const version = r.byte() | (r.byte() << 8);
    const layer = r.byte() | (r.byte() << 8);
    if (layer !== 1) this.malformed('a nested component has a core module preamble');
    if (version !== COMPONENT_VERSION) {
      unsupported(
        'preamble',
        `component binary version ${this.hex(version)} (Keel reads ${this.hex(COMPONENT_VERSION)})`,
      );
    }
    const items: ItemAst[] = [];
    const outer = this.section;
    while (r.pos < r.end) {
      const id = r.byte();
      const size = r.u32();
      if (size > r.end - r.pos) this.malformed(`section ${id} runs past the end of the component`);
      const end = r.pos + size;
      const s = new Reader(r.bytes, r.pos, end);
      this.section = SECTION_NAMES[id] ?? `unknown (${id})`;
      this.read(id, s, items, depth);
      if (s.pos !== end) this.malformed('unexpected bytes at the end of the section');
      r.pos = end;
      this.section = outer;
    }
    return { items };
  }

  read(id: number, r: Reader, items: ItemAst[], depth: number): void {
    switch (id) {
      case 0:
        this.name(r, 'custom', 'custom section');
        r.pos = r.end;
        return;
      case 1: {
        const bytes = r.bytes.subarray(r.pos, r.end);
        r.pos = r.end;
        items.push({ kind: 'core-module', bytes, info: this.coreModule(bytes) });
        return;
      }
      case 2:
        for (const instance of this.vec(r, (x) => this.coreInstance(x))) {
          items.push({ kind: 'core-instance', instance });
        }
        return;
      case 3:
        for (const type of this.vec(r, (x) => this.coreType(x))) items.push({ kind: 'core-type', type });
        return;
      case 4: {
        const component = this.component(r, depth + 1);
        items.push({ kind: 'component', component });
        return;
      }
      case 5:
        for (const instance of this.vec(r, (x) => this.instance(x)))
          items.push({ kind: 'instance', instance });
        return;
      case 6:
        for (const alias of this.vec(r, (x) => this.alias(x))) items.push({ kind: 'alias', alias });
        return;
      case 7:
        for (const type of this.vec(r, (x) => this.type(x, 0))) items.push({ kind: 'type', type });
        return;
      case 8:
        for (const canon of this.vec(r, (x) => this.canon(x))) items.push({ kind: 'canon', canon });
        return;
      case 9:
        unsupported('start', 'component start functions (the component model value feature)');
        return;
      case 10:
        for (const item of this.vec(r, (x) => this.importDecl(x))) items.push({ kind: 'import', ...item });
        return;
      case 11:
        for (const item of this.vec(r, (x) => this.exportItem(x))) items.push(item);
        return;
      case 12:
        unsupported('value', 'component value definitions');
        return;
      default:
        this.malformed(`unknown section id ${id}`);
    }
  }

  /** A core module's imports and exports (its code is validated when it is compiled); names checked. */
  coreModule(bytes: Uint8Array): CoreModuleInfo {
    const info = readCoreModuleInfo(bytes);
    // One two-level name imported twice is one name to the component model (wasmparser refuses it).
    const seen = new Set<string>();
    for (const i of info.imports) {
      checkName(i.module, 'core', 'core module import module', this.section);
      checkName(i.name, 'core', 'core module import', this.section);
      const key = `${i.module}\u0000${i.name}`;
      if (seen.has(key))
        this.malformed(`a core module imports ${JSON.stringify(`${i.module}::${i.name}`)} twice`);
      seen.add(key);
    }
    for (const e of info.exports) checkName(e.name, 'core', 'core module export', this.section);
    return info;
  }

  coreSort(r: Reader): CoreSort {
    const b = r.byte();
    const sort = CORE_SORTS[b];
    if (!sort) this.malformed(`unknown core sort ${this.hex(b)}`);
    return sort;
  }

  sort(r: Reader): Sort {
    const b = r.byte();
    switch (b) {
      case 0x00:
        return this.coreSort(r);
      case 0x01:
        return 'func';
      case 0x02:
        unsupported(this.section, 'component values');
        return 'value';
      case 0x03:
        return 'type';
      case 0x04:
        return 'component';
      case 0x05:
        return 'instance';
      default:
        this.malformed(`unknown sort ${this.hex(b)}`);
    }
  }

  coreInstance(r: Reader): CoreInstanceAst {
    const b = r.byte();
    if (b === 0x00) {
      const module = r.u32();
      const args = this.vec(r, (x) => {
        const name = this.name(x, 'core', 'core instance argument');
        const kind = x.byte();
        if (kind !== 0x12) this.malformed(`core instantiation argument of sort ${this.hex(kind)}`);
        return { name, instance: x.u32() };
      });
      return { kind: 'instantiate', module, args };
    }
    if (b === 0x01) {
      const exports = this.vec(r, (x) => {
        const name = this.name(x, 'core', 'core instance export');
        return { name, sort: this.coreSort(x), index: x.u32() };
      });
      return { kind: 'exports', exports };
    }
    this.malformed(`unknown core instance form ${this.hex(b)}`);
  }

  coreValType(r: Reader): CoreValType {
    const b = r.byte();
    switch (b) {
      case 0x7f:
        return 'i32';
      case 0x7e:
        return 'i64';
      case 0x7d:
        return 'f32';
      case 0x7c:
        return 'f64';
      case 0x7b:
        return 'v128';
      case 0x70:
      case 0x6f:
        return 'ref';
      case 0x63:
      case 0x64:
        r.s33();
        return 'ref';
      default:
        if (b >= 0x69 && b <= 0x74) return 'ref';
        this.malformed(`unknown core value type ${this.hex(b)}`);
    }
  }

  coreFuncType(r: Reader): CoreFuncTypeAst {
    const params = this.vec(r, (x) => this.coreValType(x));
    const results = this.vec(r, (x) => this.coreValType(x));
    return { kind: 'func', params, results };
  }

  /** A core type of the component's core type space: a function type or a module type. */
  coreType(r: Reader): CoreTypeAst {
    const b = r.byte();
    if (b === 0x60) return this.coreFuncType(r);
    if (b === 0x50) return { kind: 'module', decls: this.vec(r, (x) => this.moduleDecl(x)) };
    if (b === 0x00 || b === 0x4e || b === 0x4f || b === 0x5e || b === 0x5f) {
      unsupported(this.section, 'core GC types (rec groups, structs, arrays, subtypes)');
    }
    this.malformed(`unknown core type form ${this.hex(b)}`);
  }

  /**
   * A module type's table or memory limits, held to what core validation asks of a module's
   * own (wasmparser validates module types as it validates modules): a minimum no greater than
   * the maximum, a memory of at most 2^16 pages (2^48 when 64-bit), a shared memory with a
   * maximum. Core modules themselves are V8's to validate.
   */
  limits(r: Reader, kind: 'table' | 'memory'): void {
    const flags = r.byte();
    if (flags > 0x07) this.malformed(`unknown limits flags ${this.hex(flags)}`);
    const read = () => (flags & 0x04 ? this.u64(r) : r.u32());
    const min = read();
    const max = flags & 0x01 ? read() : undefined;
    const what = `a ${kind} type's limits`;
    if (max !== undefined && min > max)
      this.invalid(`${what}: the minimum ${min} is greater than the maximum ${max}`);
    if (kind === 'memory') {
      const pages = flags & 0x04 ? 2 ** 48 : 2 ** 16;
      if (min > pages || (max !== undefined && max > pages))
        this.invalid(`${what}: memory size must be at most ${pages} pages`);
      if (flags & 0x02 && max === undefined) this.invalid(`${what}: a shared memory must have a maximum`);
    } else if (flags & 0x02) this.invalid(`${what}: a table cannot be shared`);
  }

  /** An unsigned LEB128 of at most 64 bits as a number (exact up to 2^53, which the bounds above are under). */
  u64(r: Reader): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = r.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    this.malformed('integer too long');
  }

  invalid(message: string): never {
    throw new KeelError('invalid-module', `invalid component (${this.section} section): ${message}`, {
      section: this.section,
    });
  }

  coreImportDesc(r: Reader): CoreImportDescAst {
    const b = r.byte();
    switch (b) {
      case 0x00:
        return { kind: 'func', type: r.u32() };
      case 0x01:
        this.coreValType(r);
        this.limits(r, 'table');
        return { kind: 'table' };
      case 0x02:
        this.limits(r, 'memory');
        return { kind: 'memory' };
      case 0x03: {
        this.coreValType(r);
        const mutability = r.byte();
        if (mutability > 1) this.malformed(`unknown global mutability ${mutability}`);
        return { kind: 'global' };
      }
      case 0x04:
        r.byte();
        r.u32();
        return { kind: 'tag' };
      default:
        this.malformed(`unknown core import kind ${this.hex(b)}`);
    }
  }

  moduleDecl(r: Reader): ModuleDeclAst {
    const b = r.byte();
    switch (b) {
      case 0x00: {
        const module = this.name(r, 'core', 'core type import module');
        const name = this.name(r, 'core', 'core type import');
        return { kind: 'import', module, name, desc: this.coreImportDesc(r) };
      }
      case 0x01: {
        const form = r.byte();
        if (form !== 0x60) unsupported(this.section, 'core GC types in a module type');
        return { kind: 'type', type: this.coreFuncType(r) };
      }
      case 0x02: {
        const sort = r.byte();
        if (sort !== 0x10) this.malformed(`module type alias of sort ${this.hex(sort)}`);
        const target = r.byte();
        if (target !== 0x01) this.malformed(`module type alias target ${this.hex(target)}`);
        return { kind: 'alias-outer', count: r.u32(), index: r.u32() };
      }
      case 0x03: {
        const name = this.name(r, 'core', 'core type export');
        return { kind: 'export', name, desc: this.coreImportDesc(r) };
      }
      default:
        this.malformed(`unknown module type declaration ${this.hex(b)}`);
    }
  }

  /**
   * An import or export name (Binary.md's `nameattributes`): `0x00` and `0x01` a name, `0x02` a
   * name and its attributes, each kind at most once. A version suffix (🔗) completes the name's
   * version and is then dropped, as the model ignores it but for validation (the name is what
   * instantiation matches and uniqueness compares); an external id (🏷️) is data Keel drops, held
   * to the core names' grammar as every name; `implements` (🏷️) would have the host serve the
   * import as another interface, which Keel does not: refused.
   */
  externName(r: Reader, role: 'import' | 'export', what: string = role): string {
    const b = r.byte();
    if (b === 0x00 || b === 0x01) return this.name(r, role, what);
    if (b !== 0x02) this.malformed(`${what} name form ${this.hex(b)} (not a nameattributes prefix)`);
    const name = this.text(r, what);
    let suffix: string | undefined;
    const seen = new Set<number>();
    this.vec(r, (x) => {
      const kind = x.byte();
      if (seen.has(kind))
        this.malformed(`${what} name ${showName(name)} has two attributes of kind ${this.hex(kind)}`);
      seen.add(kind);
      switch (kind) {
        case 0x00:
          unsupported(this.section, `the implements name attribute (${what} ${showName(name)})`);
          break;
        case 0x01:
          suffix = this.text(x, `${what} version suffix`);
          break;
        case 0x02:
          this.name(x, 'core', `${what} external id`);
          break;
        default:
          this.malformed(`unknown name attribute ${this.hex(kind)}`);
      }
    });
    if (suffix === undefined) {
      checkName(name, role, what, this.section);
      return name;
    }
    const problem = versionSuffixProblem(name, suffix);
    if (problem) {
      throw new KeelError(
        'invalid-module',
        `invalid component (${this.section} section): ${what} name ${showName(name)} ${problem} (version suffix ${showName(suffix)})`,
        { section: this.section, name: showName(name) },
      );
    }
    return name;
  }

  instance(r: Reader): InstanceAst {
    const b = r.byte();
    if (b === 0x00) {
      const component = r.u32();
      const args = this.vec(r, (x) => {
        // Uninterpreted in the component model (one that names no import is ignored); Keel holds it
        // to the core names' grammar: printable ASCII that cannot end a string, as every name is data.
        const name = this.name(x, 'core', 'instance argument');
        const sort = this.sort(x);
        return { name, sort, index: x.u32() };
      });
      return { kind: 'instantiate', component, args };
    }
    if (b === 0x01) {
      const exports = this.vec(r, (x) => {
        const name = this.externName(x, 'export', 'instance export');
        const sort = this.sort(x);
        return { name, sort, index: x.u32() };
      });
      return { kind: 'exports', exports };
    }
    this.malformed(`unknown instance form ${this.hex(b)}`);
  }

  alias(r: Reader): AliasAst {
    const sort = this.sort(r);
    const b = r.byte();
    let target: AliasTargetAst;
    if (b === 0x00) {
      const instance = r.u32();
      target = { kind: 'export', instance, name: this.name(r, 'export', 'alias of an instance export') };
    } else if (b === 0x01) {
      const instance = r.u32();
      target = {
        kind: 'core-export',
        instance,
        name: this.name(r, 'core', 'alias of a core instance export'),
      };
    } else if (b === 0x02) {
      target = { kind: 'outer', count: r.u32(), index: r.u32() };
    } else {
      this.malformed(`unknown alias target ${this.hex(b)}`);
    }
    return { sort, target };
  }

  valType(r: Reader): ValTypeRef {
    const b = r.bytes[r.pos];
    if (b !== undefined && PRIMS[b] !== undefined) {
      r.pos++;
      return { prim: PRIMS[b]! };
    }
    const index = r.s33();
    if (index < 0) this.malformed(`unknown value type ${this.hex(b ?? 0)}`);
    return { index };
  }

  optionalValType(r: Reader): ValTypeRef | undefined {
    const b = r.byte();
    if (b === 0x00) return undefined;
    if (b === 0x01) return this.valType(r);
    this.malformed(`bad optional value type marker ${this.hex(b)}`);
  }

  labels(r: Reader, what: string, keyed: boolean): string[] {
    const names = this.vec(r, (x) => this.name(x, 'label', what));
    if (new Set(names).size !== names.length) this.malformed(`duplicate ${what} name`);
    this.distinct(names, what, keyed);
    return names;
  }

  /**
   * The labels of one record, variant, flags or enum are distinct ignoring case (the component
   * model's rule, which wasmparser checks: `a` and `A` are one label) and, for fields and flags
   * (`keyed`), as the JavaScript keys of their host value: `a-BC` and `a-b-c` are both `aBC`, so
   * one field's value would overwrite the other's and a lowered field would read the other's.
   */
  distinct(names: readonly string[], what: string, keyed: boolean): void {
    // Labels without an upper-case word or a word of digits (nearly all) are distinct ignoring
    // case once they are distinct (checked before), and so are their JavaScript names (each
    // upper-case letter of a key marks a hyphen): nothing to allocate for them. A word of digits
    // leaves no mark (`a-1` and `a1` are both `a1`).
    if (names.length < 2 || !names.some((n) => UPPER_OR_DIGIT_WORD.test(n))) return;
    const lower = new Map<string, string>();
    const keys = new Map<string, string>();
    for (const n of names) {
      const same = lower.get(n.toLowerCase());
      if (same !== undefined)
        this.malformed(
          `${what} ${JSON.stringify(n)} conflicts with ${JSON.stringify(same)} (labels differ ignoring case)`,
        );
      lower.set(n.toLowerCase(), n);
      if (!keyed) continue;
      const key = camelCase(n);
      const other = keys.get(key);
      if (other !== undefined)
        unsupported(
          this.section,
          `${what}s ${JSON.stringify(other)} and ${JSON.stringify(n)} of one type, both ${JSON.stringify(key)} as JavaScript names`,
        );
      keys.set(key, n);
    }
  }

  type(r: Reader, depth: number): TypeAst {
    if (depth > MAX_TYPE_DEPTH) unsupported(this.section, `types nested more than ${MAX_TYPE_DEPTH} deep`);
    const b = r.byte();
    const prim = PRIMS[b];
    if (prim) return { kind: 'prim', prim };
    switch (b) {
      case 0x72: {
        const fields = this.vec(r, (x) => ({
          name: this.name(x, 'label', 'record field'),
          type: this.valType(x),
        }));
        if (fields.length === 0) this.malformed('a record with no fields');
        unique(fields, (n) => this.malformed(`duplicate record field ${JSON.stringify(n)}`));
        this.distinct(
          fields.map((f) => f.name),
          'record field',
          true,
        );
        return { kind: 'record', fields };
      }
      case 0x71: {
        const cases = this.vec(r, (x) => {
          const name = this.name(x, 'label', 'variant case');
          const type = this.optionalValType(x);
          const refines = x.byte();
          if (refines !== 0x00) unsupported(this.section, 'variant case refinements');
          return { name, type };
        });
        if (cases.length === 0) this.malformed('a variant with no cases');
        unique(cases, (n) => this.malformed(`duplicate variant case ${JSON.stringify(n)}`));
        this.distinct(
          cases.map((c) => c.name),
          'variant case',
          false,
        );
        return { kind: 'variant', cases };
      }
      case 0x70:
        return { kind: 'list', element: this.valType(r) };
      case 0x67:
        unsupported(this.section, 'fixed-size lists');
        break;
      case 0x63:
        // The Explainer's gated map<K, V> (its own canonical ABI: a list of key-value tuples).
        unsupported(this.section, 'map types');
        break;
      case 0x6f: {
        const types = this.vec(r, (x) => this.valType(x));
        // As records: a tuple of nothing would be a value of no bytes (lists of it free to make).
        if (types.length === 0) this.malformed('a tuple with no types');
        return { kind: 'tuple', types };
      }
      case 0x6e: {
        const names = this.labels(r, 'flag', true);
        if (names.length === 0) this.malformed('flags with no names');
        if (names.length > 32) unsupported(this.section, `flags with ${names.length} names (at most 32)`);
        return { kind: 'flags', names };
      }
      case 0x6d: {
        const names = this.labels(r, 'enum case', false);
        if (names.length === 0) this.malformed('an enum with no cases');
        return { kind: 'enum', names };
      }
      case 0x6b:
        return { kind: 'option', type: this.valType(r) };
      case 0x6a:
        return { kind: 'result', ok: this.optionalValType(r), err: this.optionalValType(r) };
      case 0x69:
        return { kind: 'own', index: r.u32() };
      case 0x68:
        return { kind: 'borrow', index: r.u32() };
      case 0x66:
        asyncRefused(this.section, 'stream types');
        break;
      case 0x65:
        asyncRefused(this.section, 'future types');
        break;
      case 0x64:
        asyncRefused(this.section, 'error-context types');
        break;
      case 0x40:
        return this.funcType(r);
      case 0x43:
        asyncRefused(this.section, 'async function types');
        break;
      case 0x41:
        return { kind: 'component', decls: this.vec(r, (x) => this.decl(x, 'component type', depth + 1)) };
      case 0x42:
        return { kind: 'instance', decls: this.vec(r, (x) => this.decl(x, 'instance type', depth + 1)) };
      case 0x3f: {
        const rep = this.coreValType(r);
        if (rep !== 'i32') unsupported(this.section, `resources represented as ${rep}`);
        const marker = r.byte();
        let dtor: number | undefined;
        if (marker === 0x01) dtor = r.u32();
        else if (marker !== 0x00) this.malformed(`bad resource destructor marker ${this.hex(marker)}`);
        return { kind: 'resource', rep, dtor };
      }
      case 0x3e:
        asyncRefused(this.section, 'resources with async destructors');
        break;
    }
    this.malformed(`unknown type form ${this.hex(b)}`);
  }

  funcType(r: Reader): FuncTypeAst {
    const params = this.vec(r, (x) => ({ name: this.name(x, 'label', 'parameter'), type: this.valType(x) }));
    unique(params, (n) => this.malformed(`duplicate parameter ${JSON.stringify(n)}`));
    // Parameter names are labels too: `foo` and `FOO` are one name (wasmparser refuses them).
    this.distinct(
      params.map((p) => p.name),
      'parameter',
      false,
    );
    const form = r.byte();
    let results: FuncTypeAst['results'];
    if (form === 0x00) results = [{ name: undefined, type: this.valType(r) }];
    else if (form === 0x01) {
      results = this.vec(r, (x) => ({
        name: this.name(x, 'label', 'result') as string | undefined,
        type: this.valType(x),
      }));
      unique(results as { name: string }[], (n) => this.malformed(`duplicate result ${JSON.stringify(n)}`));
    } else this.malformed(`unknown function result form ${this.hex(form)}`);
    return { kind: 'func', params, results };
  }

  decl(r: Reader, of: 'component type' | 'instance type', depth: number): DeclAst {
    const b = r.byte();
    switch (b) {
      case 0x00:
        return { kind: 'core-type', type: this.coreType(r) };
      case 0x01:
        return { kind: 'type', type: this.type(r, depth) };
      case 0x02:
        return { kind: 'alias', alias: this.alias(r) };
      case 0x03:
        if (of !== 'component type') this.malformed('an import declaration inside an instance type');
        return { kind: 'import', ...this.importDecl(r, `${of} import`) };
      case 0x04: {
        const name = this.externName(r, 'export', `${of} export`);
        return { kind: 'export', name, desc: this.externDesc(r) };
      }
      default:
        this.malformed(`unknown type declaration ${this.hex(b)}`);
    }
  }

  importDecl(r: Reader, what = 'import'): { name: string; desc: ExternDescAst } {
    const name = this.externName(r, 'import', what);
    return { name, desc: this.externDesc(r) };
  }

  typeBound(r: Reader): TypeBoundAst {
    const b = r.byte();
    if (b === 0x00) return { kind: 'eq', index: r.u32() };
    if (b === 0x01) return { kind: 'sub-resource' };
    this.malformed(`unknown type bound ${this.hex(b)}`);
  }

  externDesc(r: Reader): ExternDescAst {
    const b = r.byte();
    switch (b) {
      case 0x00: {
        const core = r.byte();
        if (core !== 0x11) this.malformed(`core extern of sort ${this.hex(core)}`);
        return { sort: 'core-module', index: r.u32() };
      }
      case 0x01:
        return { sort: 'func', index: r.u32() };
      case 0x02:
        unsupported(this.section, 'value imports and exports');
        break;
      case 0x03:
        return { sort: 'type', bound: this.typeBound(r) };
      case 0x04:
        return { sort: 'component', index: r.u32() };
      case 0x05:
        return { sort: 'instance', index: r.u32() };
    }
    this.malformed(`unknown extern descriptor ${this.hex(b)}`);
  }

  exportItem(r: Reader): ItemAst {
    const name = this.externName(r, 'export');
    const sort = this.sort(r);
    const index = r.u32();
    const marker = r.byte();
    let desc: ExternDescAst | undefined;
    if (marker === 0x01) desc = this.externDesc(r);
    else if (marker !== 0x00) this.malformed(`bad export type marker ${this.hex(marker)}`);
    return { kind: 'export', name, sort, index, desc };
  }

  canonOptions(r: Reader): CanonOptionsAst {
    const options: CanonOptionsAst = {
      encoding: undefined,
      memory: undefined,
      realloc: undefined,
      postReturn: undefined,
    };
    const seen = new Set<string>();
    const once = (key: string) => {
      if (seen.has(key)) this.malformed(`canonical option ${key} given twice`);
      seen.add(key);
    };
    for (let n = r.u32(); n > 0; n--) {
      const b = r.byte();
      switch (b) {
        case 0x00:
        case 0x01:
        case 0x02:
          once('string-encoding');
          options.encoding = b === 0x00 ? 'utf8' : b === 0x01 ? 'utf16' : 'latin1+utf16';
          break;
        case 0x03:
          once('memory');
          options.memory = r.u32();
          break;
        case 0x04:
          once('realloc');
          options.realloc = r.u32();
          break;
        case 0x05:
          once('post-return');
          options.postReturn = r.u32();
          break;
        case 0x06:
          asyncRefused(this.section, 'the async canonical option');
          break;
        case 0x07:
          asyncRefused(this.section, 'the callback canonical option');
          break;
        default:
          unsupported(this.section, `canonical option ${this.hex(b)}`);
      }
    }
    return options;
  }

  canon(r: Reader): CanonAst {
    const b = r.byte();
    switch (b) {
      case 0x00: {
        const sort = r.byte();
        if (sort !== 0x00) this.malformed(`canon lift of sort ${this.hex(sort)}`);
        const coreFunc = r.u32();
        const options = this.canonOptions(r);
        return { kind: 'lift', coreFunc, options, type: r.u32() };
      }
      case 0x01: {
        const sort = r.byte();
        if (sort !== 0x00) this.malformed(`canon lower of sort ${this.hex(sort)}`);
        const func = r.u32();
        return { kind: 'lower', func, options: this.canonOptions(r) };
      }
      case 0x02:
        return { kind: 'resource.new', type: r.u32() };
      case 0x03:
        return { kind: 'resource.drop', type: r.u32() };
      case 0x04:
        return { kind: 'resource.rep', type: r.u32() };
      case 0x07:
        asyncRefused(this.section, 'resource.drop async');
        break;
      case 0x40:
      case 0x41:
      case 0x42:
        unsupported(this.section, `the shared-everything threads builtin ${this.hex(b)}`);
        break;
      default:
        // 0x05 and 0x08-0x3f: task.*, context.*, backpressure, yield, subtask.*, stream.*,
        // future.*, error-context.*, waitable-set.*, waitable.* — all async machinery.
        if (b === 0x05 || (b >= 0x08 && b < 0x40))
          asyncRefused(this.section, `the canonical builtin ${this.hex(b)}`);
        this.malformed(`unknown canonical definition ${this.hex(b)}`);
    }
    this.malformed(`unknown canonical definition ${this.hex(b)}`);
  }
}

const UPPER_OR_DIGIT_WORD = /[A-Z]|-[0-9]/;

function unique<T extends { name: string | undefined }>(items: T[], fail: (name: string) => never): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (item.name === undefined) continue;
    if (seen.has(item.name)) fail(item.name);
    seen.add(item.name);
  }
}
