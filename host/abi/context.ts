/**
 * What lifting and lowering work with during one call: the canonical options (memory, realloc,
 * string encoding), the component instance's state (handle tables, may-enter/may-leave), the
 * call's borrow scope, and the byte budget guest data draws on. A guest's mistake (a pointer
 * out of bounds, a bad alignment, an invalid discriminant) is `trap`; a host value that does not
 * fit its type is a `ValueError`, which the caller names (`invalid-argument` at the API,
 * `internal` for a provider's result).
 */
import { KeelError } from '../kernel/errors.js';
import type { StringEncoding } from './ast.js';
import type {
  GuestResource,
  GuestResourceState,
  HandleEntry,
  HandleTable,
  InstanceState,
} from './handles.js';
import { THREW } from './handles.js';
import { trap } from './trap.js';

export { trap };

/** A host value does not fit the WIT type it is lowered as. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

export function badValue(message: string): never {
  throw new ValueError(message);
}

/** The same error, with where it happened in front (`field x: ...`). */
export function within(error: unknown, where: string): never {
  if (error instanceof ValueError) throw new ValueError(`${where}: ${error.message}`);
  throw error;
}

const EMPTY = new ArrayBuffer(0);
/** Views of no memory, shared by every `MemoryView` until its memory is bound (never written: they have no bytes). */
const EMPTY_U8 = new Uint8Array(EMPTY);
const EMPTY_DV = new DataView(EMPTY);

/** Views of one linear memory, renewed when the memory grows (its buffer changes). */
export class MemoryView {
  #memory: WebAssembly.Memory | undefined;
  buffer: ArrayBuffer = EMPTY;
  u8 = EMPTY_U8;
  dv = EMPTY_DV;
  /** The buffer is a SharedArrayBuffer (never detached when the memory grows). */
  #shared = false;
  /** Views of the whole buffer by element type (`view`), made on first use. */
  #views: (ArrayBufferView | undefined)[] = [];

  /**
   * A view of the whole buffer as `ctor`'s elements, kept while the buffer is (slot: the caller's
   * index for `ctor`): a typed list is copied by one slice of it, not a view made and sliced.
   */
  view(ctor: new (buffer: ArrayBufferLike) => ArrayBufferView, slot: number): ArrayBufferView {
    const v = this.#views[slot];
    if (v !== undefined && v.buffer === this.buffer) return v;
    const made = new ctor(this.buffer);
    this.#views[slot] = made;
    return made;
  }

  get memory(): WebAssembly.Memory | undefined {
    return this.#memory;
  }

  set memory(memory: WebAssembly.Memory | undefined) {
    this.#memory = memory;
    this.buffer = EMPTY;
    this.u8 = EMPTY_U8;
    this.dv = EMPTY_DV;
    this.#shared = false;
    this.#views = [];
  }

  refresh(): void {
    // A memory's buffer changes only when the memory grows, and a grow detaches the old buffer
    // (its views then have no bytes): views that still have bytes are over the current buffer,
    // and reading `memory.buffer` (an API call, on every call into the guest) can wait. A shared
    // memory's buffer is never detached: it is read every time.
    if (this.u8.length !== 0 && !this.#shared) return;
    const memory = this.#memory;
    if (!memory) trap('the function needs a memory and has none');
    const b = memory.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
      this.#shared = !(b instanceof ArrayBuffer);
    }
  }
}

/**
 * What lowering a host function's result into the guest costs, in bytes' worth of `byte`, beyond
 * a byte's worth for each byte copied: each allocation asked of the guest's realloc (a call
 * into the guest's code and back, about 70 ns: `get-environment` lowering 200 variables in a
 * loop, at the price of a call, cost the host 102x compute per unit of fuel), and each element
 * of a list stored one by one (a string's or a record's fields written, the host's value
 * checked). The canonical ABI charges them for every provider (redteam15: each provider had to,
 * and one that forgot sold the lowering at the price of a call); what a provider does to make
 * the result (read a file, make random bytes) stays its own to price.
 */
export const LOWERED_ALLOC_BYTES = 1_024;
export const LOWERED_ELEMENT_BYTES = 512;

export type Realloc = (original: number, size: number, align: number, newSize: number) => number;

/**
 * The strings an adapter between two components carries, as the canonical ABI's string values
 * (definitions.py: the text, its source's encoding and tagged code units): each string's tagged
 * code units in the order they were lifted, which is the order they are lowered in (one type,
 * walked the same way on both sides).
 */
export class Carried {
  encoding: StringEncoding = 'utf8';
  readonly units: number[] = [];
  at = 0;
  /** Lifting from a component of this encoding starts. */
  begin(encoding: StringEncoding): this {
    this.encoding = encoding;
    this.units.length = 0;
    this.at = 0;
    return this;
  }
  /** Lowering what was lifted starts. */
  rewind(): this {
    this.at = 0;
    return this;
  }
}

