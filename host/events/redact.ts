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

export class Redactor {
  readonly #keys = new Set<string>();
  #needles: string[] = [];

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

  #scrub(text: string): string {
    for (const needle of this.#needles) {
      if (text.includes(needle)) text = text.split(needle).join(REDACTED);
    }
    return text;
  }
}
