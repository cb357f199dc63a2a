/**
 * WIT text to a syntax tree: a lexer and a recursive-descent parser for the WIT grammar of the
 * component model (packages, nested packages, interfaces, worlds, `use`, `include`, type
 * definitions, resources, functions, feature gates). It reads both a guest's own sources and
 * the world wasm-tools prints once it has validated and flattened it, so every generator
 * starts from the same tree. Names are kept as written, `%` escapes removed: they are data.
 */

export class WitSyntaxError extends Error {
  override readonly name = 'WitSyntaxError';
}

/** A type as written: a primitive, a constructor with arguments, or a name. */
export type TypeExpr =
  | { kind: 'name'; name: string }
  | { kind: 'list'; element: TypeExpr; length?: number }
  | { kind: 'option'; some: TypeExpr }
  | { kind: 'result'; ok?: TypeExpr; err?: TypeExpr }
  | { kind: 'tuple'; types: TypeExpr[] }
  | { kind: 'borrow'; name: string }
  | { kind: 'future' | 'stream'; element?: TypeExpr };

export interface ParamSyntax {
  name: string;
  type: TypeExpr;
}

export interface FuncSyntax {
  name: string;
  params: ParamSyntax[];
  result?: TypeExpr;
  async?: boolean;
}

export interface ResourceFuncSyntax extends FuncSyntax {
  kind: 'constructor' | 'method' | 'static';
}

export type TypeDefSyntax =
  | { kind: 'alias'; name: string; type: TypeExpr }
  | { kind: 'record'; name: string; fields: ParamSyntax[] }
  | { kind: 'variant'; name: string; cases: { name: string; type?: TypeExpr }[] }
  | { kind: 'enum'; name: string; cases: string[] }
  | { kind: 'flags'; name: string; flags: string[] }
  | { kind: 'resource'; name: string; funcs: ResourceFuncSyntax[] };

/** `types`, or `ns:pkg/iface@1.0.0`. */
export interface UsePath {
  package?: string;
  interface: string;
  version?: string;
}

export interface UseSyntax {
  from: UsePath;
  names: { name: string; as?: string }[];
}

export interface InterfaceSyntax {
  name: string;
  uses: UseSyntax[];
  types: TypeDefSyntax[];
  funcs: FuncSyntax[];
}

export type ExternSyntax =
  | { kind: 'path'; path: UsePath }
  | { kind: 'func'; name: string; func: FuncSyntax }
  | { kind: 'interface'; name: string; body: InterfaceSyntax };

export interface WorldSyntax {
  name: string;
  imports: ExternSyntax[];
  exports: ExternSyntax[];
  uses: UseSyntax[];
  types: TypeDefSyntax[];
  includes: UsePath[];
}

export interface PackageSyntax {
  /** `keel:kernel@0.2.0` */
  name: string;
  interfaces: InterfaceSyntax[];
  worlds: WorldSyntax[];
}

/** One file: its own package (when declared) and any nested `package x { }` blocks. */
export interface FileSyntax {
  package?: string;
  interfaces: InterfaceSyntax[];
  worlds: WorldSyntax[];
  nested: PackageSyntax[];
}

type Token = { kind: 'id' | 'punct' | 'int' | 'version' | 'eof'; text: string; at: number };

const PUNCT = ['->', '{', '}', '(', ')', '<', '>', ',', ';', ':', '=', '.', '/', '@', '*', '_'];
const IDENT = /[A-Za-z%][A-Za-z0-9-]*/y;
const VERSION =
  /[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?/y;
const INT = /[0-9]+/y;

/** Split WIT into tokens; comments (doc comments too) are skipped. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let afterAt = false;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end + 1;
      continue;
    }
    if (source.startsWith('/*', i)) {
      // Block comments nest in WIT.
      let depth = 0;
      let j = i;
      while (j < source.length) {
        if (source.startsWith('/*', j)) {
          depth++;
          j += 2;
        } else if (source.startsWith('*/', j)) {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      if (depth !== 0) throw new WitSyntaxError(`unterminated block comment at ${position(source, i)}`);
      i = j;
      continue;
    }
    if (afterAt) {
      afterAt = false;
      VERSION.lastIndex = i;
      const m = VERSION.exec(source);
      if (m) {
        tokens.push({ kind: 'version', text: m[0], at: i });
        i += m[0].length;
        continue;
      }
    }
    IDENT.lastIndex = i;
    const id = /[A-Za-z%]/.test(c) ? IDENT.exec(source) : null;
    if (id) {
      tokens.push({ kind: 'id', text: id[0], at: i });
      i += id[0].length;
      continue;
    }
    INT.lastIndex = i;
    const int = /[0-9]/.test(c) ? INT.exec(source) : null;
    if (int) {
      tokens.push({ kind: 'int', text: int[0], at: i });
      i += int[0].length;
      continue;
    }
    const p = PUNCT.find((q) => source.startsWith(q, i));
    if (!p) throw new WitSyntaxError(`unexpected character ${JSON.stringify(c)} at ${position(source, i)}`);
    tokens.push({ kind: 'punct', text: p, at: i });
    if (p === '@') afterAt = true;
    i += p.length;
  }
  tokens.push({ kind: 'eof', text: '', at: source.length });
  return tokens;
}