/**
 * One adapter's strings: its arguments (lifted from the caller, lowered into the callee) and its
 * results (lifted from the callee, lowered into the caller).
 */
export class AdapterStrings {
  readonly args = new Carried();
  readonly results = new Carried();
}

/** The canonical options of one `canon lift` or `canon lower`, bound to one sandbox's instances. */
export class OptionSlot {
  realloc: Realloc | undefined;
  postReturn: ((...flat: unknown[]) => void) | undefined;
  constructor(
    readonly mem: MemoryView,
    readonly encoding: StringEncoding,
  ) {}
}

/**
 * Bounded and charged lifting: the bytes of every string and list lifted from a guest are
 * counted against a cap per call and charged before they are copied or decoded.
 */
export interface ByteBudget {
  /**
   * Bytes one call may lift from the guest, over all its strings and lists (export results,
   * adapters), counted as the host holds them (a list's elements at their host heap size when it
   * is larger: host/abi/heap.ts).
   */
  readonly maxCallBytes: number;
  /**
   * Bytes a guest may hand the host in one call of a host function (`limits.hostArgBytes`),
   * over all its strings and lists; more is `resource-limit`.
   */
  readonly maxHostArgBytes: number;
  /** Charge `bytes` (fuel); may throw (`fuel-exhausted`). */
  charge(bytes: number): void;
  /**
   * Charge one call of a host function the linker's gate does not wrap (a resource's
   * constructor, method or static function), before the provider runs.
   */
  chargeCall(): void;
  /** A host call's arguments went past `maxHostArgBytes` (the kernel emits `resource:limit`). */
  onHostArgLimit?(bytes: number, callee: string): void;
}

/** A handle an export call's argument added to a guest table (and the guest resource it moved in). */
export interface LoweredHandle {
  readonly table: HandleTable;
  readonly handle: number;
  readonly state?: GuestResourceState;
  readonly moved?: GuestResource;
}

/** The context of calls through one lifted or lowered function. */
export class Cx {
  /** Borrow handles lowered into the callee during an export call and not yet dropped. */
  borrowCount = 0;
  /** Own handles lent to the callee during an import call (their lend counts drop at its end). */
  lenders: HandleEntry[] = [];
  /**
   * Guest resources the host lent as borrows to the export being called, while its arguments are
   * lowered (made on first use, emptied when they are in or refused): the same call may not also
   * give one of them away as an own. A set: a million borrows of one resource are one entry,
   * and each own is looked up in constant time.
   */
  lent: Set<GuestResourceState> | undefined = undefined;
  /**
   * While an export call's arguments are lowered: the handles they added to the guest's tables
   * and the guest resources they moved in, so that a later argument's refusal leaves the tables
   * and the host's resources as they were (`undoLowering`); `undefined` otherwise.
   */
  lowering: LoweredHandle[] | undefined = undefined;
  /** Lifting for an adapter between two components: each string's source is recorded here. */
  carry: Carried | undefined = undefined;
  /** Lowering for an adapter: the sources of the strings it lifted (`lowerString` follows them). */
  source: Carried | undefined = undefined;
  /** Bytes lifted from the guest during the current call. */
  admitted = 0;
  /** The most `admitted` may reach in one call. */
  readonly #cap: number;
  constructor(
    readonly opts: OptionSlot,
    readonly inst: InstanceState,
    readonly budget: ByteBudget,
    /** For a call of a host function: its name (its arguments are bounded by `maxHostArgBytes`). */
    readonly hostCallee?: string,
    /**
     * Lowering for an adapter between two components (either side): each allocation asked of the
     * guest's realloc is priced as a string's is (`realloc`), its elements already were, as lifted.
     */
    readonly adapter = false,
  ) {
    this.#cap = hostCallee === undefined ? budget.maxCallBytes : budget.maxHostArgBytes;
  }

