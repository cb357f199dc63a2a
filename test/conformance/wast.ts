/**
 * A reader for the component model's `.wast` scripts (WebAssembly/component-model, test/): the
 * script split into its top-level commands, each an s-expression with the source text it came
 * from (so that a component's text can be handed to wasm-tools' parser as written). Strings keep
 * their escapes decoded to bytes; comments (`;;` to the end of a line, `(; ;)` nested) are skipped.
 * Test data only: nothing read here becomes code.
 */

export type SExpr = Atom | Str | List;
export interface Atom {
  kind: 'atom';
  text: string;
}
export interface Str {
  kind: 'string';
  /** The string's bytes, escapes decoded (`\ff` is one byte, `\u{1F370}` its UTF-8). */
  bytes: Uint8Array;
}
export interface List {
  kind: 'list';
  items: SExpr[];
  /** Offsets of `(` and one past `)` in the script. */
  start: number;
  end: number;
}

export interface Command {
  expr: List;
  /** The command's text as written. */
  text: string;
  /** 1-based line of its `(`. */
  line: number;
}

const HEX = /^[0-9a-fA-F]$/;
const encoder = new TextEncoder();

/** Splits a script into its top-level commands. Throws on unbalanced parentheses or an unclosed string. */
export function readCommands(source: string): Command[] {
  const reader = new Reader(source);
  const commands: Command[] = [];
  for (;;) {
    reader.skipSpace();
    if (reader.done()) return commands;
    const expr = reader.read();
    if (expr.kind !== 'list') throw new Error(`line ${reader.lineAt(reader.pos)}: a top-level atom`);
    commands.push({ expr, text: source.slice(expr.start, expr.end), line: reader.lineAt(expr.start) });
  }
}

class Reader {
  pos = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.pos >= this.s.length;
  }

  lineAt(offset: number): number {
    let line = 1;
    for (let i = 0; i < offset; i++) if (this.s.charCodeAt(i) === 10) line++;
    return line;
  }

  skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r') this.pos++;
      else if (c === ';' && s[this.pos + 1] === ';') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else if (c === '(' && s[this.pos + 1] === ';') this.blockComment();
      else return;
    }
  }

  private blockComment(): void {
    let depth = 0;
    const s = this.s;
    while (this.pos < s.length) {
      if (s[this.pos] === '(' && s[this.pos + 1] === ';') {
        depth++;
        this.pos += 2;
      } else if (s[this.pos] === ';' && s[this.pos + 1] === ')') {
        depth--;
        this.pos += 2;
        if (depth === 0) return;
      } else this.pos++;
    }
    throw new Error('an unclosed block comment');
  }

  read(): SExpr {
    this.skipSpace();
    const s = this.s;
    const c = s[this.pos];
    if (c === undefined) throw new Error('unexpected end of script');
    if (c === '(') {
      const start = this.pos++;
      const items: SExpr[] = [];
      for (;;) {
        this.skipSpace();
        if (this.done()) throw new Error(`line ${this.lineAt(start)}: an unclosed (`);
        if (s[this.pos] === ')') {
          this.pos++;
          return { kind: 'list', items, start, end: this.pos };
        }
        items.push(this.read());
      }
    }
    if (c === ')') throw new Error(`line ${this.lineAt(this.pos)}: an unmatched )`);
    if (c === '"') return this.string();
    const start = this.pos;
    while (this.pos < s.length && !' \n\t\r()";'.includes(s[this.pos]!)) this.pos++;
    return { kind: 'atom', text: s.slice(start, this.pos) };
  }

  private string(): Str {
    const s = this.s;
    const out: number[] = [];
    this.pos++;
    for (;;) {
      if (this.pos >= s.length) throw new Error('an unclosed string');
      const c = s[this.pos]!;
      if (c === '"') {
        this.pos++;
        return { kind: 'string', bytes: Uint8Array.from(out) };
      }
      if (c !== '\\') {
        const cp = s.codePointAt(this.pos)!;
        const ch = String.fromCodePoint(cp);
        for (const b of encoder.encode(ch)) out.push(b);
        this.pos += ch.length;
        continue;
      }
      const e = s[this.pos + 1];
      this.pos += 2;
      if (e === 'n') out.push(10);
      else if (e === 't') out.push(9);
      else if (e === 'r') out.push(13);
      else if (e === '"' || e === "'" || e === '\\') out.push(e.charCodeAt(0));
      else if (e === 'u') {
        const close = s.indexOf('}', this.pos);
        if (s[this.pos] !== '{' || close < 0) throw new Error('a bad \\u escape');
        const cp = Number.parseInt(s.slice(this.pos + 1, close), 16);
        for (const b of encoder.encode(String.fromCodePoint(cp))) out.push(b);
        this.pos = close + 1;
      } else if (e !== undefined && HEX.test(e) && HEX.test(s[this.pos] ?? '')) {
        out.push(Number.parseInt(e + s[this.pos]!, 16));
        this.pos++;
      } else throw new Error(`a bad escape \\${e}`);
    }
  }
}

/** The head atom of a list (`component`, `assert_return`), or undefined. */
export function head(expr: SExpr): string | undefined {
  return expr.kind === 'list' && expr.items[0]?.kind === 'atom' ? expr.items[0].text : undefined;
}

/** A string's text (UTF-8; throws on bytes that are not). */
export function text(expr: SExpr | undefined): string {
  if (expr?.kind !== 'string') throw new Error('expected a string');
  return new TextDecoder('utf-8', { fatal: true }).decode(expr.bytes);
}
