/**
 * Guest paths, checked before anything touches a filesystem. A path is split into components;
 * each component is a plain name (no `/`, no NUL, no `\`, no U+FFFD), `.` or `..`. Nothing is
 * ever decoded (`%2e` is three characters of a name). Absolute paths are refused: WASI paths
 * are always relative to a descriptor.
 */
import { fsError } from './errors.js';

/** Longest path accepted, in UTF-8 bytes (Linux's PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** Longest single name, in UTF-8 bytes (Linux's NAME_MAX). */
export const MAX_NAME_BYTES = 255;
/** Most components in one path, after symbolic links are expanded. */
export const MAX_COMPONENTS = 256;
/** Most symbolic links followed while resolving one path (Linux's limit). */
export const MAX_SYMLINKS = 40;

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  // Fast path: ASCII-only strings are as long as their UTF-8 form.
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

/** Check one name (not `.` or `..`); throws an `FsError`. */
export function checkName(name: string): void {
  if (name.length === 0) throw fsError('no-entry');
  if (utf8Length(name) > MAX_NAME_BYTES) throw fsError('name-too-long', 'encoding');
  // NUL would truncate a C path; `\` is a separator elsewhere; U+FFFD is what invalid UTF-8 became.
  if (/[\0\\\uFFFD]/.test(name))
    throw fsError('illegal-byte-sequence', 'encoding', 'character not allowed in a name');
}

/**
 * Split a guest path into components. Empty components (`a//b`) and `.` are dropped; a
 * trailing `/` is reported so that the caller can insist on a directory.
 */
export function splitPath(path: string): { components: string[]; trailingSlash: boolean } {
  if (typeof path !== 'string') throw fsError('invalid');
  if (path.length === 0) throw fsError('no-entry');
  if (utf8Length(path) > MAX_PATH_BYTES) throw fsError('name-too-long', 'encoding');
  if (path.startsWith('/')) throw fsError('not-permitted', 'escape', 'absolute path');
  const components: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') checkName(part);
    components.push(part);
  }
  if (components.length > MAX_COMPONENTS) throw fsError('name-too-long', 'encoding');
  return { components, trailingSlash: path.endsWith('/') };
}

/**
 * A guest may create a symbolic link only to a relative target that stays inside the directory
 * holding the link (`a/../b` is fine, `../x` and `/etc` are not). Such a link can never point
 * outside a grant, whoever follows it later, wherever it is renamed to.
 */
export function checkSymlinkTarget(target: string): void {
  if (target.startsWith('/')) throw fsError('not-permitted', 'symlink', 'absolute link target');
  const { components } = splitPath(target);
  let depth = 0;
  for (const part of components) {
    depth += part === '..' ? -1 : 1;
    if (depth < 0) throw fsError('not-permitted', 'symlink', 'link target leaves its directory');
  }
}
