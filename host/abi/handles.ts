/**
 * Resource handles (CanonicalABI.md, "Handle tables"): one table per component instance, shared
 * by every resource type (`inst.table`: a handle's index says nothing of its type, and using it
 * as another type traps), index 0 never used, freed indices reused last-in first-out. An entry holds
 * the resource's representation — the host's object for a resource the host implements, the
 * guest's i32 for one a component defines — whether it owns the resource, how many borrows of
 * it are lent out, and for a borrow the call it belongs to. Every live entry is counted against
 * the sandbox's handle limit.
 */
import { KeelError } from '../kernel/errors.js';
import { trap } from './trap.js';
import type { ResourceType } from './types.js';

/**
 * What the resource built-ins cost the guest beyond its call instruction, in bytes' worth of
 * `byte` (docs/fuel.md): `resource.new` and `resource.drop` change a handle table (19-180 ns
 * with the collections they cause), `resource.rep` reads one (11 ns); charged as nothing, a
 * guest looping on them cost the host 30-45x compute per unit of fuel
 * (hostile/abi/resource-builtins-underpriced).
 */
export const HANDLE_BUILTIN_BYTES = 1024;
export const HANDLE_REP_BYTES = 64;
/**
 * A guest's resource the host takes up (an export's result or a host call's argument made a
 * `GuestResource`: an object, its record, the handle counter, a finalizer's entry), charged
 * before its handle leaves the guest's table: 1.2-1.8 µs each with the collections, 330-470x
 * compute per unit of fuel when a list of them paid only its bytes
 * (hostile/abi/resource-builtins-underpriced).
 */
export const HELD_RESOURCE_BYTES = 8192;

export interface HandleEntry {
  rep: unknown;
  own: boolean;
  lendCount: number;
  /** For a borrow lowered into an export call: that call's context (its borrow count). */
  scope: { borrowCount: number } | undefined;
}

/**
 * What a sandbox knows about its resources: the providers' classes (host resources are
 * instances of them) and how to hold a guest resource on the host's side.
 */
export interface ResourceHost {
  /** The provider's class of an imported resource (by resource slot), when it has one. */
  hostClass(resource: ResourceType): Function | undefined;
  /** A guest resource the host now holds (owned) or sees during a call (borrowed). */
  hold(resource: ResourceType, rep: number, borrowed: boolean): GuestResource;
  /** A guest resource the host held moves into a guest: forget it. */
  release(r: GuestResource): void;
}

/** Counts handles against the sandbox's limit (`limits.handles`). */
export interface HandleCounter {
  /** One more handle, of a resource type named `kind`; past the limit throws `resource-limit`. */
  acquire(kind: string): void;
  release(): void;
}

/**
 * One component instance's index space, shared by all its resource types: each live index's
 * entry and the type it was made for (CanonicalABI.md keeps the type in the element and checks
 * it on every use: `trap_if(h.rt is not rt)`).
 */
export class HandleSpace {
  readonly entries: (HandleEntry | undefined)[] = [undefined];
  readonly types: (ResourceType | undefined)[] = [undefined];
  readonly free: number[] = [];
}

/** The handles of one resource type in one component instance: a typed view of its `HandleSpace`. */
export class HandleTable {
  constructor(
    readonly resource: ResourceType,
    readonly counter: HandleCounter,
    readonly space: HandleSpace = new HandleSpace(),
  ) {}

  add(entry: HandleEntry): number {
    const space = this.space;
    if (space.free.length === 0 && space.entries.length >= 1 << 28)
      trap(`too many ${this.resource.name} handles`);
    this.counter.acquire(this.resource.name);
    const free = space.free.pop();
    if (free !== undefined) {
      space.entries[free] = entry;
      space.types[free] = this.resource;
      return free;
    }
    space.entries.push(entry);
    space.types.push(this.resource);
    return space.entries.length - 1;
  }

  /** The live entry at `i`, made for this table's type: anything else traps. */
  get(i: number): HandleEntry {
    const space = this.space;
    const entry = i > 0 ? space.entries[i] : undefined;
    if (!entry) trap(`${i} is not a live ${this.resource.name} handle`);
    if (space.types[i] !== this.resource)
      trap(`${i} is not a live ${this.resource.name} handle (it is a ${space.types[i]!.name} handle)`);
    return entry;
  }

  remove(i: number): HandleEntry {
    const entry = this.get(i);
    const space = this.space;
    space.entries[i] = undefined;
    space.types[i] = undefined;
    space.free.push(i);
    this.counter.release();
    return entry;
  }
}

