/**
 * The grammar of names a module may carry. Names are data: they are checked here before any
 * tool sees them, so that a name can never close a string literal or a comment in text that
 * some tool writes from it (generated glue, logs, WIT).
 *
 * Component-level names follow the component model's grammar (Explainer.md, "Import and
 * Export Definitions"); names inside core modules, which the component model leaves free, must
 * use a conservative character set.
 */

/** Longest name accepted anywhere (bytes of UTF-8); real toolchains stay far below. */
export const MAX_NAME_BYTES = 1024;

const FRAGMENT = '(?:[a-z][0-9a-z]*|[A-Z][0-9A-Z]*)';
// After the first, a fragment may be digits alone (`sha-256`, `a11-B11-123-ABC-abc`): the Explainer's
// grammar, which wasm-tools reads; a label never starts with a digit.
const LABEL = `${FRAGMENT}(?:-(?:${FRAGMENT}|[0-9]+))*`;
/**
 * A namespace or a package: lower-case words, the first starting with a letter, the others
 * perhaps digits alone (`ns-1-a`, `b-1-c`). Never an upper-case word: `ns:A/b` is not a name
 * (the Explainer's `words`; kebab.wast 14087d7, lines 4, 82, 90).
 */
const WORDS = '[a-z][0-9a-z]*(?:-[0-9a-z]+)*';
const NUMERIC = '(?:0|[1-9][0-9]*)';
const IDENTIFIER = '[0-9A-Za-z-]+';
const SEMVER = `${NUMERIC}\\.${NUMERIC}\\.${NUMERIC}(?:-${IDENTIFIER}(?:\\.${IDENTIFIER})*)?(?:\\+${IDENTIFIER}(?:\\.${IDENTIFIER})*)?`;

const LABEL_RE = new RegExp(`^${LABEL}$`);
/** `[constructor]r`, `[method]r.m`, `[static]r.f` (and their async forms), or a label. */
const PLAIN_RE = new RegExp(
  `^(?:${LABEL}|\\[(?:async )?constructor\\]${LABEL}|\\[(?:async )?(?:method|static)\\]${LABEL}\\.${LABEL}|\\[async\\]${LABEL})$`,
);
/**
 * `ns:pkg/iface@1.2.3`: one namespace, one package, one projection (a label). Nested namespaces
 * (`a:b:c/d`) and nested projections (`a:b/c/d`) are the Explainer's gated future syntax (🪺),
 * which wasmparser refuses.
 */
const INTERFACE_RE = new RegExp(`^${WORDS}:${WORDS}/${LABEL}(?:@${SEMVER})?$`);

/**
 * A version an interface name may end with when a version suffix completes it (Explainer.md,
 * `canonversion`): `1`, `0.2`, `0.0.1`, the part of a version that semver-compatible versions
 * share. Alone it is no version (`a:b/c@1` is refused); with a suffix it is the name.
 */
const CANONVERSION_RE = /^(?:[1-9][0-9]*|0\.[1-9][0-9]*|0\.0\.[1-9][0-9]*)$/;

/**
 * Core names (core module imports and exports, core instance arguments and exports): printable
 * ASCII without the characters that end a string or a template literal in JavaScript.
 */
