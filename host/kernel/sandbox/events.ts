/**
 * The events a sandbox causes: stamped with its ids and the invocation in progress, drawn from
 * its event budget per window (`limits.events`), guest text redacted over each stream, and the
 * `log:suppressed` summaries when a window closes.
 */
import { DEFAULT_HOST_COSTS } from '../../caps/provider.js';
import { EventBudget } from '../../events/budget.js';
import type { EventBus } from '../../events/bus.js';
import { EVENTS, type EventName } from '../../events/names.js';
import type { EventInput } from '../../events/record.js';
import { StreamRedactor } from '../../events/stream-redact.js';
import { requestId } from '../ids.js';

/**
 * What a text event (`guest:log`, `guest:stdout`, `guest:stderr`) costs, in bytes' worth of
 * `byte`: the event made, redacted and handed to its observers (a hook's call, a JSONL line
 * written: 2-5 us), and each character of its text redacted over the stream and written as
 * JSON (a NUL is six characters of JSON: 5-8 ns a character). A guest logging 4 KiB messages
 * of NULs to a kernel with a log file cost 48x compute per unit of fuel, empty ones 12x (load 24).
 *
 * The price never depends on whether anyone observes the event, nor on the secrets the kernel
 * redacts (review15 M1: a guest could read from its fuel whether it was logged, and a
 * deterministic replay with another log setting diverged in fuel and in the guest's clock): the
 * first `limits.events` text events of a window, observed or not, cost `TEXT_EVENT_BYTES` and
 * `TEXT_EVENT_CHAR_BYTES` a character; the rest `TEXT_EVENT_CHAR_BYTES` a character only.
 * Unobserved, none of the work is done; past the window's event budget an observed one is
 * counted, neither made nor redacted (its stream keeps only the end a secret could span), so
 * at most `limits.events` text events a window are made, each paid by one of the window's
 * first `limits.events`.
 */
export const TEXT_EVENT_BYTES = 32_768;
export const TEXT_EVENT_CHAR_BYTES = 64;

/** The fuel of one of a window's first `limits.events` text events, of `text`. */
export function textEventFuel(text: string): number {
  return (TEXT_EVENT_BYTES + text.length * TEXT_EVENT_CHAR_BYTES) * DEFAULT_HOST_COSTS.byte;
}

/** The fuel of a text event of `text` past a window's first `limits.events`. */
export function textCharFuel(text: string): number {
  return text.length * TEXT_EVENT_CHAR_BYTES * DEFAULT_HOST_COSTS.byte;
}

/** A text event waiting for its stream to be known safe: how to make it, and the invocation it belongs to. */
interface HeldText {
  name: EventName;
  build: (text: string) => Omit<EventInput, 'sandbox'>;
  request: string | undefined;
}

export class SandboxEvents {
  /**
   * The invocation in progress (its number, 0 for none), stamped on events the guest causes
   * meanwhile, and the invocation of the current window, stamped on its summaries. Kept as
   * numbers: an invocation nobody observes never formats its id (`request`, `windowRequest`).
   */
  #request = 0;
  #windowRequest = 0;
  /** The last id formatted, and its number. */
  #requestText: string | undefined;
  #requestTextOf = 0;
  readonly #bus: EventBus;
  readonly #sandbox: string;
  readonly #module: string;
  readonly #limit: number;
  /**
   * Events this sandbox may still cause one by one in the current window; made at the first
   * event it causes that someone observes (a budget nobody drew on is full: idle memory, issue 12).
   */
  #budget: EventBudget | undefined;
  /** Open windows (a delivery holds one around its invocation's). */
  #windows = 0;
  /**
   * Text events the guest may still cause at the full price in the current window, observed or
   * not (`textFuel`): refilled with the event budget, counted apart from it so that the price
   * never depends on what is observed.
   */
  #textLeft: number;
  /** Guest text streams (stdout, stderr, the log), redacted over the stream; made on the first text. */
  #streams: Map<EventName, StreamRedactor<HeldText>> | undefined;

  constructor(bus: EventBus, sandbox: string, module: string, limit: number) {
    this.#bus = bus;
    this.#sandbox = sandbox;
    this.#module = module;
    this.#limit = limit;
    this.#textLeft = limit;
  }

