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
    // Every secret ending in the new text, all secrets in one pass (sec16: a search per secret
    // made each event's work grow with the number of secrets).
    const matcher = this.#redactor.matcher;
    if (matcher !== undefined) {
      const base = this.#base;
      matcher.scan(this.#text, Math.max(0, before - matcher.maxLength + 1), before, (from, to) =>
        this.#mask(base + from, base + to),
      );
    }
    this.#releaseUntil(this.#base + this.#text.length - this.#openTail(), release);
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
    // A secret spans at most its length - 1 characters of what came before.
    const keep = (this.#redactor.matcher?.maxLength ?? 1) - 1;
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
    const open = this.#openTail();
    if (open >= MIN_SECRET_LENGTH) this.#mask(end - open, end);
    // The open end stays as context: the rest of the secret, if it comes, is redacted too.
    this.#releaseUntil(end, release, end - open);
  }

  /** Length of the longest end of the text that is a proper prefix of a secret. */
  #openTail(): number {
    return this.#redactor.matcher?.openTail(this.#text) ?? 0;
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