const CORE_RE = /^[\x20-\x7e]*$/;
const CORE_FORBIDDEN = /['"`\\]|\$\{|\/\*|\*\/|\/\/|<!--|-->/;

export type NameRole =
  /** A component import name (plain or interface name). */
  | 'import'
  /** A component export name, an instance export name. */
  | 'export'
  /** A field, case, flag, enum case or parameter label. */
  | 'label'
  /** A name inside or between core modules. */
  | 'core';

/** Why `name` is not acceptable in `role`, or undefined when it is. */
export function nameProblem(name: string, role: NameRole): string | undefined {
  if (overLength(name)) return `longer than ${MAX_NAME_BYTES} bytes`;
  switch (role) {
    case 'label':
      return LABEL_RE.test(name) ? undefined : 'not a kebab-case label';
    case 'import':
    case 'export':
      return PLAIN_RE.test(name) || INTERFACE_RE.test(name)
        ? undefined
        : 'not a plain name (kebab-case label) nor an interface name (ns:pkg/iface@version)';
    case 'core':
      if (wordChars(name)) return undefined;
      if (!CORE_RE.test(name)) return 'has a character outside printable ASCII';
      return CORE_FORBIDDEN.test(name) ? 'has a quote, backslash, `${`, or comment marker' : undefined;
  }
}

/**
 * Why `name` may not carry the version suffix `suffix` (Binary.md's `versionsuffix` attribute,
 * 🔗), or undefined when it may: `name` is an interface name whose version is a `canonversion`,
 * and the two together are an interface name with a valid semver (`a:b/c@1` and `.2.3`,
 * `a:b/c@0.0.1` and `-alpha`; an empty suffix is none, but still needs the canonversion). Keel's
 * reading beside the model's: a suffix continues the version (it starts with `.`, `-` or `+`),
 * never lengthens its last number (`@1` and `2.3.4` is not `@12.3.4`). The suffix is otherwise
 * ignored, as the model says: the name is the interface name without it.
 */
export function versionSuffixProblem(name: string, suffix: string): string | undefined {
  if (overLength(name) || overLength(suffix)) return `longer than ${MAX_NAME_BYTES} bytes`;
  const at = name.indexOf('@');
  if (at < 0 || !CANONVERSION_RE.test(name.slice(at + 1))) {
    return 'has a version suffix but no canonical version (`ns:pkg/iface@1`, `@0.2`, `@0.0.1`) before it';
  }
  if (suffix !== '' && !/^[.+-]/.test(suffix))
    return 'has a version suffix that does not start with ".", "-" or "+"';
  return INTERFACE_RE.test(name + suffix)
    ? undefined
    : 'and its version suffix are not an interface name with a valid semver';
}

/**
 * Whether `name` has only ASCII letters, digits and `_` (most core names: `fd_write`,
 * `cabi_realloc`): printable, and without any character CORE_FORBIDDEN looks for, so both
 * expressions would pass it. A loop, where the two tests cost a plan of a C component 4 %.
 */
function wordChars(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f)) {
      return false;
    }
  }
  return true;
}

/** A refusal's words for `name`, whose `uniquenessKey` an earlier name of its scope has. */
export function notUnique(name: string, earlier: string): string {
  return `${showName(name)} is not strongly unique: it conflicts with ${showName(earlier)} (equal ignoring case, hyphens and annotations: the Explainer's name uniqueness)`;
}

/**
 * The key two import (or two export) names of one scope must not share: names are strongly
 * unique (the Explainer's "Name Uniqueness"), so that no two map to one identifier in a
 * bindings generator. Hyphens removed and lower case; a `[method]l.l` or `[static]l.l` (any
 * annotations, one label twice) is its label; every annotation but `[constructor]` dropped.
 * So `foo-bar`, `foobar` and `[static]foo-bar.FOO-bar` conflict, and `[method]a.b` with
 * `[static]a.b`, while `[constructor]a` and `a` do not. Only for names the grammar took.
 */
export function uniquenessKey(name: string): string {
  const flat = name.replace(/-/g, '').toLowerCase();
  const same = /^(?:\[[^\]]*\])+([^.[\]]+)\.([^.[\]]+)$/.exec(flat);
  if (same && same[1] === same[2]) return same[1]!;
  return flat.replace(/\[(?!constructor\])[^\]]*\]/g, '');
}

/** A name as it may be shown in an error message: quoted, escaped, shortened. */
export function showName(name: string): string {
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  return JSON.stringify(shown).replace(/[\u2028\u2029\u007f-\u009f]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Whether `text` is over `MAX_NAME_BYTES` bytes of UTF-8 (encoded only when it might be). */
function overLength(text: string): boolean {
  if (text.length * 3 <= MAX_NAME_BYTES) return false;
  return new TextEncoder().encode(text).length > MAX_NAME_BYTES;
}