/** What an ended sandbox's `InstanceState` refuses: any handle, any resource crossing. */
function ended(): never {
  throw new KeelError('killed', 'the sandbox has ended');
}

/** The counter of an ended sandbox's instance state: no handle more (see `InstanceState.end`). */
const ENDED_COUNTER: HandleCounter = Object.freeze({ acquire: ended, release() {} });

/** The resource host of an ended sandbox's instance state (see `InstanceState.end`). */
const ENDED_HOST: ResourceHost = Object.freeze({ hostClass: () => undefined, hold: ended, release() {} });

/**
 * The word a sandbox's scalar fast path reads (the kernel's `CallDeadline.busy`, its `CallGate`,
 * host/abi/fast.ts): exactly `GATE_OPEN` (1) when a call may start without writing anything.
 * Such a call (the common one) writes no mark of its own, so host code that its guest reaches
 * marks the word instead (`markHost`), before it does anything else.
 */
export interface HostMark {
  busy: number;
  /** The first error host code threw into the guest's call in progress (`THREW`, `hostThrew`). */
  thrown?: unknown;
  /** Told of that first error once (the kernel stops the guest's meter with it). */
  onThrown?(error: unknown): void;
  /** The instance states marking it (`InstanceState`): `hostThrew` puts their may-leave flags down. */
  states?: InstanceState[];
}

/** `HostMark.busy`: host code ran inside the common fast-path call in progress (`markHost`). */
export const HOST = 64;

/**
 * `HostMark.busy`: host code threw into the guest's call in progress (a trap, a refusal, an
 * exit: `hostThrew`). A guest built with legacy exception handling can catch it (`catch_all`)
 * and carry on, so the mark stays until the call ends: every later host entry of the call throws
 * the same error (`markHost`), and the sandbox fails the call with it however the guest returns.
 * The highest mark: a trampoline that finds the word not open tests `busy >= THREW` alone.
 */
export const THREW = 128;

/** The mark of an instance outside a sandbox (the ABI's own tests): never open, never written. */
export const NO_MARK: HostMark = Object.freeze({ busy: 0 });

/**
 * Host code starts inside a guest's call (a lowered import, a resource built-in, a meter hook):
 * when the call is the fast path's common one (the word exactly open), mark it as in progress
 * with host code run (`HOST`, kept until the call returns and the sandbox settles the word), so
 * that whatever this code does to the sandbox (a call into it, a kill, a destructor, a reading
 * of the clock) knows a call is in progress. One read and compare per host call (two when the
 * word is not exactly open), one write per fast-path call that reaches the host (docs/abi.md,
 * "Host code inside a call"). After host code threw into the call (`THREW`), refused with that
 * error (docs/abi.md, "A host error thrown into the guest").
 */
export function markHost(mark: HostMark): void {
  // Literals (GATE_OPEN, GATE_OPEN | HOST, THREW): TurboFan loads a module's constant at each use.
  const busy = mark.busy;
  if (busy === 1) mark.busy = 65;
  else if (busy >= 128) throwAgain(mark);
}

/**
 * A call starts over on a mark that may have kept a thrown error (a worker's guest runs on after
 * a failed call): nothing thrown, every instance's may-leave flag up.
 */
export function clearThrown(mark: HostMark): void {
  mark.busy &= ~THREW;
  mark.thrown = undefined;
  const states = mark.states;
  if (states !== undefined) for (let i = 0; i < states.length; i++) states[i]!.mayLeave = true;
}

/** A host entry after host code threw into the call (`THREW`): refused with the first error. */
export function throwAgain(mark: HostMark): never {
  throw mark.thrown;
}

/**
 * Host code is throwing `error` into the guest (a lowered import's or a resource built-in's
 * failure, a core module's import): the call is over whatever the guest does with it. The first
 * such error of the call is kept on the mark (`THREW`, `thrown`) and returned, to be thrown
 * (a later one is thrown as the first: the call keeps its first error). Outside a sandbox
 * (`NO_MARK`) nothing is kept.
 */
export function hostThrew(mark: HostMark, error: unknown): unknown {
  const busy = mark.busy;
  if (busy >= THREW) return mark.thrown;
  if (mark === NO_MARK) return error;
  mark.thrown = error;
  mark.busy = busy | THREW;
  // The scalar imports read the may-leave flag, not the word again: down, they refuse with the
  // error (calls.ts `leaveRefused`). Put up again only by a new call (`releaseStates`).
  const states = mark.states;
  if (states !== undefined) for (let i = 0; i < states.length; i++) states[i]!.mayLeave = false;
  mark.onThrown?.(error);
  return error;
}

