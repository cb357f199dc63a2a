/**
 * Redaction runs before any observer sees an event. Secrets are registered as values (granted
 * env values, tokens) or as keys (any `data` field with that name); both are replaced.
 */
export const REDACTED = '[redacted]';

/** Values shorter than this are not treated as secrets: they would redact innocent text everywhere. */
export const MIN_SECRET_LENGTH = 4;

export interface RedactionOptions {
  /** Field names whose values are always replaced, wherever they appear in `data`. */
  keys?: readonly string[];
  /** Literal values (secrets) replaced wherever they appear inside strings. */
  values?: readonly string[];
  /** Host path prefixes replaced by `[redacted]` inside strings (hides the host's layout). */
  paths?: readonly string[];
}

/**
 * The secrets as one Aho-Corasick automaton: one pass over a text finds every secret in it,
 * whatever their number. A search per secret cost the kernel's thread the text's length times
 * the number of secrets for every text event (and again in every string of every event): 100
 * secrets made an observed 4 KiB log message 100 scans (sec16; test/hostile/events/
 * redaction-per-secret). Built once per list of secrets; a transition is one map lookup.
 */
/**
 * Up to this many secrets, a text is searched once a secret with `indexOf`; past it, once for all
 * of them (`SecretMatcher`): a 4 KiB event's redaction then costs at most about what 16 searches
 * cost, whatever the number of secrets (bench/results/sec-2026-12-07-17.md).
 */
export const FEW_SECRETS = 16;

export class SecretMatcher {
  /** The longest secret's length: a secret spans at most this less one characters of earlier text. */
  readonly maxLength: number;
  /** Transitions, keyed `node * 0x10000 + code unit`. */
  readonly #edges = new Map<number, number>();
  readonly #fail: Int32Array;
  /** The longest secret that ends the node's text (0: none). */
  readonly #longest: Int32Array;
  /** The longest end of the node's text that is a proper prefix of a secret (a node with a child). */
  readonly #open: Int32Array;
  /** Code units (mod 2^16 by bit) that begin a secret: at the root, any other stays there without a lookup. */
  readonly #first = new Uint32Array(2048);

  /** The secrets, when they are few enough to search one by one. */
  readonly #few: readonly string[] | undefined;

  constructor(needles: readonly string[]) {
    this.#few = needles.length <= FEW_SECRETS ? needles : undefined;
    const edges = this.#edges;
    const depth: number[] = [0];
    const ends: number[] = [0];
    const hasChild: boolean[] = [false];
    let maxLength = 0;
    for (const needle of needles) {
      if (needle.length > maxLength) maxLength = needle.length;
      let node = 0;
      for (let i = 0; i < needle.length; i++) {
        const key = node * 0x10000 + needle.charCodeAt(i);
        let next = edges.get(key);
        if (next === undefined) {
          next = depth.length;
          depth.push(i + 1);
          ends.push(0);
          hasChild.push(false);
          hasChild[node] = true;
          edges.set(key, next);
        }
        node = next;
      }
      ends[node] = needle.length;
      if (needle.length > 0) {
        const c = needle.charCodeAt(0);
        this.#first[c >>> 5]! |= 1 << (c & 31);
      }
    }
    this.maxLength = maxLength;
    const n = depth.length;
    const fail = new Int32Array(n);
    const longest = new Int32Array(n);
    const open = new Int32Array(n);
    // Breadth first (nodes by depth): a node's failure link is shallower, so already complete.
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => depth[a]! - depth[b]!);
    const children: [number, number][][] = Array.from({ length: n }, () => []);
    for (const [key, child] of edges) children[Math.floor(key / 0x10000)]!.push([key % 0x10000, child]);
    for (const node of order) {
      longest[node] = ends[node]! > 0 ? ends[node]! : node === 0 ? 0 : longest[fail[node]!]!;
      open[node] = hasChild[node] ? depth[node]! : node === 0 ? 0 : open[fail[node]!]!;
      for (const [c, child] of children[node]!) {
        fail[child] = node === 0 ? 0 : this.#step(fail, fail[node]!, c);
      }
    }
    this.#fail = fail;
    this.#longest = longest;
    this.#open = open;
  }

  #step(fail: Int32Array, state: number, c: number): number {
    const edges = this.#edges;
    for (;;) {
      const next = edges.get(state * 0x10000 + c);
      if (next !== undefined) return next;
      if (state === 0) return 0;
      state = fail[state]!;
    }
  }

  /**
   * Each secret in `text` that starts at `from` or later and ends past `after`: `found(start,
   * end)` for each (or only the longest one ending at an offset: a shorter one there is inside
   * it), in no particular order. Up to `FEW_SECRETS`, one native search a secret (`indexOf`,
   * about 15x faster a character than this automaton's loop in JavaScript); past it, one pass.
   */
  scan(text: string, from: number, after: number, found: (start: number, end: number) => void): void {
    const few = this.#few;
    if (few !== undefined) {
      for (const needle of few) {
        let at = text.indexOf(needle, Math.max(from, after - needle.length + 1));
        while (at >= 0) {
          found(at, at + needle.length);
          at = text.indexOf(needle, at + 1);
        }
      }
      return;
    }
    const fail = this.#fail;
    const longest = this.#longest;
    const first = this.#first;
    let state = 0;
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (state === 0 && (first[c >>> 5]! & (1 << (c & 31))) === 0) continue;
      state = this.#step(fail, state, c);
      if (i >= after) {
        const length = longest[state]!;
        if (length > 0) found(i + 1 - length, i + 1);
      }
    }
  }

  /** The length of the longest end of `text` that is a proper prefix of a secret. */
  openTail(text: string): number {
    const fail = this.#fail;
    let state = 0;
    for (let i = Math.max(0, text.length - this.maxLength + 1); i < text.length; i++)
      state = this.#step(fail, state, text.charCodeAt(i));
    return this.#open[state]!;
  }
}

