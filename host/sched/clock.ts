/**
 * The scheduler's time: real (`performance.now()`) or virtual. Virtual time starts at 0 and
 * moves only when the scheduler moves it: by a fixed step per delivery (plus the fuel the
 * delivery used, 1 ns per unit), and straight to the next timer when nothing else can run.
 * Timeouts and backoffs in a deterministic run therefore fire at the same point every time.
 */

export interface Clock {
  readonly virtual: boolean;
  /** Milliseconds since the scheduler started. */
  now(): number;
  /** Virtual clocks: move forward by `ms` (never back). Real clocks ignore it. */
  advance(ms: number): void;
  /** Virtual clocks: jump to `ms` if it is later. Real clocks ignore it. */
  advanceTo(ms: number): void;
}

export function realClock(): Clock {
  const origin = performance.now();
  return {
    virtual: false,
    now: () => performance.now() - origin,
    advance: () => {},
    advanceTo: () => {},
  };
}

export function virtualClock(): Clock {
  let now = 0;
  return {
    virtual: true,
    now: () => now,
    advance: (ms) => {
      if (ms > 0) now += ms;
    },
    advanceTo: (ms) => {
      if (ms > now) now = ms;
    },
  };
}

export interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void | Promise<void>;
  cancelled: boolean;
}

/** Timers ordered by time, then by creation (a binary heap). */
export class TimerQueue {
  #heap: Timer[] = [];
  #seq = 0;
  #live = 0;

  add(at: number, fire: () => void | Promise<void>): Timer {
    const timer: Timer = { at, seq: this.#seq++, fire, cancelled: false };
    this.#heap.push(timer);
    this.#up(this.#heap.length - 1);
    this.#live++;
    return timer;
  }

  cancel(timer: Timer | undefined): void {
    if (!timer || timer.cancelled) return;
    timer.cancelled = true;
    this.#live--;
  }

  /** Timers not cancelled. */
  get size(): number {
    return this.#live;
  }

  /** When the next live timer is due, if any. */
  next(): number | undefined {
    this.#prune();
    return this.#heap[0]?.at;
  }

  /** Remove and return the next live timer due at or before `now`. */
  pop(now: number): Timer | undefined {
    this.#prune();
    const top = this.#heap[0];
    if (!top || top.at > now) return undefined;
    this.#remove();
    this.#live--;
    top.cancelled = true;
    return top;
  }

  clear(): void {
    this.#heap = [];
    this.#live = 0;
  }

  #prune(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.cancelled) this.#remove();
  }

  #remove(): void {
    const last = this.#heap.pop()!;
    if (this.#heap.length > 0) {
      this.#heap[0] = last;
      this.#down(0);
    }
  }

  #less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #up(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.#less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && this.#less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}
