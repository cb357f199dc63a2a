/**
 * Redaction over a stream of text (a guest's stdout, stderr or log messages), so that a secret
 * split across writes is caught as surely as one written whole. Each write is a segment with
 * its own event; a segment is released once no secret can still be completed by later text
 * (nothing held otherwise), with every part of a secret in it replaced by `[redacted]`.
 *
 * A segment is held only while the end of the stream could be the start of a secret: writing
 * `s`, `e`, `c`, `r`, `e`, `t` one byte at a time holds them until the sixth, then releases six
 * `[redacted]`. At the end of a window (`flush`) everything held is released; a held end of
 * `MIN_SECRET_LENGTH` characters or more that could begin a secret is redacted too, and kept as
 * context so that the rest of the secret, if it comes later, is redacted as well.
 *
 * ```ts
 * const stream = new StreamRedactor<number>(redactor); // redactor knows 'hunter22'
 * stream.push('pass: hun', 1, out);  // holds: 'hun' may begin the secret
 * stream.push('ter22\n', 2, out);    // out('pass: [redacted]', 1), out('[redacted]\n', 2)
 * ```
 */
import { MIN_SECRET_LENGTH, REDACTED, type Redactor } from './redact.js';

interface Segment<T> {
  /** Offsets in the whole stream. */
  start: number;
  end: number;
  payload: T;
}

export type Release<T> = (text: string, payload: T) => void;

export class StreamRedactor<T> {
  readonly #redactor: Redactor;
  /** The stream's text from offset `#base`: the held segments and the context before them. */
  #text = '';
  #base = 0;
  /** The held segments are `#held[#head..]`: released ones are skipped, and cut away in bulk. */
  #held: Segment<T>[] = [];
  #head = 0;
  /** Redacted ranges (stream offsets, sorted, disjoint) that still touch `#text`. */
  #masks: [number, number][] = [];
  /** KMP failure tables of the secrets, for the list of secrets they were made for. */
  #tables = new Map<string, Int32Array>();
  #tablesFor: readonly string[] | undefined;

  constructor(redactor: Redactor) {
    this.#redactor = redactor;
  }

  /** Add a segment; release, in order, every segment that is now safe. */
  push(text: string, payload: T, release: Release<T>): void {
    const needles = this.#redactor.values;
    if (needles.length === 0 && this.#head === this.#held.length) {
      this.#base += this.#text.length + text.length;
      this.#text = '';
      this.#masks = [];
      release(text, payload);
      return;
    }
    const before = this.#text.length;
    const start = this.#base + before;
    this.#text += text;
    this.#held.push({ start, end: start + text.length, payload });
    for (const needle of needles) {
      let at = this.#text.indexOf(needle, Math.max(0, before - needle.length + 1));
      while (at >= 0) {
        this.#mask(this.#base + at, this.#base + at + needle.length);
        at = this.#text.indexOf(needle, at + 1);
      }
    }
    this.#releaseUntil(this.#base + this.#text.length - this.#openTail(needles), release);
  }

