/**
 * The event bus: one place every event passes through. Fan-out is synchronous and never
 * awaits an observer; a hook that throws (or rejects) produces `hook:error` and the run goes on.
 */
import { EVENTS, type EventName } from './names.js';
import { EVENT_SCHEMA_VERSION, type EventInput, type KeelEvent } from './record.js';
import { Redactor } from './redact.js';

export type EventHook = (event: KeelEvent) => void | Promise<void>;

/** `'*'`, an exact name (`'invoke:end'`) or a family (`'invoke:*'`). */
export type EventPattern = '*' | EventName | `${string}:*`;

export interface SubscribeOptions {
  /** Higher runs first; ties run in subscription order. Default 0. */
  priority?: number;
  /** A label used in `hook:error` events. */
  name?: string;
}

interface Subscription {
  pattern: EventPattern;
  hook: EventHook;
  priority: number;
  name: string;
  order: number;
}

/**
 * A consumer that can fall behind (the JSONL log): producers that can wait (the kernel's
 * asynchronous entry points) wait for `drained()` while it is `congested`.
 */
export interface Backpressure {
  readonly congested: boolean;
  drained(): Promise<void>;
}

export interface EventBusOptions {
  session: string;
  /** Timestamp source; the kernel passes a virtual clock in deterministic mode. */
  now?: () => string;
  redactor?: Redactor;
}

export class EventBus {
  readonly session: string;
  readonly redactor: Redactor;
  readonly #now: () => string;
  #subscriptions: Subscription[] = [];
  #order = 0;
  /** Cache of who listens to each name (in priority order), reset when subscriptions change. */
  #routes = new Map<string, Subscription[]>();
  #backpressure: Backpressure[] = [];
  #reporting = false;

  constructor(options: EventBusOptions) {
    this.session = options.session;
    this.redactor = options.redactor ?? new Redactor();
    this.#now = options.now ?? isoNow;
  }

  subscribe(pattern: EventPattern, hook: EventHook, options: SubscribeOptions = {}): () => void {
    const subscription: Subscription = {
      pattern,
      hook,
      priority: options.priority ?? 0,
      name: options.name ?? (hook.name || 'anonymous'),
      order: this.#order++,
    };
    this.#subscriptions = [...this.#subscriptions, subscription].sort(
      (a, b) => b.priority - a.priority || a.order - b.order,
    );
    this.#routes.clear();
    return () => {
      this.#subscriptions = this.#subscriptions.filter((s) => s !== subscription);
      this.#routes.clear();
    };
  }

  /** Cheap check used on hot paths to skip building events nobody will see. */
  wants(name: EventName): boolean {
    return this.#subscriptions.length > 0 && this.#route(name).length > 0;
  }

  /** Register a consumer that can fall behind; returns the function that removes it. */
  addBackpressure(consumer: Backpressure): () => void {
    this.#backpressure = [...this.#backpressure, consumer];
    return () => {
      this.#backpressure = this.#backpressure.filter((c) => c !== consumer);
    };
  }

  /** Whether a consumer (the JSONL log) has fallen behind: producers that can wait should. */
  get congested(): boolean {
    for (const consumer of this.#backpressure) if (consumer.congested) return true;
    return false;
  }

  /** Resolves when no consumer is congested (or each has given up on a stalled destination). */
  async drained(): Promise<void> {
    for (const consumer of this.#backpressure) if (consumer.congested) await consumer.drained();
  }

  emit(input: EventInput): KeelEvent | undefined {
    return this.emitAs(input, input.sandbox, input.module, input.request);
  }

  /**
   * Kernel-internal: emit `input` stamped with these ids (a sandbox stamps its own events
   * without copying them first).
   */
  emitAs(
    input: Omit<EventInput, 'sandbox'>,
    sandbox: string | undefined,
    module: string | undefined,
    request: string | undefined,
  ): KeelEvent | undefined {
    const route = this.#route(input.event);
    if (route.length === 0) return undefined;
    // Built field by field in schema order: every event has the same shape, none has an
    // `undefined` field, and the log writes it in this order.
    const raw = {
      ts: this.#now(),
      level: input.level ?? 'info',
      schema: EVENT_SCHEMA_VERSION,
      event: input.event,
      session: this.session,
    } as KeelEvent;
    if (sandbox !== undefined) raw.sandbox = sandbox;
    if (request !== undefined) raw.request = request;
    if (input.span !== undefined) raw.span = input.span;
    if (module !== undefined) raw.module = module;
    if (input.status !== undefined) raw.status = input.status;
    if (input.duration_ms !== undefined) raw.duration_ms = input.duration_ms;
    if (input.data !== undefined) raw.data = input.data;
    if (input.error !== undefined) raw.error = input.error;
    const event = this.redactor.active ? this.redactor.apply(raw) : raw;
    for (const subscription of route) {
      try {
        const result = subscription.hook(event);
        if (result && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).catch((error: unknown) => this.#hookFailed(subscription, event, error));
        }
      } catch (error) {
        this.#hookFailed(subscription, event, error);
      }
    }
    return event;
  }

  #hookFailed(subscription: Subscription, event: KeelEvent, error: unknown): void {
    // A failing hook:error observer must not recurse forever.
    if (this.#reporting) return;
    this.#reporting = true;
    try {
      this.emit({
        event: EVENTS.hookError,
        level: 'warn',
        status: 'error',
        ...(event.sandbox ? { sandbox: event.sandbox } : {}),
        data: { hook: subscription.name, while: event.event },
        error: { code: 'internal', message: thrownText(error) },
      });
    } finally {
      this.#reporting = false;
    }
  }

  #route(name: string): Subscription[] {
    let route = this.#routes.get(name);
    if (route === undefined) {
      route = this.#subscriptions.filter((s) => matches(s.pattern, name));
      this.#routes.set(name, route);
    }
    return route;
  }
}

/**
 * What a hook threw, as text. Converting it may throw too (an object without a prototype, a
 * `message` getter that throws): that escaped the emit, and the call that emitted (a load, a
 * guest's call) failed with a TypeError where the hook's failure is only `hook:error`.
 */
function thrownText(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'a value that cannot be converted to a string';
  }
}

let lastMs = -1;
let lastIso = '';

/** The time as ISO-8601, formatted once per millisecond (events come far faster). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function matches(pattern: EventPattern, name: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  return pattern.endsWith(':*') && name.startsWith(pattern.slice(0, -1));
}
