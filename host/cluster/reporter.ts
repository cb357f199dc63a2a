/**
 * Bounded reporting of what other hosts cause: at most `perSecond` events per key (a reason)
 * in each second; the rest are counted and summarized in one event (`data.suppressed`) when the
 * second is over (at the next report or `flush`). A flood from the lattice cannot flood the log.
 */
export class Reporter {
  readonly #counts = new Map<string, { shown: number; suppressed: number }>();
  #windowStart = 0;

  constructor(
    readonly perSecond: number,
    readonly summarize: (key: string, suppressed: number) => void,
  ) {}

  /** Emit through `emit` unless this key's budget for the current second is spent. */
  report(key: string, now: number, emit: () => void): void {
    if (now - this.#windowStart >= 1000) {
      this.flush();
      this.#windowStart = now;
    }
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

  /** Summarize what was suppressed and start afresh. */
  flush(): void {
    for (const [key, count] of this.#counts) if (count.suppressed > 0) this.summarize(key, count.suppressed);
    this.#counts.clear();
  }
}
