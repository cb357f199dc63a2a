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
 * What an observed text event (`guest:log`, `guest:stdout`, `guest:stderr`) costs, in bytes'
 * worth of `byte`: the event made, redacted and handed to its observers (a hook's call, a JSONL
 * line written: 2-5 us), and each character of its text redacted over the stream and written
 * as JSON (a NUL is six characters of JSON: 5-8 ns a character). Unobserved, none of this work
 * is done and none is charged; past the window's budget it is counted, not made, and charges
 * only its redaction (`REDACTED_TEXT_BYTES`). A guest logging 4 KiB messages of NULs to a kernel with a log
 * file cost 48x compute per unit of fuel, empty ones 12x (load 24).
 */
export const TEXT_EVENT_BYTES = 32_768;
export const TEXT_EVENT_CHAR_BYTES = 64;

/**
 * What a text event past the budget costs per secret the kernel redacts, in bytes' worth of
 * `byte` (and a byte's worth a character): it is not made, but its text still goes through the
 * stream's redaction, about 0.2 us a secret: 10 secrets made empty messages past the budget 2.9x
 * compute per unit of fuel and 64-byte ones 8.85x (load 19).
 */
export const REDACTED_TEXT_BYTES = 2_048;

/** The fuel of an observed text event of `text`. */
export function textEventFuel(text: string): number {
  return (TEXT_EVENT_BYTES + text.length * TEXT_EVENT_CHAR_BYTES) * DEFAULT_HOST_COSTS.byte;
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
  /** Guest text streams (stdout, stderr, the log), redacted over the stream; made on the first text. */
  #streams: Map<EventName, StreamRedactor<HeldText>> | undefined;

  constructor(bus: EventBus, sandbox: string, module: string, limit: number) {
    this.#bus = bus;
    this.#sandbox = sandbox;
    this.#module = module;
    this.#limit = limit;
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
   * The fuel of a text event of `text` emitted now: none when nobody observes it or the window's
   * budget is spent (it is counted, not made), `textEventFuel` otherwise.
   */
  textFuel(name: EventName, text: string): number {
    if (!this.#bus.wants(name)) return 0;
    if (this.#budget === undefined || this.#budget.open) return textEventFuel(text);
    // Counted, not made, but still redacted over its stream: once per secret.
    const secrets = this.#bus.redactor.values.length;
    return secrets === 0 ? 0 : secrets * (REDACTED_TEXT_BYTES + text.length) * DEFAULT_HOST_COSTS.byte;
  }

  /** `Sandbox.emitText`: guest text from a stream, redacted over the stream, maybe held back. */
  emitText(name: EventName, text: string, build: (text: string) => Omit<EventInput, 'sandbox'>): void {
    if (!this.#bus.wants(name)) return;
    this.#streams ??= new Map();
    const streams = this.#streams;
    let stream = streams.get(name);
    if (stream === undefined) {
      stream = new StreamRedactor<HeldText>(this.#bus.redactor);
      streams.set(name, stream);
    }
    stream.push(text, { name, build, request: this.request }, this.#releaseText);
  }

  /** Emits a held text event once its text is known safe (bound on first use: a callback the streams keep). */
  get #releaseText(): (text: string, held: HeldText) => void {
    // Admitted before it is built: past the budget a text event is counted, never made (making
    // it and copying it to stamp its invocation cost 2-4 us, most of a log call's host time).
    this.#release ??= (text, held) => {
      if (!this.#bus.wants(held.name) || !this.#admit(held.name)) return;
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
  }

  /**
   * The sandbox's end is a window of its own: what the last one held back is told first, and
   * `release` (the providers' cleanups: summaries of dropped output, denials) gets a fresh budget.
   */
  closing(release: () => void): void {
    this.#summarize();
    this.#budget?.refill();
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
