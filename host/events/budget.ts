/**
 * A sandbox's event budget: how many events it may cause one by one in a window (an
 * invocation, a delivery, its spawn, its end, a fast-path refuel). Past it, events are counted
 * by kind instead of emitted; at the end of the window each kind becomes one `log:suppressed`
 * event carrying its count. The memory this takes is one counter per kind of event.
 *
 * ```ts
 * const budget = new EventBudget(2);
 * budget.admit('guest:log'); budget.admit('guest:log'); budget.admit('guest:log'); // true, true, false
 * budget.takeSuppressed(); // [['guest:log', 1]]
 * ```
 */
import { EVENTS, type EventName } from './names.js';

/**
 * Events a guest cannot multiply within a window, so they never draw on the budget: the
 * window's own bracket (one `invoke:*` pair, one `ipc:deliver` per delivery), the end of the
 * sandbox (`sandbox:exit`/`sandbox:crash`, `fuel:exhausted`, `policy:violation`, each once),
 * and the summaries themselves.
 */
export const UNBUDGETED: ReadonlySet<EventName> = new Set<EventName>([
  EVENTS.invokeStart,
  EVENTS.invokeEnd,
  EVENTS.invokeError,
  EVENTS.ipcDeliver,
  EVENTS.sandboxExit,
  EVENTS.sandboxCrash,
  EVENTS.fuelExhausted,
  EVENTS.policyViolation,
  EVENTS.logSuppressed,
]);

export class EventBudget {
  /** Events per window. */
  readonly limit: number;
  #left: number;
  #suppressed: Map<EventName, number> | undefined;

  constructor(limit: number) {
    this.limit = limit;
    this.#left = limit;
  }

  /** Whether an event of this kind may be emitted now; when not, it is counted. */
  admit(name: EventName): boolean {
    if (this.#left > 0) {
      if (!UNBUDGETED.has(name)) this.#left--;
      return true;
    }
    if (UNBUDGETED.has(name)) return true;
    if (this.#suppressed === undefined) this.#suppressed = new Map();
    this.#suppressed.set(name, (this.#suppressed.get(name) ?? 0) + 1);
    return false;
  }

  /** Whether a budgeted event would be emitted now (not counted instead). */
  get open(): boolean {
    return this.#left > 0;
  }

  /** A new window: the whole budget again. */
  refill(): void {
    this.#left = this.limit;
  }

  /** Whether any event is held back (what `takeSuppressed` would return is not empty). */
  get suppressing(): boolean {
    return this.#suppressed !== undefined && this.#suppressed.size > 0;
  }

  /** Each kind held back since the last call, with its count; forgets them. */
  takeSuppressed(): [EventName, number][] {
    const suppressed = this.#suppressed;
    if (suppressed === undefined || suppressed.size === 0) return [];
    this.#suppressed = undefined;
    return [...suppressed];
  }
}