/**
 * A host function a core module calls directly (a core module's import, `proc_exit`): marks the
 * call as in host code first, and what it throws into the guest (a trap, a refusal, an exit) is
 * kept on `mark` (`hostThrew`: the guest may catch it, the call fails with it all the same).
 * The kernel's inline sandboxes and a worker's guest guard their core imports alike.
 */
export function guardedHost<F extends (...args: never[]) => unknown>(fn: F, mark: HostMark): F {
  return function guarded(...args: never[]) {
    markHost(mark);
    try {
      return fn(...args);
    } catch (error) {
      throw hostThrew(mark, error);
    }
  } as F;
}

/** A component instance's state: its handle tables, its reentrance flags and its sandbox's mark. */
export class InstanceState {
  /** False while the instance calls out (an import): it may not be entered again meanwhile. */
  mayEnter = true;
  /** False while realloc or post-return runs: the guest may not call imports then. */
  mayLeave = true;
  /**
   * A typed view per resource type, made on first use, all over one index space (`#space`): a
   * handle of one type is found at its index by another's view, and refused there (a trap).
   */
  #tables: Map<ResourceType, HandleTable> | undefined;
  #space: HandleSpace | undefined;
  constructor(
    readonly id: number,
    public counter: HandleCounter,
    public host: ResourceHost,
    /** What the instance's lowered imports and resource built-ins mark (`markHost`). */
    readonly gate: HostMark = NO_MARK,
  ) {
    if (gate === NO_MARK) return;
    gate.states ??= [];
    gate.states.push(this);
  }

  /**
   * Its sandbox ended: the state lets go of the sandbox (its handle counter, its component
   * instance, its tables). The guest's core instances hold their trampolines, and through them
   * this state, until V8's next full collection (it makes a wasm instance in its old
   * generation): what the state reached survived every young collection until then, copied
   * twice and promoted, and made most of a spawn's collection time. A guest still unwinding
   * from a kill gets no handle more.
   */
  end(): void {
    this.counter = ENDED_COUNTER;
    this.host = ENDED_HOST;
    this.#tables = undefined;
    this.#space = undefined;
  }

  table(resource: ResourceType): HandleTable {
    this.#tables ??= new Map();
    const tables = this.#tables;
    let t = tables.get(resource);
    if (!t) {
      this.#space ??= new HandleSpace();
      t = new HandleTable(resource, this.counter, this.#space);
      tables.set(resource, t);
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

/**
 * A count of live handles with a limit: one more past it throws `resource-limit`
 * (`details.limit: 'handles'`) after `onLimit` has run (the kernel emits `resource:limit`
 * there). A sandbox's own parts count its handles (host/kernel/sandbox.ts, `SandboxParts`); a
 * worker sandbox's thread makes a counter from the same limit.
 */
/** Told when a handle past the limit is refused: a function, or an object with `onHandleLimit` (no closure per sandbox). */
export type HandleLimitListener =
  | ((kind: string, max: number) => void)
  | { onHandleLimit(kind: string, max: number): void };

/** The `resource-limit` error of one handle more than `limits.handles` (the same for every counter). */
export function handleLimitError(limit: number, kind: string): KeelError {
  return new KeelError(
    'resource-limit',
    `the sandbox holds ${limit} resource handles, its limit (limits.handles): one more ${kind} was refused`,
    { limit: 'handles', max: limit, kind },
  );
}

export function handleLimitCounter(
  limit: number,
  onLimit?: HandleLimitListener,
): HandleCounter & { readonly count: number } {
  return new LimitedHandleCounter(limit, onLimit);
}

/** `handleLimitCounter`'s counter: one object per sandbox, its methods on the prototype. */
class LimitedHandleCounter implements HandleCounter {
  #count = 0;
  readonly #limit: number;
  readonly #onLimit: HandleLimitListener | undefined;

  constructor(limit: number, onLimit: HandleLimitListener | undefined) {
    this.#limit = limit;
    this.#onLimit = onLimit;
  }

  get count(): number {
    return this.#count;
  }

  acquire(kind: string): void {
    const limit = this.#limit;
    if (this.#count >= limit) {
      const on = this.#onLimit;
      if (typeof on === 'function') on(kind, limit);
      else on?.onHandleLimit(kind, limit);
      throw handleLimitError(limit, kind);
    }
    this.#count++;
  }

  release(): void {
    if (this.#count > 0) this.#count--;
  }
}