function position(source: string, at: number): string {
  const before = source.slice(0, at);
  const line = before.split('\n').length;
  return `line ${line}, column ${at - before.lastIndexOf('\n')}`;
}

/** WIT identifiers: kebab-case words, each all lower or all upper case; `%` escapes a keyword. */
const WORD = /^(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*))*$/;

export function isWitIdentifier(name: string): boolean {
  return WORD.test(name);
}

class Parser {
  #i = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  #peek(offset = 0): Token {
    return this.tokens[Math.min(this.#i + offset, this.tokens.length - 1)]!;
  }

  #fail(message: string, token = this.#peek()): never {
    throw new WitSyntaxError(`${message} at ${position(this.source, token.at)}`);
  }

  #is(text: string, offset = 0): boolean {
    const t = this.#peek(offset);
    return (t.kind === 'punct' || t.kind === 'id') && t.text === text;
  }

  #eat(text: string): boolean {
    if (!this.#is(text)) return false;
    this.#i++;
    return true;
  }

  #expect(text: string): void {
    if (!this.#eat(text)) this.#fail(`expected "${text}", found "${this.#peek().text || 'end of input'}"`);
  }

  /** An identifier, `%` removed; keywords are accepted where the grammar is unambiguous. */
  #ident(): string {
    const t = this.#peek();
    if (t.kind !== 'id') this.#fail(`expected a name, found "${t.text || 'end of input'}"`);
    this.#i++;
    const name = t.text.startsWith('%') ? t.text.slice(1) : t.text;
    if (!isWitIdentifier(name)) this.#fail(`"${t.text}" is not a WIT identifier`, t);
    return name;
  }

  #version(): string {
    const t = this.#peek();
    if (t.kind !== 'version') this.#fail('expected a semantic version');
    this.#i++;
    return t.text;
  }

  /** `@since(version = 1.2.3)`, `@unstable(feature = x)`, `@deprecated(...)`: skipped. */
  #gates(): void {
    while (this.#is('@')) {
      this.#i++;
      this.#ident();
      this.#expect('(');
      let depth = 1;
      while (depth > 0) {
        const t = this.#peek();
        if (t.kind === 'eof') this.#fail('unterminated feature gate');
        if (t.text === '(') depth++;
        else if (t.text === ')') depth--;
        this.#i++;
      }
    }
  }

  file(): FileSyntax {
    const file: FileSyntax = { interfaces: [], worlds: [], nested: [] };
    this.#gates();
    if (this.#is('package') && !this.#packageIsNested()) {
      this.#i++;
      file.package = this.#packageName();
      this.#expect(';');
    }
    for (;;) {
      this.#gates();
      if (this.#peek().kind === 'eof') return file;
      if (this.#eat('package')) {
        const name = this.#packageName();
        this.#expect('{');
        const pkg: PackageSyntax = { name, interfaces: [], worlds: [] };
        for (;;) {
          this.#gates();
          if (this.#eat('}')) break;
          this.#topItem(pkg);
        }
        file.nested.push(pkg);
        continue;
      }
      this.#topItem(file);
    }
  }

  #packageIsNested(): boolean {
    // `package a:b@1.0.0 {` (nested) or `package a:b@1.0.0;` (the file's own).
    for (let j = this.#i + 1; j < this.tokens.length; j++) {
      const t = this.tokens[j]!;
      if (t.text === ';') return false;
      if (t.text === '{') return true;
      if (t.kind === 'eof') return false;
    }
    return false;
  }

  #packageName(): string {
    let name = `${this.#ident()}`;
    this.#expect(':');
    name += `:${this.#ident()}`;
    while (this.#eat(':')) name += `:${this.#ident()}`;
    while (this.#eat('/')) name += `/${this.#ident()}`;
    if (this.#eat('@')) name += `@${this.#version()}`;
    return name;
  }

  #topItem(into: { interfaces: InterfaceSyntax[]; worlds: WorldSyntax[] }): void {
    if (this.#eat('interface')) {
      const name = this.#ident();
      into.interfaces.push(this.#interfaceBody(name));
    } else if (this.#eat('world')) {
      into.worlds.push(this.#world());
    } else if (this.#eat('use')) {
      // A top-level `use a:b/c as d;` only names an interface for other items of the file.
      this.#usePath();
      if (this.#eat('as')) this.#ident();
      this.#expect(';');
    } else {
      this.#fail(`expected "interface", "world", "package" or "use", found "${this.#peek().text}"`);
    }
  }

  #interfaceBody(name: string): InterfaceSyntax {
    const iface: InterfaceSyntax = { name, uses: [], types: [], funcs: [] };
    this.#expect('{');
    for (;;) {
      this.#gates();
      if (this.#eat('}')) return iface;
      if (this.#eat('use')) {
        iface.uses.push(this.#use());
        continue;
      }
      const def = this.#typeDef();
      if (def) {
        iface.types.push(def);
        continue;
      }
      const fname = this.#ident();
      this.#expect(':');
      iface.funcs.push(this.#func(fname));
      this.#expect(';');
    }
  }

  #world(): WorldSyntax {
    const world: WorldSyntax = {
      name: this.#ident(),
      imports: [],
      exports: [],
      uses: [],
      types: [],
      includes: [],
    };
    this.#expect('{');
    for (;;) {
      this.#gates();
      if (this.#eat('}')) return world;
      if (this.#is('import') || this.#is('export')) {
        const direction = this.#peek().text;
        this.#i++;
        (direction === 'import' ? world.imports : world.exports).push(this.#extern());
        continue;
      }
      if (this.#eat('use')) {
        world.uses.push(this.#use());
        continue;
      }
      if (this.#eat('include')) {
        world.includes.push(this.#usePath());
        if (this.#eat('with')) {
          this.#expect('{');
          while (!this.#eat('}')) {
            this.#ident();
            this.#expect('as');
            this.#ident();
            this.#eat(',');
          }
        }
        this.#expect(';');
        continue;
      }
      const def = this.#typeDef();
      if (def) {
        world.types.push(def);
        continue;
      }
      this.#fail(`unexpected "${this.#peek().text}" in world ${world.name}`);
    }
  }

  #extern(): ExternSyntax {
    // `name: func(...)`, `name: interface { }`, or a path `a:b/c@1.0.0` / `iface`.
    if (this.#peek().kind === 'id' && this.#is(':', 1) && !this.#isPackagePath()) {
      const name = this.#ident();
      this.#expect(':');
      if (this.#eat('interface')) return { kind: 'interface', name, body: this.#interfaceBody(name) };
      const func = this.#func(name);
      this.#expect(';');
      return { kind: 'func', name, func };
    }
    const path = this.#usePath();
    this.#expect(';');
    return { kind: 'path', path };
  }

  /** After `ns:`, a package path continues with `pkg/`; a named extern with `func`/`interface`. */
  #isPackagePath(): boolean {
    const after = this.#peek(2);
    const next = this.#peek(3);
    if (after.kind !== 'id') return false;
    if (after.text === 'func' || after.text === 'interface' || after.text === 'async') {
      return next.text === '/' || next.text === ':';
    }
    return true;
  }

  #usePath(): UsePath {
    const first = this.#ident();
    if (!this.#eat(':')) return { interface: first };
    let pkg = `${first}:${this.#ident()}`;
    while (this.#eat(':')) pkg += `:${this.#ident()}`;
    this.#expect('/');
    let iface = this.#ident();
    while (this.#eat('/')) iface += `/${this.#ident()}`;
    const path: UsePath = { package: pkg, interface: iface };
    if (this.#eat('@')) path.version = this.#version();
    return path;
  }

  #use(): UseSyntax {
    const from = this.#usePath();
    this.#expect('.');
    this.#expect('{');
    const names: { name: string; as?: string }[] = [];
    while (!this.#eat('}')) {
      const name = this.#ident();
      names.push(this.#eat('as') ? { name, as: this.#ident() } : { name });
      if (!this.#eat(',')) {
        this.#expect('}');
        break;
      }
    }
    this.#expect(';');
    return { from, names };
  }

  #typeDef(): TypeDefSyntax | undefined {
    const t = this.#peek();
    if (t.kind !== 'id' || this.#is(':', 1)) return undefined;
    switch (t.text) {
      case 'type': {
        this.#i++;
        const name = this.#ident();
        this.#expect('=');
        const type = this.#type();
        this.#expect(';');
        return { kind: 'alias', name, type };
      }
      case 'record': {
        this.#i++;
        const name = this.#ident();
        return { kind: 'record', name, fields: this.#braced(() => this.#param()) };
      }
      case 'variant': {
        this.#i++;
        const name = this.#ident();
        const cases = this.#braced(() => {
          const caseName = this.#ident();
          if (!this.#eat('(')) return { name: caseName };
          const type = this.#type();
          this.#expect(')');
          return { name: caseName, type };
        });
        return { kind: 'variant', name, cases };
      }
      case 'enum': {
        this.#i++;
        const name = this.#ident();
        return { kind: 'enum', name, cases: this.#braced(() => this.#ident()) };
      }
      case 'flags': {
        this.#i++;
        const name = this.#ident();
        return { kind: 'flags', name, flags: this.#braced(() => this.#ident()) };
      }
      case 'resource': {
        this.#i++;
        const name = this.#ident();
        const funcs: ResourceFuncSyntax[] = [];
        if (this.#eat(';')) return { kind: 'resource', name, funcs };
        this.#expect('{');
        for (;;) {
          this.#gates();
          if (this.#eat('}')) break;
          if (this.#eat('constructor')) {
            this.#expect('(');
            const params = this.#params();
            const ctor: ResourceFuncSyntax = { kind: 'constructor', name: 'constructor', params };
            if (this.#eat('->')) ctor.result = this.#type();
            this.#expect(';');
            funcs.push(ctor);
            continue;
          }
          const fname = this.#ident();
          this.#expect(':');
          const isStatic = this.#eat('static');
          funcs.push({ ...this.#func(fname), kind: isStatic ? 'static' : 'method' });
          this.#expect(';');
        }
        return { kind: 'resource', name, funcs };
      }
      default:
        return undefined;
    }
  }

  /** `{ a, b, c }` with an optional trailing comma. */
  #braced<T>(item: () => T): T[] {
    this.#expect('{');
    const items: T[] = [];
    while (!this.#eat('}')) {
      items.push(item());
      if (!this.#eat(',')) {
        this.#expect('}');
        break;
      }
    }
    return items;
  }

  #param(): ParamSyntax {
    const name = this.#ident();
    this.#expect(':');
    return { name, type: this.#type() };
  }

  /** After `(`: parameters up to and including `)`. */
  #params(): ParamSyntax[] {
    const params: ParamSyntax[] = [];
    while (!this.#eat(')')) {
      params.push(this.#param());
      if (!this.#eat(',')) {
        this.#expect(')');
        break;
      }
    }
    return params;
  }

  #func(name: string): FuncSyntax {
    const isAsync = this.#eat('async');
    this.#expect('func');
    this.#expect('(');
    const fn: FuncSyntax = { name, params: this.#params() };
    if (isAsync) fn.async = true;
    if (this.#eat('->')) {
      if (this.#is('(')) {
        // Named results (an older form): `-> (a: u32)` is one result, `-> ()` none.
        this.#i++;
        const results = this.#params();
        if (results.length > 1) this.#fail(`${name}: more than one named result is not WIT 0.2`);
        if (results.length === 1) fn.result = results[0]!.type;
      } else fn.result = this.#type();
    }
    return fn;
  }

  #type(): TypeExpr {
    const t = this.#peek();
    if (t.kind !== 'id') this.#fail(`expected a type, found "${t.text || 'end of input'}"`);
    const generic = this.#is('<', 1);
    switch (generic ? t.text : '') {
      case 'list': {
        this.#i += 2;
        const element = this.#type();
        let length: number | undefined;
        if (this.#eat(',')) {
          const n = this.#peek();
          if (n.kind !== 'int') this.#fail('expected a list length');
          this.#i++;
          length = Number(n.text);
        }
        this.#expect('>');
        return length === undefined ? { kind: 'list', element } : { kind: 'list', element, length };
      }
      case 'option': {
        this.#i += 2;
        const some = this.#type();
        this.#expect('>');
        return { kind: 'option', some };
      }
      case 'result': {
        this.#i += 2;
        const result: { kind: 'result'; ok?: TypeExpr; err?: TypeExpr } = { kind: 'result' };
        if (!this.#eat('_')) result.ok = this.#type();
        if (this.#eat(',')) result.err = this.#type();
        this.#expect('>');
        return result;
      }
      case 'tuple': {
        this.#i += 2;
        const types: TypeExpr[] = [];
        while (!this.#eat('>')) {
          types.push(this.#type());
          if (!this.#eat(',')) {
            this.#expect('>');
            break;
          }
        }
        return { kind: 'tuple', types };
      }
      case 'borrow':
      case 'own': {
        this.#i += 2;
        const name = this.#ident();
        this.#expect('>');
        return t.text === 'borrow' ? { kind: 'borrow', name } : { kind: 'name', name };
      }
      case 'future':
      case 'stream': {
        this.#i += 2;
        const element = this.#type();
        this.#expect('>');
        return { kind: t.text as 'future' | 'stream', element };
      }
      default:
        if (t.text === 'result' || t.text === 'future' || t.text === 'stream') {
          this.#i++;
          return t.text === 'result' ? { kind: 'result' } : { kind: t.text as 'future' | 'stream' };
        }
        return { kind: 'name', name: this.#ident() };
    }
  }
}

/** Parse one WIT source text. */
export function parseWit(source: string): FileSyntax {
  return new Parser(source, tokenize(source)).file();
}
