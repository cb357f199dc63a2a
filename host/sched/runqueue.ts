/**
 * The run queue: the entries that may have work (`SchedState.work`) ordered by stride pass,
 * ties to the oldest service, as a binary heap. Picking the next entry was a scan of every
 * entry with work, once per delivery: a publication to N subscribers made N entries runnable
 * and their N deliveries cost the host O(N²) (16 µs a delivery at 1,000 subscribers). Here a
 * pick costs O(log N).
 *
 * An entry's key (its pass) changes only while it is out of the queue or just after it was
 * picked, so each change queues it again with a new token; the item it had becomes stale and
 * is dropped when it reaches the top (lazy deletion). Entries leave `work` (stopped, ended,
 * upgraded) without telling the queue: an item of an entry no longer in `work` is stale too.
 */
import type { Entry } from './service.js';

interface Item {
  readonly entry: Entry;
  readonly pass: number;
  readonly order: number;
  readonly token: number;
}

/** Each entry's current token: the one its live item carries. */
const tokens = new WeakMap<Entry, number>();

function before(a: Item, b: Item): boolean {
  return a.pass < b.pass || (a.pass === b.pass && a.order < b.order);
}

export class RunQueue {
  readonly #heap: Item[] = [];

  /** Queue `entry` at its current pass; an item it had before is stale from now on. */
  push(entry: Entry): void {
    const token = (tokens.get(entry) ?? 0) + 1;
    tokens.set(entry, token);
    this.#add({ entry, pass: entry.pass, order: entry.service.order, token });
  }

  /** Whether `item` is the live item of an entry that still has work. */
  live(item: Item, work: ReadonlySet<Entry>): boolean {
    return tokens.get(item.entry) === item.token && work.has(item.entry);
  }

  peek(): Item | undefined {
    return this.#heap[0];
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Put back an item taken with `pop` (its token unchanged). */
  restore(item: Item): void {
    this.#add(item);
  }

  pop(): Item | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.#heap.length = 0;
  }

  #add(item: Item): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }
}
