/**
 * Grants: which interface a sandbox may use, and within which scope. A grant names an
 * interface (`wasi:cli/stdout`), a family (`wasi:cli/*`) or a core import (`env.read_secret`,
 * `env.*`). Versions are ignored when matching: `wasi:cli/stdout` grants `wasi:cli/stdout@0.2.3`.
 */
import { KeelError } from '../kernel/errors.js';

export interface Grant {
  interface: string;
  /** Provider-specific scope (paths, hosts, env values, ...). Absent means the provider's default. */
  scope?: unknown;
  /**
   * Every string in `scope` is a secret: it never reaches an event or the log (the kernel also
   * knows on its own that env values and host paths are).
   */
  secret?: boolean;
}

export type GrantInput = string | Grant;

const NAME =
  /^(?:[a-z][a-z0-9-]*:[a-z][a-z0-9-]*\/(?:[a-z][a-z0-9-]*|\*)|[^\s.]+\.(?:[^\s]+|\*)|[a-z][a-z0-9-]*:[a-z][a-z0-9-]*\/\*)$/i;

/**
 * Grant names found valid, each with its unversioned form: a kernel's spawns pass the same few
 * names, checked by `NAME` once each rather than at every spawn (spawn time, issue 12). Bounded:
 * emptied when full, and only short names kept.
 */
const validNames = new Map<string, string>();
const MAX_VALID_NAMES = 256;
const MAX_KEPT_NAME = 256;

/** `name` without its version when it is a valid grant name (`NAME`); undefined otherwise. */
function validName(name: string): string | undefined {
  const known = validNames.get(name);
  if (known !== undefined) return known;
  const unversioned = stripVersion(name);
  if (!NAME.test(unversioned)) return undefined;
  if (name.length > MAX_KEPT_NAME) return unversioned;
  if (validNames.size >= MAX_VALID_NAMES) validNames.clear();
  validNames.set(name, unversioned);
  return unversioned;
}

export function normalizeGrant(input: GrantInput): Grant {
  const grant = typeof input === 'string' ? { interface: input } : input;
  const name = grant?.interface;
  const unversioned = typeof name === 'string' ? validName(name) : undefined;
  if (unversioned === undefined) {
    throw new KeelError(
      'invalid-argument',
      `invalid grant "${String(name)}": name an interface (wasi:cli/stdout), a family (wasi:cli/*) or a core import (env.read_secret)`,
      { grant: name },
    );
  }
  // A name alone (the common case) without a spread: Node 20's V8 builds one on a slow path.
  if (typeof input === 'string') return { interface: unversioned };
  return { ...grant, interface: unversioned };
}

export function stripVersion(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/** The most specific grant covering `iface` (exact beats family), if any. */
export function findGrant(grants: readonly Grant[], iface: string): Grant | undefined {
  const name = stripVersion(iface);
  let family: Grant | undefined;
  // By index: for-of made an iterator and a result per import, every spawn.
  for (let i = 0; i < grants.length; i++) {
    const grant = grants[i]!;
    if (grant.interface === name) return grant;
    if (!family && covers(grant.interface, name)) family = grant;
  }
  return family;
}

/** Whether `grant` covers the unversioned interface `name` (as `findGrant([grant], name)` finds it). */
export function grantCovers(grant: Grant, name: string): boolean {
  return grant.interface === name || covers(grant.interface, name);
}

function covers(pattern: string, name: string): boolean {
  if (pattern.endsWith('/*')) return name.startsWith(pattern.slice(0, -1));
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return false;
}