  /** Whether one more event of this kind may be emitted in this window (its budget made on the first). */
  #admit(name: EventName): boolean {
    this.#budget ??= new EventBudget(this.#limit);
    return this.#budget.admit(name);
  }

  /** The invocation in progress: its number from `IdSource.nextRequest`, the window's too. */
  startRequest(n: number): void {
    this.#request = n;
    this.#windowRequest = n;
  }

  /** The invocation in progress has ended (its window may still be open). */
  endRequest(): void {
    this.#request = 0;
  }

  /** The id of the invocation in progress, if any. */
  get request(): string | undefined {
    return this.#format(this.#request);
  }

  /** The id of the current window's invocation, if any. */
  get windowRequest(): string | undefined {
    return this.#format(this.#windowRequest);
  }

  #format(n: number): string | undefined {
    if (n === 0) return undefined;
    if (this.#requestTextOf !== n) {
      this.#requestText = requestId(n);
      this.#requestTextOf = n;
    }
    return this.#requestText;
  }

  /** Whether anything observes events of this kind (build them only then). */
  wants(name: EventName): boolean {
    return this.#bus.wants(name);
  }

  /** `Sandbox.emit`: an event this sandbox caused, within its budget. */
  emit(event: Omit<EventInput, 'sandbox'>): void {
    // Checked first so that unobserved events cost no allocation on hot paths.
    if (!this.#bus.wants(event.event) || !this.#admit(event.event)) return;
    this.#bus.emitAs(event, this.#sandbox, this.#module, event.request ?? this.request);
  }

  /** `Sandbox.emitCaused`: an event about something else, stamped as given, paid from this budget. */
  emitCaused(event: EventInput): void {
    if (!this.#bus.wants(event.event) || !this.#admit(event.event)) return;
    this.#bus.emit(event);
  }

  /**
   * The fuel of a text event of `text` emitted now, the same whether anyone observes it and
   * whatever the kernel redacts: `textEventFuel` for the window's first `limits.events` text
   * events, `textCharFuel` for the rest (`TEXT_EVENT_BYTES`).
   */
  textFuel(text: string): number {
    if (this.#textLeft > 0) {
      this.#textLeft--;
      return textEventFuel(text);
    }
    return textCharFuel(text);
  }

  /**
   * `Sandbox.emitText`: guest text from a stream, redacted over the stream, maybe held back.
   * Admitted to the window's budget when pushed (one rule, wherever it is released); past the
   * budget it is counted and skipped: never made, and not redacted (the stream keeps only the
   * end a secret could still span).
   */
  emitText(name: EventName, text: string, build: (text: string) => Omit<EventInput, 'sandbox'>): void {
    if (!this.#bus.wants(name)) return;
    this.#streams ??= new Map();
    const streams = this.#streams;
    let stream = streams.get(name);
    if (stream === undefined) {
      stream = new StreamRedactor<HeldText>(this.#bus.redactor);
      streams.set(name, stream);
    }
    if (!this.#admit(name)) stream.skip(text, this.#releaseText);
    else stream.push(text, { name, build, request: this.request }, this.#releaseText);
  }

  /** Emits a held text event once its text is known safe (bound on first use: a callback the streams keep). */
  get #releaseText(): (text: string, held: HeldText) => void {
    // Admitted when pushed, before it is built: past the budget a text event is counted, never
    // made (making it and copying it to stamp its invocation cost 2-4 us, most of a log call's host time).
    this.#release ??= (text, held) => {
      if (!this.#bus.wants(held.name)) return;
      const event = held.build(text);
      this.#bus.emitAs(event, this.#sandbox, this.#module, event.request ?? held.request ?? this.request);
    };
    return this.#release;
  }

  #release: ((text: string, held: HeldText) => void) | undefined;

  /** Open a window (windows nest: only the outermost one refills the budget). */
  begin(): void {
    if (this.#windows++ > 0) return;
    this.#summarize();
    this.#windowRequest = 0;
    this.#budget?.refill();
    this.#textLeft = this.#limit;
  }

  /** Close the window opened by `begin`: summarize what was held back. */
  end(): void {
    if (this.#windows === 0 || --this.#windows > 0) return;
    this.#summarize();
  }

  /** Outside any window (a fast-path refuel): summarize and start a fresh budget. */
  refillIfIdle(): void {
    if (this.#windows > 0) return;
    this.#summarize();
    this.#budget?.refill();
    this.#textLeft = this.#limit;
  }

  /**
   * The sandbox's end is a window of its own: what the last one held back is told first, and
   * `release` (the providers' cleanups: summaries of dropped output, denials) gets a fresh budget.
   */
  closing(release: () => void): void {
    this.#summarize();
    this.#budget?.refill();
    this.#textLeft = this.#limit;
    release();
    this.#summarize();
  }

  /**
   * Release the guest text held back, then one `log:suppressed` event per kind of event held back.
   * Most windows hold nothing back: the test is small enough for V8 to inline into every window's
   * start and end (an invocation's), and the loops are a call of their own (`#flushHeld`).
   */
  #summarize(): void {
    const streams = this.#streams;
    const budget = this.#budget;
    if ((streams === undefined || streams.size === 0) && (budget === undefined || !budget.suppressing))
      return;
    this.#flushHeld();
  }

  #flushHeld(): void {
    if (this.#streams && this.#streams.size > 0)
      for (const stream of this.#streams.values()) stream.flush(this.#releaseText);
    if (this.#budget === undefined || !this.#budget.suppressing) return;
    for (const [name, suppressed] of this.#budget.takeSuppressed()) {
      this.#bus.emitAs(
        {
          event: EVENTS.logSuppressed,
          level: 'warn',
          status: 'dropped',
          data: { event: name, suppressed, limit: this.#limit },
        },
        this.#sandbox,
        this.#module,
        this.request ?? this.windowRequest,
      );
    }
  }
}