  /**
   * Text that is never released (counted past a window's event budget): what is held is
   * released first, as at a window's end, and only the end of the stream a secret could still
   * span is kept, unscanned: its cost is the longest secret's length, not the number of secrets
   * (review15 M1: a text event's price cannot depend on them). The next text pushed is scanned
   * from there, so a secret begun in skipped text is still redacted where it is released.
   */
  skip(text: string, release: Release<T>): void {
    this.flush(release);
    const needles = this.#redactor.values;
    // Longest first: a secret spans at most its length - 1 characters of what came before.
    const keep = needles.length === 0 ? 0 : needles[0]!.length - 1;
    const end = this.#base + this.#text.length + text.length;
    const from = Math.max(this.#base, end - keep);
    this.#text =
      text.length >= keep ? text.slice(text.length - keep) : (this.#text + text).slice(from - this.#base);
    this.#base = end - this.#text.length;
    this.#masks = this.#masks.filter(([, to]) => to > this.#base);
  }

  /** Release everything held (the end of a window); an open end that could begin a secret is redacted. */
  flush(release: Release<T>): void {
    if (this.#head === this.#held.length) return;
    const end = this.#base + this.#text.length;
    const open = this.#openTail(this.#redactor.values);
    if (open >= MIN_SECRET_LENGTH) this.#mask(end - open, end);
    // The open end stays as context: the rest of the secret, if it comes, is redacted too.
    this.#releaseUntil(end, release, end - open);
  }

  /** Length of the longest end of the text that is a proper prefix of a secret. */
  #openTail(needles: readonly string[]): number {
    if (needles !== this.#tablesFor) {
      this.#tables = new Map();
      this.#tablesFor = needles;
    }
    const text = this.#text;
    let longest = 0;
    for (const needle of needles) {
      let table = this.#tables.get(needle);
      if (table === undefined) {
        table = failureTable(needle);
        this.#tables.set(needle, table);
      }
      // Only the last needle.length - 1 characters can hold the start of an unfinished secret.
      let state = 0;
      for (let i = Math.max(0, text.length - needle.length + 1); i < text.length; i++) {
        const c = text.charCodeAt(i);
        while (state > 0 && needle.charCodeAt(state) !== c) state = table[state - 1]!;
        if (needle.charCodeAt(state) === c) state++;
        if (state === needle.length) state = table[state - 1]!;
      }
      if (state > longest) longest = state;
    }
    return longest;
  }

  /** Release the held segments that end by `safe`; keep as context only what a secret could still use. */
  #releaseUntil(safe: number, release: Release<T>, context = safe): void {
    const held = this.#held;
    const first = this.#head;
    let released = first;
    while (released < held.length && held[released]!.end <= safe) released++;
    const out: (readonly [string, T])[] = [];
    for (let k = first; k < released; k++) out.push([this.#render(held[k]!), held[k]!.payload]);
    // Released segments are skipped, not cut away one push at a time: a guest that keeps the
    // stream's end open (a secret's first characters, then empty log messages) held every later
    // segment, and copying the rest on each push made its messages quadratic: 40,000 held the
    // kernel's thread past a 30 s deadline (hostile/events/log-held-segments-quadratic).
    if (released === held.length) {
      held.length = 0;
      this.#head = 0;
    } else if (released > first) {
      this.#head = released;
      // Cut once the skipped part is the larger: amortized constant time a segment.
      if (released * 2 > held.length) {
        this.#held = held.slice(released);
        this.#head = 0;
      }
    }
    // Keep from the first held segment, or from where a secret could still begin.
    const keepFrom = Math.min(this.#held[this.#head]?.start ?? context, context);
    if (keepFrom > this.#base) {
      this.#text = this.#text.slice(keepFrom - this.#base);
      this.#base = keepFrom;
      this.#masks = this.#masks.filter(([, to]) => to > keepFrom);
    }
    for (const [text, payload] of out) release(text, payload);
  }

  /** The segment's text with each redacted run replaced by one `[redacted]`. */
  #render(segment: Segment<T>): string {
    const text = this.#text.slice(segment.start - this.#base, segment.end - this.#base);
    let out = '';
    let at = segment.start;
    for (const [from, to] of this.#masks) {
      if (to <= segment.start || from >= segment.end) continue;
      const cut = Math.max(from, segment.start);
      out += text.slice(at - segment.start, cut - segment.start) + REDACTED;
      at = Math.min(to, segment.end);
    }
    return out + text.slice(at - segment.start);
  }

  #mask(from: number, to: number): void {
    const masks = this.#masks;
    const merged: [number, number][] = [];
    let placed = false;
    for (const [a, b] of masks) {
      if (b < from || a > to) {
        if (!placed && a > to) {
          merged.push([from, to]);
          placed = true;
        }
        merged.push([a, b]);
      } else {
        from = Math.min(from, a);
        to = Math.max(to, b);
      }
    }
    if (!placed) merged.push([from, to]);
    this.#masks = merged;
  }
}

/** KMP: for each prefix of `needle`, the length of its longest proper prefix that is also its suffix. */
function failureTable(needle: string): Int32Array {
  const table = new Int32Array(needle.length);
  let k = 0;
  for (let i = 1; i < needle.length; i++) {
    while (k > 0 && needle.charCodeAt(i) !== needle.charCodeAt(k)) k = table[k - 1]!;
    if (needle.charCodeAt(i) === needle.charCodeAt(k)) k++;
    table[i] = k;
  }
  return table;
}