  /** Record the arguments' handle moves from now until `endLowering` or `undoLowering`. */
  beginLowering(): void {
    if (!this.#lowered) this.#lowered = [];
    this.lowering = this.#lowered;
  }
  #lowered: LoweredHandle[] | undefined = undefined;
  /** The arguments are in: the guest resources moved into the guest leave the host's hands. */
  endLowering(): void {
    const done = this.lowering!;
    this.lowering = undefined;
    // Most calls move no handle: writing an array's length is a runtime call even when it is
    // already 0 (about 40 ns of `fn('shout')` of 1 KiB, bench/results/perf-string-2026-12-07-16.md).
    if (done.length !== 0) {
      for (let k = 0; k < done.length; k++) {
        const moved = done[k]!.moved;
        if (moved) this.inst.host.release(moved);
      }
      done.length = 0;
    }
    this.lent?.clear();
  }
  /** An argument was refused: take back every handle the earlier ones added, in reverse. */
  undoLowering(): void {
    const done = this.lowering;
    this.lowering = undefined;
    this.lent?.clear();
    if (!done) return;
    for (let k = done.length - 1; k >= 0; k--) {
      const h = done[k]!;
      h.table.remove(h.handle);
      if (h.state) h.state.state = 'owned';
    }
    done.length = 0;
    this.borrowCount = 0;
  }

  /** Admit `bytes` of guest data (as the host will hold it) into the host: within the call's cap, charged. */
  admit(bytes: number): void {
    const total = this.admitted + bytes;
    if (total > this.#cap) this.#refuse(total);
    this.admitted = total;
    this.budget.charge(bytes);
  }

  #refuse(total: number): never {
    const callee = this.hostCallee;
    if (callee === undefined) {
      throw new KeelError(
        'trap',
        `the guest handed the host ${total} bytes in one call (as the host holds them), over the limit of ${this.#cap}`,
        { bytes: total, limit: this.#cap },
      );
    }
    this.budget.onHostArgLimit?.(total, callee);
    throw new KeelError(
      'resource-limit',
      `the guest passed ${callee} more than ${this.#cap} bytes (limits.hostArgBytes); the call was refused before the host read them`,
      { limit: 'hostArgBytes', max: this.#cap, bytes: total, import: callee },
    );
  }

  get mem(): MemoryView {
    return this.opts.mem;
  }

  /**
   * `realloc(0, 0, align, size)`, checked: aligned and in bounds. Lowering a host function's
   * result (`hostCallee`), it is priced first (`LOWERED_ALLOC_BYTES`, a byte's worth a byte,
   * `LOWERED_ELEMENT_BYTES` for each of the list's `elements` stored one by one): before the
   * guest's realloc runs and before the copy, so a result past the fuel left is
   * `fuel-exhausted` with nothing lowered. An adapter's (`adapter`) is priced as its strings'
   * reallocs are, `LOWERED_ALLOC_BYTES` and a byte's worth a byte (its elements were charged as
   * they were lifted): unpriced, 2,000 empty lists a call cost the host 5-7x its fuel's compute
   * (redteam17). An export's arguments are the embedder's: unpriced.
   */
  alloc(align: number, size: number, elements = 0): number {
    if (this.hostCallee !== undefined)
      this.budget.charge(LOWERED_ALLOC_BYTES + size + elements * LOWERED_ELEMENT_BYTES);
    else if (this.adapter) this.budget.charge(LOWERED_ALLOC_BYTES + size);
    return callRealloc(this, 0, 0, align, size, true);
  }

  /**
   * `realloc(old, oldSize, align, size)` as definitions.py calls it to grow or shrink a string:
   * in bounds, and aligned when `aligned` (its one unchecked call is a shrink to Latin-1).
   * Priced first as `alloc` prices a host function's result (`LOWERED_ALLOC_BYTES` and a byte's
   * worth a byte): a string one component passes another makes up to three of these calls, and
   * unpriced a list of 2,000 one-character strings cost the host 22x its fuel's compute (review16 M2).
   */
  realloc(old: number, oldSize: number, align: number, size: number, aligned: boolean): number {
    this.budget.charge(LOWERED_ALLOC_BYTES + size);
    return callRealloc(this, old, oldSize, align, size, aligned);
  }

  /** Check `[ptr, ptr + bytes)` lies in memory and `ptr` is aligned. */
  range(ptr: number, bytes: number, align: number): void {
    if ((ptr & (align - 1)) !== 0) trap(`pointer ${ptr} is not aligned to ${align}`);
    if (ptr + bytes > this.opts.mem.u8.length) {
      trap(`${bytes} bytes at ${ptr} run past the end of memory (${this.opts.mem.u8.length} bytes)`);
    }
  }
}

/**
 * The guest's realloc, run with its instance's may-leave flag down (definitions.py: an import
 * from it traps), its result checked: in bounds, and aligned when `aligned`. `Cx.alloc` and
 * `Cx.realloc` price the call first, each its own way.
 */
function callRealloc(
  cx: Cx,
  old: number,
  oldSize: number,
  align: number,
  size: number,
  aligned: boolean,
): number {
  const realloc = cx.opts.realloc;
  if (!realloc) trap('the function needs realloc and has none');
  const inst = cx.inst;
  inst.mayLeave = false;
  let ptr: number;
  try {
    ptr = realloc(old, oldSize, align, size) >>> 0;
  } finally {
    // Up again, unless host code threw into the call meanwhile (`hostThrew` keeps it down).
    inst.mayLeave = inst.gate.busy < THREW;
  }
  const mem = cx.opts.mem;
  mem.refresh();
  if (aligned && (ptr & (align - 1)) !== 0) trap(`realloc returned ${ptr}, not aligned to ${align}`);
  if (ptr + size > mem.u8.length) trap(`realloc returned ${ptr}..${ptr + size}, past the end of memory`);
  return ptr;
}
