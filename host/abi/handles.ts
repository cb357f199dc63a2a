/**
 * Resource handles (CanonicalABI.md, "Handle tables"): one table per component instance and
 * resource type, index 0 never used, freed indices reused last-in first-out. An entry holds
 * the resource's representation — the host's object for a resource the host implements, the
 * guest's i32 for one a component defines — whether it owns the resource, how many borrows of
 * it are lent out, and for a borrow the call it belongs to. Every live entry is counted against
 * the sandbox's handle limit.
 */
import { KeelError } from '../kernel/errors.js';
import type { ResourceHost } from './codec.js';
import { trap } from './context.js';
import type { ResourceType } from './types.js';

export interface HandleEntry {
  rep: unknown;
  own: boolean;
  lendCount: number;
  /** For a borrow lowered into an export call: that call's context (its borrow count). */
  scope: { borrowCount: number } | undefined;
}

/** Counts handles against the sandbox's limit. */
export interface HandleCounter {
  acquire(): void;
  release(): void;
}

/** Index space of one resource type in one component instance. */
export class HandleTable {
  readonly entries: (HandleEntry | undefined)[] = [undefined];
  readonly free: number[] = [];
  constructor(
    readonly resource: ResourceType,
    readonly counter: HandleCounter,
  ) {}

  add(entry: HandleEntry): number {
    this.counter.acquire();
    const free = this.free.pop();
    if (free !== undefined) {
      this.entries[free] = entry;
      return free;
    }
    const i = this.entries.length;
    if (i >= 1 << 28) trap(`too many ${this.resource.name} handles`);
    this.entries.push(entry);
    return i;
  }

  get(i: number): HandleEntry {
    const entry = i > 0 ? this.entries[i] : undefined;
    if (!entry) trap(`${i} is not a live ${this.resource.name} handle`);
    return entry;
  }

  remove(i: number): HandleEntry {
    const entry = this.get(i);
    this.entries[i] = undefined;
    this.free.push(i);
    this.counter.release();
    return entry;
  }

  /** Every live entry (the sandbox's end drops them). */
  *live(): Iterable<HandleEntry> {
    for (const e of this.entries) if (e) yield e;
  }
}

/** A component instance's state: its handle tables and its reentrance flags. */
export class InstanceState {
  /** False while the instance calls out (an import): it may not be entered again meanwhile. */
  mayEnter = true;
  /** False while realloc or post-return runs: the guest may not call imports then. */
  mayLeave = true;
  /** One table per resource type (a handle of one type is never found in another's table). */
  readonly tables = new Map<ResourceType, HandleTable>();
  constructor(
    readonly id: number,
    readonly counter: HandleCounter,
    readonly host: ResourceHost,
  ) {}

  table(resource: ResourceType): HandleTable {
    let t = this.tables.get(resource);
    if (!t) {
      t = new HandleTable(resource, this.counter);
      this.tables.set(resource, t);
    }
    return t;
  }
}

/** What the host knows of a guest resource it holds (kept off the object, which JSON shows). */
export interface GuestResourceState {
  readonly type: ResourceType;
  /** The sandbox's component instance it belongs to (a resource never crosses sandboxes). */
  readonly owner: object;
  /** The guest's representation. */
  readonly rep: number;
  /** `owned`: the host may use and drop it; `borrowed`: only during the call that lent it; `spent`: moved or dropped. */
  state: 'owned' | 'borrowed' | 'spent';
  /** Runs the guest's destructor (owned resources). */
  readonly drop: ((r: GuestResource) => void) | undefined;
}

const internals = new WeakMap<GuestResource, GuestResourceState>();

/**
 * A resource a component defines, as the host holds it: returned by an export (`own`), passed
 * back to its methods. `resource` and `handle` are what JSON shows of it; dropping it (with
 * `[Symbol.dispose]()`) runs the guest's destructor. Lowered as `own` it moves into the guest
 * and this object is spent.
 */
export class GuestResource {
  /** The resource type's WIT name. */
  readonly resource: string;
  /** The host's handle for it, unique within the sandbox (what JSON values name it by). */
  readonly handle: number;

  constructor(state: GuestResourceState, handle: number) {
    this.resource = state.type.name;
    this.handle = handle;
    internals.set(this, state);
  }

  /** Drop the resource (the guest's destructor runs). Idempotent. */
  [Symbol.dispose](): void {
    const state = internals.get(this)!;
    if (state.state !== 'owned') return;
    state.state = 'spent';
    state.drop?.(this);
  }

  static state(value: unknown): GuestResourceState | undefined {
    return typeof value === 'object' && value !== null ? internals.get(value as GuestResource) : undefined;
  }
}

/** Resource handles one sandbox may hold (host and guest resources together). */
export const DEFAULT_HANDLE_LIMIT = 65_536;

/** The handle limit's error (until the kernel gives a counter of its own). */
export function handleLimitCounter(limit: number): HandleCounter & { count: number } {
  return {
    count: 0,
    acquire() {
      if (this.count >= limit) {
        throw new KeelError('trap', `the sandbox holds ${limit} resource handles, its limit`, { limit });
      }
      this.count++;
    },
    release() {
      this.count--;
    },
  };
}
