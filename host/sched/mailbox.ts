/**
 * A sandbox's mailbox: a bounded FIFO of envelopes. One mailbox per receiver keeps the order
 * of every sender-receiver pair. Replies and kernel notices may exceed the bound by the slots
 * reserved for them (one per request the receiver is waiting on, one per link), so that the
 * total stays bounded while an answer owed is never refused.
 */

export type EnvelopeKind = 'message' | 'request' | 'reply' | 'event';

/** What the kernel queues and delivers. Bodies are the kernel's own copies. */
export interface Envelope {
  /** The kernel's message number (`data.message` in events). */
  readonly seq: number;
  readonly kind: EnvelopeKind;
  /** The sender as the kernel stamped it: a sandbox id, `host` or `kernel`. */
  readonly from: string;
  readonly body: Uint8Array;
  /** `request`: the id to reply with; `reply`: the request it answers. */
  readonly request?: bigint | undefined;
  /** `reply`: how the request ended. */
  readonly status?: 'ok' | 'timeout' | 'killed' | undefined;
  /** `event`: its topic. */
  readonly topic?: string | undefined;
  /** When it was queued (the scheduler's clock), for latency; set only when observed. */
  readonly queuedAt?: number | undefined;
}

export class Mailbox {
  #items: (Envelope | undefined)[] = [];
  #head = 0;
  /** The bound for ordinary messages and events. */
  limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Room for one more ordinary envelope? */
  get full(): boolean {
    return this.length >= this.limit;
  }

  /** Queue an envelope (the caller checked `full`, or it holds a reserved slot). */
  push(envelope: Envelope): void {
    this.#items.push(envelope);
  }

  shift(): Envelope | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const envelope = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Compact once the consumed prefix dominates, so the array never grows without bound.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return envelope;
  }

  /** Remove and return everything queued, oldest first. */
  drain(): Envelope[] {
    const rest = this.#items.slice(this.#head) as Envelope[];
    this.#items = [];
    this.#head = 0;
    return rest;
  }

  /** Queued bytes (bodies), for accounting. */
  bytes(): number {
    let total = 0;
    for (let i = this.#head; i < this.#items.length; i++) total += this.#items[i]!.body.byteLength;
    return total;
  }
}
