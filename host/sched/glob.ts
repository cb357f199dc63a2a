/**
 * Names and patterns for IPC: peers (sandbox ids such as `sbx_3`, mount paths such as
 * `/pipeline/sink`) and topics (`jobs.done`).
 *
 * - Peer patterns (from grants: the embedder's) may use `*` for any run of characters within
 *   one `/`-separated segment and `**` for any run across segments.
 * - Topic patterns (also written by guests, in `subscribe`) use `*` for one whole segment and
 *   `**` for one or more.
 *
 * Both are matched segment by segment, never by a backtracking regular expression.
 *
 *   peerMatches('/pipeline/*', '/pipeline/sink')   // true
 *   peerMatches('/pipeline/*', '/pipeline/a/b')    // false
 *   topicMatches('jobs.**', 'jobs.eu.done')        // true
 */
import { KeelError } from '../kernel/errors.js';

export type Separator = '/' | '.';

/**
 * Does a name match any of the patterns? Peers (`/`) and topics (`.`) alike are matched segment
 * by segment in O(pattern × name) time, never by a backtracking regular expression: guest-chosen
 * names and patterns cannot make a check explode, however a grant is written.
 */
export function matchesAny(patterns: readonly string[], name: string, separator: Separator): boolean {
  const match = separator === '.' ? topicMatches : peerMatches;
  for (const pattern of patterns) {
    // Senders name the same few targets over and over: remember recent answers.
    const key = `${separator}${pattern}\u0000${name}`;
    let matched = answers.get(key);
    if (matched === undefined) {
      matched = match(pattern, name);
      if (answers.size >= 4096) answers.clear();
      answers.set(key, matched);
    }
    if (matched) return true;
  }
  return false;
}

const answers = new Map<string, boolean>();

/** Does a peer pattern (`/pipeline/*`, `sbx_*`, `**`) match a sandbox id or mount path? */
export function peerMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  return segmentsMatch(pattern.split('/'), name.split('/'), wildcardSegment);
}

/** Does a topic pattern match a name? Segment by segment: `*` is one segment, `**` one or more. */
export function topicMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  return segmentsMatch(pattern.split('.'), name.split('.'), (p, t) => p === '*' || p === t);
}

/** `**` matches one or more segments; other pattern segments match one segment by `segment`. */
function segmentsMatch(
  pattern: readonly string[],
  name: readonly string[],
  segment: (pattern: string, name: string) => boolean,
): boolean {
  // reach[j]: the pattern segments so far can match the first j name segments.
  let reach: boolean[] = new Array(name.length + 1).fill(false);
  reach[0] = true;
  for (const p of pattern) {
    const next: boolean[] = new Array(name.length + 1).fill(false);
    if (p === '**') {
      let any = false;
      for (let j = 1; j <= name.length; j++) {
        any ||= reach[j - 1]!;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= name.length; j++) next[j] = reach[j - 1]! && segment(p, name[j - 1]!);
    }
    reach = next;
  }
  return reach[name.length]!;
}

/** One segment against a pattern where each `*` stands for one or more characters. */
function wildcardSegment(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  // `*` = one character, then any run: a wildcard match with a single backtracking point.
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      // The star must take at least one character.
      star = p++;
      resume = ++t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') {
    // A trailing star with nothing left to take.
    return false;
  }
  return p === pattern.length;
}

const MAX_NAME = 255;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const PATTERN_SEGMENT = /^(?:\*\*|\*|[A-Za-z0-9_-]+)$/;
/** A sandbox id, here (`sbx_3`) or on another host of a lattice (`sbx_3@host-b`). */
const SANDBOX_ID = /^sbx_[0-9]+(?:@[A-Za-z0-9_-]{1,64})?$/;
const PEER_PATTERN = /^(?:\/(?:[A-Za-z0-9._*-]+\/)*[A-Za-z0-9._*-]+|[A-Za-z0-9_*-]+(?:@[A-Za-z0-9_*-]+)?)$/;

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

/**
 * Is `pattern` a well-formed peer pattern: an id (`sbx_3`, `sbx_*`, `sbx_*@host-b`), a path
 * (`/a/*`), or `**`?
 */
export function isPeerPattern(pattern: string): boolean {
  return pattern.length > 0 && pattern.length <= MAX_NAME && PEER_PATTERN.test(pattern);
}

export type Target = { kind: 'id'; id: string } | { kind: 'path'; path: string };

const targets = new Map<string, Target>();

/** Parse a target as a guest or the embedder names it: a sandbox id or a mount path (cached). */
export function parseTarget(name: string): Target {
  const target = readTarget(name);
  if (target) return target;
  throw new KeelError('invalid-argument', invalidTarget(name), { target: name.slice(0, 80) });
}

/**
 * `parseTarget` that answers undefined for a malformed name instead of throwing: for the paths a
 * flood reaches (a guest's send, a lattice arrival), where the refusal is a value and an `Error`'s
 * stack would cost more than the rest of the refusal (8.6 against 3.9 µs a send, load 6).
 */
export function readTarget(name: string): Target | undefined {
  const cached = targets.get(name);
  if (cached) return cached;
  const target = parse(name);
  if (!target) return undefined;
  if (targets.size > 4096) targets.clear();
  targets.set(name, target);
  return target;
}

/** Why `name` is no target. */
export function invalidTarget(name: string): string {
  return `invalid target "${name.slice(0, 80)}": name a sandbox id (sbx_3) or a mount path (/pipeline/sink)`;
}

function parse(name: string): Target | undefined {
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
  return undefined;
}
