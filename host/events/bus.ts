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
  /** Cache of "does anybody listen to this name", reset when subscriptions change. */
  #wants = new Map<string, boolean>();
  #reporting = false;

  constructor(options: EventBusOptions) {
    this.session = options.session;
    this.redactor = options.redactor ?? new Redactor();
    this.#now = options.now ?? (() => new Date().toISOString());
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
    this.#wants.clear();
    return () => {
      this.#subscriptions = this.#subscriptions.filter((s) => s !== subscription);
      this.#wants.clear();
    };
  }

  /** Cheap check used on hot paths to skip building events nobody will see. */
  wants(name: EventName): boolean {
    let wanted = this.#wants.get(name);
    if (wanted === undefined) {
      wanted = this.#subscriptions.some((s) => matches(s.pattern, name));
      this.#wants.set(name, wanted);
    }
    return wanted;
  }

  emit(input: EventInput): KeelEvent | undefined {
    if (!this.wants(input.event)) return undefined;
    const raw: KeelEvent = {
      ts: this.#now(),
      level: input.level ?? 'info',
      schema: EVENT_SCHEMA_VERSION,
      session: this.session,
      ...input,
    } as KeelEvent;
    const event = this.redactor.active ? this.redactor.apply(raw) : raw;
    for (const subscription of this.#subscriptions) {
      if (!matches(subscription.pattern, event.event)) continue;
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
        error: { code: 'internal', message: error instanceof Error ? error.message : String(error) },
      });
    } finally {
      this.#reporting = false;
    }
  }
}

function matches(pattern: EventPattern, name: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  return pattern.endsWith(':*') && name.startsWith(pattern.slice(0, -1));
}
