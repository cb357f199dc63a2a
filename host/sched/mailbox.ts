/**
 * A sandbox's mailbox: a bounded FIFO of envelopes. One mailbox per receiver keeps the order
 * of every sender-receiver pair. Replies and kernel notices may exceed the bound by the slots
 * reserved for them (one per request the receiver is waiting on, one per link), so that the
 * total stays bounded while an answer owed is never refused. It also counts what each sending
 * sandbox has queued, so that one sender's share can be capped (`limits.mailboxSenderPercent`).
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
  /** Called when its delivery begins (an at-least-once message from another host is acknowledged then). */
  readonly delivered?: (() => void) | undefined;
}

/** Senders whose envelopes are not counted against a share: the embedder and the kernel. */
const UNCOUNTED = new Set(['host', 'kernel']);

/** Whether an envelope counts against its sender's share: what a sandbox sent, replies aside. */
function counted(envelope: Envelope): boolean {
  return envelope.kind !== 'reply' && !UNCOUNTED.has(envelope.from);
}

/** The items of every empty mailbox that never held one (frozen: never written). */
const NO_ITEMS: (Envelope | undefined)[] = Object.freeze([]) as unknown as (Envelope | undefined)[];

export class Mailbox {
  /** Queued envelopes from `#head` on; the shared empty array until the first (idle memory, issue 12). */
  #items: (Envelope | undefined)[] = NO_ITEMS;
  #head = 0;
  /** Queued envelopes per sending sandbox (only those that count; entries at 0 are removed), made on the first. */
  #bySender: Map<string, number> | undefined;
  /** The bound for ordinary messages and events. */
  limit: number;
  /** The most one sending sandbox may have queued here. */
  senderLimit: number;

  constructor(limit: number, senderLimit = limit) {
    this.limit = limit;
    this.senderLimit = senderLimit;
  }

  /** Envelopes `sender` has queued here that count against its share. */
  heldBy(sender: string): number {
    return this.#bySender?.get(sender) ?? 0;
  }

  /** Whether `sender` may queue one more ordinary envelope without passing its share. */
  overShare(sender: string): boolean {
    return !UNCOUNTED.has(sender) && this.heldBy(sender) >= this.senderLimit;
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
    if (this.#items === NO_ITEMS) this.#items = [envelope];
    else this.#items.push(envelope);
    if (counted(envelope)) {
      const held = this.heldBy(envelope.from) + 1;
      this.#bySender ??= new Map();
      this.#bySender.set(envelope.from, held);
    }
  }

  shift(): Envelope | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const envelope = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (envelope && counted(envelope)) {
      const left = this.heldBy(envelope.from) - 1;
      if (left > 0) this.#bySender?.set(envelope.from, left);
      else this.#bySender?.delete(envelope.from);
    }
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
    this.#items = NO_ITEMS;
    this.#head = 0;
    this.#bySender?.clear();
    return rest;
  }

  /** Queued bytes (bodies), for accounting. */
  bytes(): number {
    let total = 0;
    for (let i = this.#head; i < this.#items.length; i++) total += this.#items[i]!.body.byteLength;
    return total;
  }
}