export class Redactor {
  readonly #keys = new Set<string>();
  #needles: string[] = [];
  #matcher: SecretMatcher | undefined;

  constructor(options: RedactionOptions = {}) {
    for (const key of options.keys ?? []) this.#keys.add(key);
    for (const value of [...(options.values ?? []), ...(options.paths ?? [])]) this.addValue(value);
  }

  /** Register one more secret value (for example an env value granted to a sandbox). */
  addValue(value: string): void {
    // Very short values would redact innocent text everywhere; they are not secrets worth hiding.
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || this.#needles.includes(value))
      return;
    // Longest first so that a secret containing another is replaced whole.
    this.#needles = [...this.#needles, value].sort((a, b) => b.length - a.length);
    this.#matcher = undefined;
  }

  /** The secrets' automaton (made when first needed after a secret is added); undefined without secrets. */
  get matcher(): SecretMatcher | undefined {
    if (this.#needles.length === 0) return undefined;
    this.#matcher ??= new SecretMatcher(this.#needles);
    return this.#matcher;
  }

  /** The secret values, longest first. */
  get values(): readonly string[] {
    return this.#needles;
  }

  get active(): boolean {
    return this.#keys.size > 0 || this.#needles.length > 0;
  }

  /** A redacted copy of `value` (the input is never mutated). */
  apply<T>(value: T): T {
    return this.#walk(value, 0) as T;
  }

  #walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.#scrub(value);
    if (value === null || typeof value !== 'object' || depth > 16) return value;
    if (Array.isArray(value)) return value.map((item) => this.#walk(item, depth + 1));
    if (ArrayBuffer.isView(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = this.#keys.has(key) ? REDACTED : this.#walk(item, depth + 1);
    }
    return out;
  }

  /**
   * `text` with each run of secrets replaced by one `[redacted]`: occurrences that overlap are one
   * run, occurrences side by side one each (as `split(secret).join` made them). One pass whatever
   * the number of secrets (`SecretMatcher`).
   */
  #scrub(text: string): string {
    const matcher = this.matcher;
    if (matcher === undefined || text.length < MIN_SECRET_LENGTH) return text;
    const found: [number, number][] = [];
    matcher.scan(text, 0, 0, (start, end) => void found.push([start, end]));
    if (found.length === 0) return text;
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let out = '';
    let at = 0;
    let k = 0;
    while (k < found.length) {
      const start = found[k]![0];
      let end = found[k]![1];
      // Overlapping occurrences are one run; one that starts where the run ends is a run of its own.
      for (k++; k < found.length && found[k]![0] < end; k++) if (found[k]![1] > end) end = found[k]![1];
      out += text.slice(at, start) + REDACTED;
      at = end;
    }
    return out + text.slice(at);
  }
}
