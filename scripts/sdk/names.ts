/**
 * WIT names as identifiers of a target language. WIT names are data from the user's WIT (and
 * so from whoever wrote it): they are checked against WIT's identifier grammar, turned into the
 * target's spelling, kept off its keywords, and every generated name is registered so that two
 * WIT names that collide after conversion (`a-b` in `x` and `b` in `x-a`) fail the build
 * instead of silently shadowing each other.
 */
import { isWitIdentifier } from './wit/syntax.js';

export class NameError extends Error {
  override readonly name = 'NameError';
}

function words(name: string): string[] {
  if (!isWitIdentifier(name)) throw new NameError(`${JSON.stringify(name)} is not a WIT identifier`);
  return name.split('-');
}

/** `get-value` → `get_value` */
export function snake(name: string): string {
  return words(name)
    .map((w) => w.toLowerCase())
    .join('_');
}

/** `get-value` → `GET_VALUE` */
export function shout(name: string): string {
  return snake(name).toUpperCase();
}

/** `get-value` → `getValue` */
export function camel(name: string): string {
  const [first, ...rest] = words(name).map((w) => w.toLowerCase());
  return first + rest.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** `get-value` → `GetValue` */
export function pascal(name: string): string {
  const c = camel(name);
  return c[0]!.toUpperCase() + c.slice(1);
}

/** A package or interface id in identifier parts: `keel:sdk-probe/types@0.1.0` → `keel_sdk_probe_types`. */
export function idParts(id: string): string[] {
  const base = id.replace(/@.*$/, '');
  return base.split(/[:/]/).map(snake);
}

/** Registers generated names; a second WIT thing with the same generated name is an error. */
export class NameTable {
  readonly #names = new Map<string, string>();
  constructor(private readonly language: string) {}

  claim(name: string, what: string): string {
    const previous = this.#names.get(name);
    if (previous !== undefined && previous !== what) {
      throw new NameError(
        `${previous} and ${what} both become \`${name}\` in ${this.language}; rename one in the WIT`,
      );
    }
    this.#names.set(name, what);
    return name;
  }
}

/** A string literal for C (and C-like languages): ASCII printable kept, everything else escaped. */
export function cString(text: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(text)) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte === 0x3f)
      out += '\\?'; // no trigraphs
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** A string literal for Rust: printable ASCII kept, everything else as `\u{...}`. */
export function rustString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else out += `\\u{${cp.toString(16)}}`;
  }
  return `${out}"`;
}
