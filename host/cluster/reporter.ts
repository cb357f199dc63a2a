/**
 * Bounded reporting of what other hosts cause: at most `perSecond` events per key (an event
 * and a reason, a fixed set) in each one-second window; the rest are counted and summarized in
 * one event per key (`data.suppressed`) when the window closes (at the next report or tick, or
 * at `flush`). A flood from the lattice cannot flood the log.
 */
export class Reporter {
  readonly #counts = new Map<string, { shown: number; suppressed: number }>();
  #windowStart = Number.NEGATIVE_INFINITY;

  constructor(
    readonly perSecond: number,
    readonly summarize: (key: string, suppressed: number) => void,
  ) {}

  /** Emit through `emit` unless this key's budget for the current window is spent. */
  report(key: string, now: number, emit: () => void): void {
    this.tick(now);
    let count = this.#counts.get(key);
    if (!count) {
      count = { shown: 0, suppressed: 0 };
      this.#counts.set(key, count);
    }
    if (count.shown < this.perSecond) {
      count.shown++;
      emit();
    } else {
      count.suppressed++;
    }
  }

  /** Close the window if a second has passed: summarize what it suppressed, start afresh. */
  tick(now: number): void {
    if (now - this.#windowStart < 1000) return;
    this.flush();
    this.#windowStart = now;
  }

  /** Summarize what was suppressed and start afresh. */
  flush(): void {
    for (const [key, count] of this.#counts) if (count.suppressed > 0) this.summarize(key, count.suppressed);
    this.#counts.clear();
  }
}
