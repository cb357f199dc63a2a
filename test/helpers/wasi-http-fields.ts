/**
 * The slice of wasi:http@0.2.3's `types` interface that the hostile `fields` tests import (no
 * grant needed: `fields` is a plain resource), so each test writes only its own world's exports
 * and the members of `fields` it uses.
 */

/** The interface's import name, as a core module imports its functions. */
export const HTTP_TYPES = 'wasi:http/types@0.2.3';

/**
 * A WIT document: world `world` of package test:hostile importing wasi:http's types, with the
 * given export lines (doc comments included), and the types interface declaring `fields` with
 * the given members (its `field-key`/`field-name`/`field-value` and `header-error` as in WASI).
 */
export function fieldsWorld(world: string, exports: readonly string[], members: readonly string[]): string {
  const indent = (lines: readonly string[], by: string) => lines.map((line) => `${by}${line}\n`).join('');
  return `package test:hostile;
world ${world} {
  import ${HTTP_TYPES};
${indent(exports, '  ')}}
package wasi:http@0.2.3 { interface types {
  type field-key = string;
  type field-name = field-key;
  type field-value = list<u8>;
  variant header-error { invalid-syntax, forbidden, immutable }
  resource fields {
${indent(members, '    ')}  }
} }
`;
}
