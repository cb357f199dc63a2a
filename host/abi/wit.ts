/**
 * WIT text of resolved types, for signatures (`keel inspect`, the world description) and for
 * error messages: `func(s: string) -> result<descriptor, error-code>`. Named types show their
 * names; types without one show their structure. A type's text is cut at `MAX_TYPE_TEXT`
 * characters (`…`): a small definition can describe a huge type (a shared type used twice at
 * every level), and its text is never written out whole.
 */
import type { FuncType, ValType } from './types.js';

/** Characters of one type's text, past which it ends in `…`. */
export const MAX_TYPE_TEXT = 400;

class Text {
  readonly parts: string[] = [];
  length = 0;
  constructor(readonly max: number) {}
  get full(): boolean {
    return this.length > this.max;
  }
  add(s: string): this {
    if (this.full) return this;
    this.parts.push(s);
    this.length += s.length;
    return this;
  }
  toString(): string {
    const s = this.parts.join('');
    return s.length > this.max ? `${s.slice(0, this.max)}…` : s;
  }
}

export function typeText(t: ValType, max = MAX_TYPE_TEXT): string {
  const out = new Text(max);
  write(t, out);
  return out.toString();
}

function list<T>(items: readonly T[], each: (item: T) => void, out: Text): void {
  for (let i = 0; i < items.length && !out.full; i++) {
    if (i > 0) out.add(', ');
    each(items[i]!);
  }
}

function write(t: ValType, out: Text): Text {
  if (out.full) return out;
  if (t.kind === 'own') return out.add(t.resource.name);
  if (t.kind === 'borrow') return out.add(`borrow<${t.resource.name}>`);
  if (t.name !== undefined) return out.add(t.name);
  switch (t.kind) {
    case 'list':
      out.add('list<');
      write(t.element, out);
      return out.add('>');
    case 'tuple':
      out.add('tuple<');
      list(t.types, (e) => write(e, out), out);
      return out.add('>');
    case 'option':
      out.add('option<');
      write(t.type, out);
      return out.add('>');
    case 'result':
      if (!t.ok && !t.err) return out.add('result');
      out.add('result<');
      if (t.ok) write(t.ok, out);
      else out.add('_');
      if (t.err) {
        out.add(', ');
        write(t.err, out);
      }
      return out.add('>');
    case 'record':
      out.add('record { ');
      list(
        t.fields,
        (f) => {
          out.add(`${f.name}: `);
          write(f.type, out);
        },
        out,
      );
      return out.add(' }');
    case 'variant':
      out.add('variant { ');
      list(
        t.cases,
        (c) => {
          out.add(c.name);
          if (c.type) {
            out.add('(');
            write(c.type, out);
            out.add(')');
          }
        },
        out,
      );
      return out.add(' }');
    case 'enum':
      out.add('enum { ');
      list(t.names, (n) => out.add(n), out);
      return out.add(' }');
    case 'flags':
      out.add('flags { ');
      list(t.names, (n) => out.add(n), out);
      return out.add(' }');
    default:
      return out.add(t.kind);
  }
}

/** A function's text, each parameter and result type written by `writeType`. */
function writeFunc(ft: FuncType, out: Text, writeType: (t: ValType, out: Text) => void): string {
  out.add('func(');
  list(
    ft.params,
    (p) => {
      out.add(`${p.name}: `);
      writeType(p.type, out);
    },
    out,
  );
  out.add(')');
  if (ft.results.length === 1 && ft.results[0]!.name === undefined) {
    out.add(' -> ');
    writeType(ft.results[0]!.type, out);
  } else if (ft.results.length > 0) {
    out.add(' -> (');
    list(
      ft.results,
      (r) => {
        out.add(`${r.name}: `);
        writeType(r.type, out);
      },
      out,
    );
    out.add(')');
  }
  return out.toString();
}

/** A function's WIT text, each type's text cut at `MAX_TYPE_TEXT` (the whole is not cut). */
export function funcText(ft: FuncType): string {
  return writeFunc(ft, new Text(Number.POSITIVE_INFINITY), (t, out) => out.add(typeText(t)));
}

/**
 * `funcText` cut at `max` characters (`…`), for error messages: a component's function may have
 * thousands of parameters, each of a type whose text is itself cut at `MAX_TYPE_TEXT`.
 */
export function funcTextBounded(ft: FuncType, max: number): string {
  return writeFunc(ft, new Text(max), write);
}
