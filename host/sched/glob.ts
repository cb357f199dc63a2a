/**
 * Names and patterns for IPC: peers (sandbox ids such as `sbx_3`, mount paths such as
 * `/pipeline/sink`) and topics (`jobs.done`).
 *
 * - Peer patterns (from grants: the embedder's) may use `*` for any run of characters within
 *   one `/`-separated segment and `**` for any run across segments.
 * - Topic patterns (also written by guests, in `subscribe`) use `*` for one whole segment and
 *   `**` for one or more, and are matched segment by segment in O(pattern × topic), never by a
 *   backtracking regular expression a guest could make explode.
 *
 *   compilePattern('/pipeline/*', '/').test('/pipeline/sink')   // true
 *   compilePattern('/pipeline/*', '/').test('/pipeline/a/b')    // false
 *   topicMatches('jobs.**', 'jobs.eu.done')                     // true
 */
import { KeelError } from '../kernel/errors.js';

export type Separator = '/' | '.';

const caches: Record<Separator, Map<string, RegExp>> = { '/': new Map(), '.': new Map() };

/** A pattern as a regular expression (cached). */
export function compilePattern(pattern: string, separator: Separator): RegExp {
  const cache = caches[separator];
  let re = cache.get(pattern);
  if (re) return re;
  const sep = separator === '/' ? '/' : '\\.';
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        source += '.+';
        i++;
      } else {
        source += `[^${sep}]+`;
      }
    } else {
      source += c.replace(/[\\^$.|?+()[\]{}]/g, '\\$&');
    }
  }
  re = new RegExp(`^${source}$`);
  if (cache.size > 4096) cache.clear();
  cache.set(pattern, re);
  return re;
}

export function matchesAny(patterns: readonly string[], name: string, separator: Separator): boolean {
  if (separator === '.') {
    for (const pattern of patterns) if (topicMatches(pattern, name)) return true;
    return false;
  }
  for (const pattern of patterns) if (compilePattern(pattern, separator).test(name)) return true;
  return false;
}

/** Does a topic pattern match a name? Segment by segment: `*` is one segment, `**` one or more. */
export function topicMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  const p = pattern.split('.');
  const t = name.split('.');
  // reach[j]: the first i pattern segments can match the first j name segments.
  let reach: boolean[] = new Array(t.length + 1).fill(false);
  reach[0] = true;
  for (const segment of p) {
    const next: boolean[] = new Array(t.length + 1).fill(false);
    if (segment === '**') {
      let any = false;
      for (let j = 1; j <= t.length; j++) {
        any ||= reach[j - 1]!;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= t.length; j++)
        next[j] = reach[j - 1]! && (segment === '*' || segment === t[j - 1]);
    }
    reach = next;
  }
  return reach[t.length]!;
}

const MAX_NAME = 255;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const PATTERN_SEGMENT = /^(?:\*\*|\*|[A-Za-z0-9_-]+)$/;
const SANDBOX_ID = /^sbx_[0-9]+$/;
const PEER_PATTERN = /^(?:\/(?:[A-Za-z0-9._*-]+\/)*[A-Za-z0-9._*-]+|[A-Za-z0-9_*-]+)$/;

/** Is `name` a well-formed topic (`jobs.done`)? */
export function isTopic(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME && name.split('.').every((s) => SEGMENT.test(s));
}

/** Is `pattern` a well-formed topic pattern (`jobs.*`, `metrics.**`; wildcards are whole segments)? */
export function isTopicPattern(pattern: string): boolean {
  return (
    pattern.length > 0 &&
    pattern.length <= MAX_NAME &&
    pattern.split('.').every((s) => PATTERN_SEGMENT.test(s))
  );
}

/** Is `pattern` a well-formed peer pattern: an id (`sbx_3`, `sbx_*`), a path (`/a/*`), or `**`? */
export function isPeerPattern(pattern: string): boolean {
  return pattern.length > 0 && pattern.length <= MAX_NAME && PEER_PATTERN.test(pattern);
}

export type Target = { kind: 'id'; id: string } | { kind: 'path'; path: string };

const targets = new Map<string, Target>();

/** Parse a target as a guest or the embedder names it: a sandbox id or a mount path (cached). */
export function parseTarget(name: string): Target {
  const cached = targets.get(name);
  if (cached) return cached;
  const target = parse(name);
  if (targets.size > 4096) targets.clear();
  targets.set(name, target);
  return target;
}

function parse(name: string): Target {
  if (name.length > 0 && name.length <= MAX_NAME) {
    if (SANDBOX_ID.test(name)) return { kind: 'id', id: name };
    if (
      name.startsWith('/') &&
      name
        .slice(1)
        .split('/')
        .every((s) => /^[A-Za-z0-9._-]+$/.test(s) && s !== '.' && s !== '..')
    ) {
      return { kind: 'path', path: name };
    }
  }
  throw new KeelError(
    'invalid-argument',
    `invalid target "${name.slice(0, 80)}": name a sandbox id (sbx_3) or a mount path (/pipeline/sink)`,
    { target: name.slice(0, 80) },
  );
}
