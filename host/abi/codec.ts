/**
 * Lifting and lowering of every value type (CanonicalABI.md, "Loading", "Storing", "Flat
 * Lifting", "Flat Lowering"), compiled once per type into a tree of codec objects — closures
 * over Keel's own code and the type's data, never code made from the component's names.
 *
 * Host values follow jco's JavaScript conventions (what Keel's providers are written against):
 * numbers for integers up to 32 bits and floats, BigInt for 64-bit integers, a one-code-point
 * string for `char`, typed arrays for lists of numbers, arrays for other lists and tuples,
 * objects with lowerCamelCase keys for records and flags, `{ tag, val }` for variants and
 * results, strings for enums, `T | undefined` for options (`{ tag: 'some', val }` when the
 * payload is itself an option), provider objects for host resources and `GuestResource`s for
 * resources a component defines.
 */
import { badValue, type Cx, trap, within } from './context.js';
import { GuestResource, type HandleEntry, HELD_RESOURCE_BYTES } from './handles.js';
import {
  BACKING_STORE_LIFT_BYTES,
  heapBytesOf,
  largeListBytes,
  liftBytesOf,
  ON_HEAP_TYPED_BYTES,
  TYPED,
  type TypedArrayCtor,
} from './heap.js';
import { camelCase } from './js-names.js';
import { discriminantSize, type FlatType, layoutOf, variantLayout } from './layout.js';
import { describe, liftString, lowerString } from './strings.js';
import type { HandleType, ResourceType, ValType } from './types.js';

export type { ResourceHost } from './handles.js';

export interface Codec {
  readonly type: ValType;
  readonly size: number;
  readonly align: number;
  /** The core values it flattens to (only up to `MAX_KEPT_FLAT`; longer is passed in memory). */
  readonly flat: readonly FlatType[];
  readonly flatCount: number;
  /** Host value → flat core values `out[i..]`. */
  lowerFlat(cx: Cx, v: unknown, out: unknown[], i: number): void;
  /** Flat core values `src[i..]` → host value. */
  liftFlat(cx: Cx, src: ArrayLike<unknown>, i: number): unknown;
  /** Host value → memory at `ptr` (in bounds and aligned: the caller checked the whole range). */
  store(cx: Cx, v: unknown, ptr: number): void;
  /** Memory at `ptr` → host value. */
  load(cx: Cx, ptr: number): unknown;
}

const codecs = new WeakMap<ValType, Codec>();

/** The codec of a type (built once per type object). */
export function codecOf(t: ValType): Codec {
  let c = codecs.get(t);
  if (!c) {
    c = build(t);
    codecs.set(t, c);
  }
  return c;
}

function build(t: ValType): Codec {
  switch (t.kind) {
    case 'bool':
      return new BoolCodec(t);
    case 'u8':
    case 's8':
    case 'u16':
    case 's16':
    case 'u32':
    case 's32':
      return new IntCodec(t);
    case 'u64':
    case 's64':
      return new Int64Codec(t);
    case 'f32':
    case 'f64':
      return new FloatCodec(t);
    case 'char':
      return new CharCodec(t);
    case 'string':
      return new StringCodec(t);
    case 'list':
      return TYPED[t.element.kind] ? new TypedListCodec(t, t.element.kind) : new ListCodec(t);
    case 'record':
      return new RecordCodec(
        t,
        t.fields.map((f) => camelCase(f.name)),
        t.fields.map((f) => f.name),
        t.fields.map((f) => f.type),
      );
    case 'tuple':
      return new RecordCodec(t, undefined, undefined, t.types);
    case 'flags':
      return new FlagsCodec(t, t.names);
    case 'variant':
      return new VariantCodec(
        t,
        t.cases.map((c) => c.type),
        variantFlavor(t.cases.map((c) => c.name)),
      );
    case 'enum':
      return new VariantCodec(
        t,
        t.names.map(() => undefined),
        enumFlavor(t.names),
      );
    case 'option':
      return new VariantCodec(t, [undefined, t.type], isTaggedOption(t) ? taggedOption : plainOption);
    case 'result':
      return new VariantCodec(t, [t.ok, t.err], resultFlavor);
    case 'own':
    case 'borrow':
      return new HandleCodec(t);
  }
}

abstract class Base {
  readonly size: number;
  readonly align: number;
  readonly flat: readonly FlatType[];
  readonly flatCount: number;
  constructor(readonly type: ValType) {
    const l = layoutOf(type);
    this.size = l.size;
    this.align = l.align;
    this.flat = l.flat;
    this.flatCount = l.flatCount;
  }
}

class BoolCodec extends Base implements Codec {
  lowerFlat(_cx: Cx, v: unknown, out: unknown[], i: number): void {
    if (typeof v !== 'boolean') badValue(`expected a boolean, got ${describe(v)}`);
    out[i] = v ? 1 : 0;
  }
  liftFlat(_cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return src[i] !== 0;
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    if (typeof v !== 'boolean') badValue(`expected a boolean, got ${describe(v)}`);
    cx.opts.mem.u8[ptr] = v ? 1 : 0;
  }
  load(cx: Cx, ptr: number): unknown {
    return cx.opts.mem.u8[ptr] !== 0;
  }
}

const INT_RANGES: Record<string, [number, number]> = {
  u8: [0, 0xff],
  s8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  s16: [-0x8000, 0x7fff],
  u32: [0, 0xffff_ffff],
  s32: [-0x8000_0000, 0x7fff_ffff],
};

/** The range of a 32-bit or narrower integer kind (`u8` … `s32`), inclusive. */
export function intRange(kind: string): readonly [min: number, max: number] {
  return INT_RANGES[kind]!;
}

/** The integer as a host value must be: a number, an integer, in range. */
export function checkInt(v: unknown, kind: string): number {
  const [min, max] = INT_RANGES[kind]!;
  if (typeof v !== 'number') badValue(`expected a number (${kind}), got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max)
    badValue(`${describe(v)} is not a ${kind} (${min} to ${max})`);
  return v;
}

/** Lift an integer of `kind` from its i32. */
export function liftInt(kind: string, x: number): number {
  switch (kind) {
    case 'u8':
      return x & 0xff;
    case 's8':
      return (x << 24) >> 24;
    case 'u16':
      return x & 0xffff;
    case 's16':
      return (x << 16) >> 16;
    case 'u32':
      return x >>> 0;
    default:
      return x | 0;
  }
}

class IntCodec extends Base implements Codec {
  readonly kind: string;
  constructor(type: ValType) {
    super(type);
    this.kind = type.kind;
  }
  lowerFlat(_cx: Cx, v: unknown, out: unknown[], i: number): void {
    out[i] = checkInt(v, this.kind);
  }
  liftFlat(_cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return liftInt(this.kind, src[i] as number);
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const n = checkInt(v, this.kind);
    const dv = cx.opts.mem.dv;
    switch (this.size) {
      case 1:
        dv.setUint8(ptr, n & 0xff);
        return;
      case 2:
        dv.setUint16(ptr, n & 0xffff, true);
        return;
      default:
        dv.setUint32(ptr, n >>> 0, true);
    }
  }
  load(cx: Cx, ptr: number): unknown {
    const dv = cx.opts.mem.dv;
    switch (this.kind) {
      case 'u8':
        return dv.getUint8(ptr);
      case 's8':
        return dv.getInt8(ptr);
      case 'u16':
        return dv.getUint16(ptr, true);
      case 's16':
        return dv.getInt16(ptr, true);
      case 'u32':
        return dv.getUint32(ptr, true);
      default:
        return dv.getInt32(ptr, true);
    }
  }
}

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

export function checkInt64(v: unknown, kind: string): bigint {
  if (typeof v !== 'bigint') badValue(`expected a BigInt (${kind}), got ${describe(v)}`);
  if (kind === 'u64' ? v < 0n || v > U64_MAX : v < S64_MIN || v > S64_MAX) {
    badValue(`${v} is not a ${kind}`);
  }
  return v;
}

class Int64Codec extends Base implements Codec {
  readonly unsigned: boolean;
  constructor(type: ValType) {
    super(type);
    this.unsigned = type.kind === 'u64';
  }
  lowerFlat(_cx: Cx, v: unknown, out: unknown[], i: number): void {
    out[i] = checkInt64(v, this.type.kind);
  }
  liftFlat(_cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    const x = src[i] as bigint;
    return this.unsigned ? BigInt.asUintN(64, x) : x;
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const n = checkInt64(v, this.type.kind);
    cx.opts.mem.dv.setBigUint64(ptr, BigInt.asUintN(64, n), true);
  }
  load(cx: Cx, ptr: number): unknown {
    const dv = cx.opts.mem.dv;
    return this.unsigned ? dv.getBigUint64(ptr, true) : dv.getBigInt64(ptr, true);
  }
}

/**
 * A float from the guest, its NaN canonical (CanonicalABI.md, `canonicalize_nan32/64`): V8 keeps
 * a NaN's payload bits in a number, where a `Float64Array` or `DataView` shows them, so a guest
 * could pass bits through a NaN that the canonical ABI says never cross.
 */
export function liftFloat(x: number): number {
  return Number.isNaN(x) ? Number.NaN : x;
}

export function checkFloat(v: unknown, kind: string): number {
  if (typeof v !== 'number') badValue(`expected a number (${kind}), got ${describe(v)}`);
  return v;
}

class FloatCodec extends Base implements Codec {
  lowerFlat(_cx: Cx, v: unknown, out: unknown[], i: number): void {
    out[i] = checkFloat(v, this.type.kind);
  }
  liftFlat(_cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return liftFloat(src[i] as number);
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const f = checkFloat(v, this.type.kind);
    if (this.size === 4) cx.opts.mem.dv.setFloat32(ptr, f, true);
    else cx.opts.mem.dv.setFloat64(ptr, f, true);
  }
  load(cx: Cx, ptr: number): unknown {
    return liftFloat(
      this.size === 4 ? cx.opts.mem.dv.getFloat32(ptr, true) : cx.opts.mem.dv.getFloat64(ptr, true),
    );
  }
}

export function checkChar(v: unknown): number {
  if (typeof v !== 'string' || v.length === 0 || v.length > 2) {
    badValue(`expected a one-character string (char), got ${describe(v)}`);
  }
  const cp = v.codePointAt(0)!;
  if ((cp > 0xffff ? 2 : 1) !== v.length) badValue(`expected one character (char), got ${describe(v)}`);
  if (cp >= 0xd800 && cp <= 0xdfff) badValue('a lone surrogate is not a char');
  return cp;
}

export function liftChar(x: number): string {
  const i = x >>> 0;
  if (i >= 0x110000 || (i >= 0xd800 && i <= 0xdfff)) trap(`${i} is not a Unicode scalar value (char)`);
  return String.fromCodePoint(i);
}

class CharCodec extends Base implements Codec {
  lowerFlat(_cx: Cx, v: unknown, out: unknown[], i: number): void {
    out[i] = checkChar(v);
  }
  liftFlat(_cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return liftChar(src[i] as number);
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    cx.opts.mem.dv.setUint32(ptr, checkChar(v), true);
  }
  load(cx: Cx, ptr: number): unknown {
    return liftChar(cx.opts.mem.dv.getUint32(ptr, true));
  }
}

class StringCodec extends Base implements Codec {
  readonly #lowered = { units: 0 };
  lowerFlat(cx: Cx, v: unknown, out: unknown[], i: number): void {
    out[i] = lowerString(cx, v, this.#lowered);
    out[i + 1] = this.#lowered.units;
  }
  liftFlat(cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return liftString(cx, src[i] as number, src[i + 1] as number);
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const p = lowerString(cx, v, this.#lowered);
    const dv = cx.opts.mem.dv;
    dv.setUint32(ptr, p, true);
    dv.setUint32(ptr + 4, this.#lowered.units, true);
  }
  load(cx: Cx, ptr: number): unknown {
    const dv = cx.opts.mem.dv;
    return liftString(cx, dv.getUint32(ptr, true), dv.getUint32(ptr + 4, true));
  }
}

const TYPED_SLOTS = Object.keys(TYPED);

/** The largest list or string a lowering may allocate (the canonical ABI's i32 lengths). */
const MAX_LIST_BYTES = 0xffff_ffff;

/**
 * The zero-length buffer every empty typed list lifted is a view of: V8 makes `new Uint8Array(0)`
 * a backing store of its own (650-800 ns at load 20, against 25 ns for 16 bytes and 30 ns for a
 * view), so a guest's list of empty lists cost the host far more than the heap bytes each is
 * counted at. Made again if host code ever detaches it (a transfer), which makes a view throw.
 */
let emptyBuffer = new ArrayBuffer(0);

function emptyList(ctor: TypedArrayCtor): ArrayBufferView {
  try {
    return new ctor(emptyBuffer);
  } catch {
    emptyBuffer = new ArrayBuffer(0);
    return new ctor(emptyBuffer);
  }
}

class TypedListCodec extends Base implements Codec {
  readonly ctor: TypedArrayCtor;
  /** This element type's index among `MemoryView.view`'s views. */
  readonly slot: number;
  readonly elementSize: number;
  readonly #check: (v: unknown) => unknown;
  constructor(
    type: ValType,
    readonly elementKind: string,
  ) {
    super(type);
    this.ctor = TYPED[elementKind]!;
    this.slot = TYPED_SLOTS.indexOf(elementKind);
    this.elementSize = this.ctor.BYTES_PER_ELEMENT;
    this.#check =
      elementKind === 'u64' || elementKind === 's64'
        ? (v) => checkInt64(v, elementKind)
        : elementKind === 'f32' || elementKind === 'f64'
          ? (v) => checkFloat(v, elementKind)
          : (v) => checkInt(v, elementKind);
  }

  /** The host value's bytes (a typed array of the element type, or an array of numbers). */
  bytesOf(v: unknown): Uint8Array {
    if (v instanceof this.ctor) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    if (this.elementKind === 'u8' && v instanceof ArrayBuffer) return new Uint8Array(v);
    if (Array.isArray(v)) {
      const check = this.#check;
      const out = new this.ctor(v.length);
      for (let i = 0; i < v.length; i++) {
        try {
          (out as unknown as unknown[])[i] = check(v[i]);
        } catch (error) {
          within(error, `element ${i}`);
        }
      }
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    return badValue(
      `expected a ${this.ctor.name} or an array (list<${this.elementKind}>), got ${describe(v)}`,
    );
  }

  /** The length (in elements) of what `#lower` wrote last. */
  #lowered = 0;

  /** Copy the list into guest memory; returns its pointer and leaves its length in `#lowered`. */
  #lower(cx: Cx, v: unknown): number {
    // A byte list as it usually comes (a Uint8Array): copied as it is, no view made.
    const bytes = this.elementKind === 'u8' && v instanceof Uint8Array ? v : this.bytesOf(v);
    const ptr = cx.alloc(this.elementSize, bytes.length);
    cx.opts.mem.u8.set(bytes, ptr);
    this.#lowered = bytes.length / this.elementSize;
    return ptr;
  }

  lowerFlat(cx: Cx, v: unknown, out: unknown[], i: number): void {
    out[i] = this.#lower(cx, v);
    out[i + 1] = this.#lowered;
  }

  lift(cx: Cx, ptr: number, len: number): unknown {
    ptr >>>= 0;
    len >>>= 0;
    const bytes = len * this.elementSize;
    const mem = cx.opts.mem;
    mem.refresh();
    // In bounds first (a trap, the guest's mistake), then admitted (bounded and charged).
    cx.range(ptr, bytes, this.elementSize);
    cx.admit(bytes);
    if (bytes > ON_HEAP_TYPED_BYTES) cx.budget.charge(BACKING_STORE_LIFT_BYTES);
    // A byte list is copied by Uint8Array#slice, on V8's heap when small: ArrayBuffer#slice makes
    // a backing store outside the heap for every list (a list of 16 bytes 1.6 us against 0.1 us,
    // load 20), and a list of lists (fields.from-list's values) cost the host 65-130x compute per
    // unit of fuel at the heap bytes a list is counted at (heap.ts).
    // Other element types likewise, by a slice of the memory's view of their type (the range
    // check above refused a misaligned pointer): ArrayBuffer#slice cost a list of 1-16 u16, u64
    // or f32 elements 1-2 us, 15-100x compute per unit of fuel in a list of lists
    // (hostile/abi/typed-lists-lift-underpriced).
    const copy =
      bytes === 0
        ? emptyList(this.ctor)
        : this.elementKind === 'u8'
          ? mem.u8.slice(ptr, ptr + bytes)
          : (mem.view(this.ctor, this.slot) as Uint16Array).slice(
              ptr / this.elementSize,
              ptr / this.elementSize + len,
            );
    if (this.elementKind === 'f32' || this.elementKind === 'f64') {
      const floats = copy as Float32Array;
      // NaNs are canonicalized: a guest's NaN payload bits do not cross.
      for (let k = 0; k < floats.length; k++) if (Number.isNaN(floats[k])) floats[k] = Number.NaN;
    }
    return copy;
  }

  liftFlat(cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return this.lift(cx, src[i] as number, src[i + 1] as number);
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const p = this.#lower(cx, v);
    const dv = cx.opts.mem.dv;
    dv.setUint32(ptr, p, true);
    dv.setUint32(ptr + 4, this.#lowered, true);
  }
  load(cx: Cx, ptr: number): unknown {
    const dv = cx.opts.mem.dv;
    return this.lift(cx, dv.getUint32(ptr, true), dv.getUint32(ptr + 4, true));
  }
}

class ListCodec extends Base implements Codec {
  readonly element: Codec;
  /** What an element costs the call's budget: its guest bytes or its host heap, the larger. */
  readonly #admitted: number;
  /** What lifting an element costs beyond its admission (`liftBytesOf`). */
  readonly #lifted: number;
  constructor(type: ValType & { kind: 'list' }) {
    super(type);
    this.element = codecOf(type.element);
    this.#admitted = Math.max(this.element.size, heapBytesOf(type.element));
    this.#lifted = liftBytesOf(type.element);
  }

  lowerInto(cx: Cx, v: unknown): [number, number] {
    if (!Array.isArray(v)) badValue(`expected an array (list), got ${describe(v)}`);
    const e = this.element;
    const bytes = v.length * e.size;
    // The host's value, never the guest's: an argument (or a provider's result) that cannot be
    // lowered, checked before the guest's realloc is asked for anything.
    if (bytes > MAX_LIST_BYTES)
      badValue(`a list of ${v.length} elements (${bytes} bytes) is too long for the canonical ABI`);
    const ptr = cx.alloc(e.align, bytes, v.length);
    for (let k = 0; k < v.length; k++) {
      try {
        e.store(cx, v[k], ptr + k * e.size);
      } catch (error) {
        within(error, `element ${k}`);
      }
    }
    return [ptr, v.length];
  }

  lift(cx: Cx, ptr: number, len: number): unknown[] {
    ptr >>>= 0;
    len >>>= 0;
    const e = this.element;
    const bytes = len * e.size;
    cx.opts.mem.refresh();
    cx.range(ptr, bytes, e.align);
    // Admitted at what the host will hold (docs/abi.md): a guest byte can be dozens of host
    // bytes (an array per element of list<tuple<bool>>), and a list of zero-size elements is
    // still an element each. Checked before anything is allocated.
    cx.admit(len * this.#admitted);
    if (len !== 0) cx.budget.charge(len * this.#lifted + largeListBytes(len));
    const out = new Array(len);
    for (let k = 0; k < len; k++) out[k] = e.load(cx, ptr + k * e.size);
    return out;
  }

  lowerFlat(cx: Cx, v: unknown, out: unknown[], i: number): void {
    const [ptr, len] = this.lowerInto(cx, v);
    out[i] = ptr;
    out[i + 1] = len;
  }
  liftFlat(cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return this.lift(cx, src[i] as number, src[i + 1] as number);
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const [p, len] = this.lowerInto(cx, v);
    const dv = cx.opts.mem.dv;
    dv.setUint32(ptr, p, true);
    dv.setUint32(ptr + 4, len, true);
  }
  load(cx: Cx, ptr: number): unknown {
    const dv = cx.opts.mem.dv;
    return this.lift(cx, dv.getUint32(ptr, true), dv.getUint32(ptr + 4, true));
  }
}

/** Records (by key) and tuples (by position, `keys` undefined). */
/**
 * A record's field or a flag of a host object: an own property when its name is one every object
 * inherits (a field `constructor` or `to-string`, a flag `value-of`), so that a missing field or
 * flag is missing, never `Object.prototype`'s function; other names as plain property reads (a
 * provider's result may be a class instance with getters).
 */
export function fieldOf(o: Record<string, unknown>, key: string): unknown {
  return key in Object.prototype && !Object.hasOwn(o, key) ? undefined : o[key];
}

/**
 * The keys a record or flags value may have: any other is `invalid-argument` naming it (a typo,
 * `{ reed: true }`, is never silently dropped). The codecs check an export's arguments with it
 * (`cx.hostCallee` unset; a provider's result is read as its fields only), `invoke`'s JSON every
 * value. The message is bounded: the key and the list of keys shown are cut.
 */
export class KnownKeys {
  #set: Set<string> | undefined;
  constructor(
    /** The keys accepted. */
    readonly accepted: readonly string[],
    /** The keys the message lists. */
    readonly shown: readonly string[],
    readonly what: 'field' | 'flag',
  ) {}
  check(o: object): void {
    if (!this.#set) this.#set = new Set(this.accepted);
    const set = this.#set;
    for (const k of Object.keys(o)) {
      if (set.has(k)) continue;
      const shown = this.shown.slice(0, 16).join(', ') + (this.shown.length > 16 ? ', …' : '');
      badValue(`unknown ${this.what} ${JSON.stringify(k.slice(0, 64))} (${shown})`);
    }
  }
}

class RecordCodec extends Base implements Codec {
  readonly fields: Codec[];
  readonly known: KnownKeys | undefined;
  readonly offsets: number[] = [];
  readonly flatOffsets: number[] = [];
  constructor(
    type: ValType,
    readonly keys: readonly string[] | undefined,
    readonly names: readonly string[] | undefined,
    types: readonly ValType[],
  ) {
    super(type);
    this.known = keys ? new KnownKeys(keys, keys, 'field') : undefined;
    this.fields = types.map(codecOf);
    let offset = 0;
    let flat = 0;
    for (const f of this.fields) {
      offset = Math.ceil(offset / f.align) * f.align;
      this.offsets.push(offset);
      offset += f.size;
      this.flatOffsets.push(flat);
      flat += f.flatCount;
    }
  }

  where(k: number): string {
    return this.names ? `field ${this.names[k]}` : `element ${k}`;
  }

  items(cx: Cx, v: unknown): (k: number) => unknown {
    if (this.keys) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        badValue(`expected an object (record), got ${describe(v)}`);
      }
      if (cx.hostCallee === undefined) this.known!.check(v);
      const keys = this.keys;
      const o = v as Record<string, unknown>;
      return (k) => fieldOf(o, keys[k]!);
    }
    if (!Array.isArray(v) || v.length !== this.fields.length) {
      badValue(`expected an array of ${this.fields.length} (tuple), got ${describe(v)}`);
    }
    return (k) => v[k];
  }

  lowerFlat(cx: Cx, v: unknown, out: unknown[], i: number): void {
    const get = this.items(cx, v);
    for (let k = 0; k < this.fields.length; k++) {
      try {
        this.fields[k]!.lowerFlat(cx, get(k), out, i + this.flatOffsets[k]!);
      } catch (error) {
        within(error, this.where(k));
      }
    }
  }
  liftFlat(cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    if (this.keys) {
      const o: Record<string, unknown> = {};
      for (let k = 0; k < this.fields.length; k++) {
        o[this.keys[k]!] = this.fields[k]!.liftFlat(cx, src, i + this.flatOffsets[k]!);
      }
      return o;
    }
    return this.fields.map((f, k) => f.liftFlat(cx, src, i + this.flatOffsets[k]!));
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const get = this.items(cx, v);
    for (let k = 0; k < this.fields.length; k++) {
      try {
        this.fields[k]!.store(cx, get(k), ptr + this.offsets[k]!);
      } catch (error) {
        within(error, this.where(k));
      }
    }
  }
  load(cx: Cx, ptr: number): unknown {
    if (this.keys) {
      const o: Record<string, unknown> = {};
      for (let k = 0; k < this.fields.length; k++)
        o[this.keys[k]!] = this.fields[k]!.load(cx, ptr + this.offsets[k]!);
      return o;
    }
    return this.fields.map((f, k) => f.load(cx, ptr + this.offsets[k]!));
  }
}

class FlagsCodec extends Base implements Codec {
  readonly keys: string[];
  readonly known: KnownKeys;
  constructor(
    type: ValType,
    readonly names: readonly string[],
  ) {
    super(type);
    this.keys = names.map(camelCase);
    this.known = new KnownKeys(this.keys, this.keys, 'flag');
  }
  bits(cx: Cx, v: unknown): number {
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'object' || Array.isArray(v))
      badValue(`expected an object of booleans (flags), got ${describe(v)}`);
    if (cx.hostCallee === undefined) this.known.check(v);
    let bits = 0;
    const o = v as Record<string, unknown>;
    for (let k = 0; k < this.keys.length; k++) {
      const b = fieldOf(o, this.keys[k]!);
      if (b === undefined || b === false) continue;
      if (b !== true) badValue(`flag ${this.names[k]}: expected a boolean, got ${describe(b)}`);
      bits |= 1 << k;
    }
    return bits >>> 0;
  }
  value(bits: number): Record<string, boolean> {
    const o: Record<string, boolean> = {};
    for (let k = 0; k < this.keys.length; k++) o[this.keys[k]!] = ((bits >>> k) & 1) === 1;
    return o;
  }
  lowerFlat(cx: Cx, v: unknown, out: unknown[], i: number): void {
    out[i] = this.bits(cx, v) | 0;
  }
  liftFlat(_cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return this.value(src[i] as number);
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const bits = this.bits(cx, v);
    const dv = cx.opts.mem.dv;
    if (this.size === 1) dv.setUint8(ptr, bits);
    else if (this.size === 2) dv.setUint16(ptr, bits, true);
    else dv.setUint32(ptr, bits, true);
  }
  load(cx: Cx, ptr: number): unknown {
    const dv = cx.opts.mem.dv;
    return this.value(
      this.size === 1
        ? dv.getUint8(ptr)
        : this.size === 2
          ? dv.getUint16(ptr, true)
          : dv.getUint32(ptr, true),
    );
  }
}

/** How a variant-like type looks as a host value. */
interface Flavor {
  /** The case index and payload of a host value (or a ValueError). */
  toCase(v: unknown): [number, unknown];
  fromCase(index: number, payload: unknown, hasPayload: boolean): unknown;
}

function variantFlavor(names: readonly string[]): Flavor {
  const index = new Map(names.map((n, i) => [n, i]));
  return {
    toCase(v) {
      if (typeof v !== 'object' || v === null)
        badValue(`expected { tag, val } (variant), got ${describe(v)}`);
      const tag = (v as { tag?: unknown }).tag;
      const i = typeof tag === 'string' ? index.get(tag) : undefined;
      if (i === undefined) badValue(`unknown variant case ${describe(tag)} (cases: ${names.join(', ')})`);
      return [i, (v as { val?: unknown }).val];
    },
    fromCase(i, payload, hasPayload) {
      return hasPayload ? { tag: names[i], val: payload } : { tag: names[i] };
    },
  };
}

function enumFlavor(names: readonly string[]): Flavor {
  const index = new Map(names.map((n, i) => [n, i]));
  return {
    toCase(v) {
      const i = typeof v === 'string' ? index.get(v) : undefined;
      if (i === undefined) badValue(`${describe(v)} is not one of the cases (${names.join(', ')})`);
      return [i, undefined];
    },
    fromCase(i) {
      return names[i];
    },
  };
}

/** `an enum`, `a variant`. */
function anA(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/**
 * Whether an option is `{ tag, val }` rather than its value or `undefined` (jco's rule): when
 * its payload is an option of the plain kind, whose `none` would be the same `undefined` as its
 * own. From the innermost out, nested options alternate: plain, tagged, plain...
 */
export function isTaggedOption(t: ValType & { kind: 'option' }): boolean {
  return t.type.kind === 'option' && !isTaggedOption(t.type);
}

const plainOption: Flavor = {
  toCase(v) {
    return v === undefined || v === null ? [0, undefined] : [1, v];
  },
  fromCase(i, payload) {
    return i === 0 ? undefined : payload;
  },
};

const taggedOption: Flavor = {
  toCase(v) {
    const tag = typeof v === 'object' && v !== null ? (v as { tag?: unknown }).tag : undefined;
    if (tag === 'none') return [0, undefined];
    if (tag === 'some') return [1, (v as { val?: unknown }).val];
    return badValue(
      `expected { tag: 'none' } or { tag: 'some', val } (option of an option), got ${describe(v)}`,
    );
  },
  fromCase(i, payload) {
    return i === 0 ? { tag: 'none' } : { tag: 'some', val: payload };
  },
};

const resultFlavor: Flavor = {
  toCase(v) {
    const tag = typeof v === 'object' && v !== null ? (v as { tag?: unknown }).tag : undefined;
    if (tag === 'ok') return [0, (v as { val?: unknown }).val];
    if (tag === 'err') return [1, (v as { val?: unknown }).val];
    return badValue(`expected { tag: 'ok' | 'err', val } (result), got ${describe(v)}`);
  },
  fromCase(i, payload) {
    return { tag: i === 0 ? 'ok' : 'err', val: payload };
  },
};

const f32Bits = new Float32Array(1);
const f32Int = new Int32Array(f32Bits.buffer);
const f64Bits = new Float64Array(1);
const f64Int = new BigInt64Array(f64Bits.buffer);

/** A flat payload value of type `have` as the variant's joined flat type `want`. */
function widen(x: unknown, have: FlatType, want: FlatType): unknown {
  if (have === want) return x;
  if (want === 'i32') {
    f32Bits[0] = x as number; // f32 → i32
    return f32Int[0];
  }
  // want i64
  if (have === 'i32') return BigInt((x as number) >>> 0);
  if (have === 'f32') {
    f32Bits[0] = x as number;
    return BigInt(f32Int[0]! >>> 0);
  }
  f64Bits[0] = x as number;
  return f64Int[0];
}

/** A joined flat value `x` (of type `have`) as the case's own flat type `want`. */
function narrow(x: unknown, have: FlatType, want: FlatType): unknown {
  if (have === want) return x;
  if (have === 'i32') {
    f32Int[0] = x as number; // i32 → f32
    return f32Bits[0];
  }
  // have i64
  const i = x as bigint;
  if (want === 'i32') return Number(BigInt.asIntN(32, i));
  if (want === 'f32') {
    f32Int[0] = Number(BigInt.asIntN(32, i));
    return f32Bits[0];
  }
  f64Int[0] = i;
  return f64Bits[0];
}

const ZERO: Record<FlatType, unknown> = { i32: 0, i64: 0n, f32: 0, f64: 0 };

class VariantCodec extends Base implements Codec {
  readonly cases: (Codec | undefined)[];
  readonly discSize: 1 | 2 | 4;
  readonly payloadOffset: number;
  readonly #scratch: unknown[] = [];
  constructor(
    type: ValType,
    cases: readonly (ValType | undefined)[],
    readonly flavor: Flavor,
  ) {
    super(type);
    this.cases = cases.map((c) => (c ? codecOf(c) : undefined));
    this.discSize = discriminantSize(cases.length);
    this.payloadOffset = variantLayout(cases).payloadOffset;
  }

  caseOf(v: unknown): [number, unknown] {
    return this.flavor.toCase(v);
  }

  lowerFlat(cx: Cx, v: unknown, out: unknown[], i: number): void {
    const [index, payload] = this.caseOf(v);
    const flat = this.flat;
    out[i] = index;
    const c = this.cases[index];
    let n = 0;
    if (c) {
      const scratch = this.#scratch;
      try {
        c.lowerFlat(cx, payload, scratch, 0);
      } catch (error) {
        within(error, this.caseName(index));
      }
      n = c.flat.length;
      for (let k = 0; k < n; k++) out[i + 1 + k] = widen(scratch[k], c.flat[k]!, flat[1 + k]!);
    }
    for (let k = 1 + n; k < flat.length; k++) out[i + k] = ZERO[flat[k]!];
  }

  caseName(index: number): string {
    const t = this.type;
    if (t.kind === 'variant') return `case ${t.cases[index]!.name}`;
    if (t.kind === 'result') return index === 0 ? 'ok' : 'err';
    return 'some';
  }

  liftFlat(cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    const index = (src[i] as number) >>> 0;
    if (index >= this.cases.length)
      trap(`case ${index} of ${anA(this.type.kind)} with ${this.cases.length} cases`);
    const c = this.cases[index];
    if (!c) return this.flavor.fromCase(index, undefined, false);
    const flat = this.flat;
    const args: unknown[] = [];
    for (let k = 0; k < c.flat.length; k++) args.push(narrow(src[i + 1 + k], flat[1 + k]!, c.flat[k]!));
    return this.flavor.fromCase(index, c.liftFlat(cx, args, 0), true);
  }

  store(cx: Cx, v: unknown, ptr: number): void {
    const [index, payload] = this.caseOf(v);
    const dv = cx.opts.mem.dv;
    if (this.discSize === 1) dv.setUint8(ptr, index);
    else if (this.discSize === 2) dv.setUint16(ptr, index, true);
    else dv.setUint32(ptr, index, true);
    const c = this.cases[index];
    if (c) {
      try {
        c.store(cx, payload, ptr + this.payloadOffset);
      } catch (error) {
        within(error, this.caseName(index));
      }
    }
  }

  load(cx: Cx, ptr: number): unknown {
    const dv = cx.opts.mem.dv;
    const index =
      this.discSize === 1
        ? dv.getUint8(ptr)
        : this.discSize === 2
          ? dv.getUint16(ptr, true)
          : dv.getUint32(ptr, true);
    if (index >= this.cases.length)
      trap(`case ${index} of ${anA(this.type.kind)} with ${this.cases.length} cases`);
    const c = this.cases[index];
    if (!c) return this.flavor.fromCase(index, undefined, false);
    return this.flavor.fromCase(index, c.load(cx, ptr + this.payloadOffset), true);
  }
}

class HandleCodec extends Base implements Codec {
  readonly resource: ResourceType;
  readonly own: boolean;
  readonly imported: boolean;
  constructor(type: HandleType) {
    super(type);
    this.resource = type.resource;
    this.own = type.kind === 'own';
    this.imported = type.resource.origin.kind === 'imported';
  }

  /** Host value → handle in the context's instance. */
  lowerHandle(cx: Cx, v: unknown): number {
    const resource = this.resource;
    const table = cx.inst.table(resource);
    if (this.imported) {
      if (typeof v !== 'object' || v === null)
        badValue(`expected a ${resource.name} resource, got ${describe(v)}`);
      const cls = cx.inst.host.hostClass(resource);
      if (cls && !(v instanceof cls)) badValue(`expected a ${resource.name} resource, got ${describe(v)}`);
      if (!this.own) cx.borrowCount++;
      const handle = table.add({ rep: v, own: this.own, lendCount: 0, scope: this.own ? undefined : cx });
      cx.lowering?.push({ table, handle });
      return handle;
    }
    const state = GuestResource.state(v);
    if (!state || state.type !== resource)
      badValue(`expected a ${resource.name} resource, got ${describe(v)}`);
    if (state.owner !== cx.inst.host) badValue(`the ${resource.name} resource belongs to another sandbox`);
    if (state.state === 'spent') badValue(`the ${resource.name} resource was dropped or moved`);
    if (this.own) {
      if (state.state !== 'owned') badValue(`a borrowed ${resource.name} resource cannot be given away`);
      // As lifting an own handle that is lent out traps (CanonicalABI.md): the guest would drop it
      // (its destructor running) while the borrow it was given in the same call still names it.
      if (cx.lent?.has(state))
        badValue(
          `the ${resource.name} resource is lent to this call as a borrow and cannot be given away in it`,
        );
      state.state = 'spent';
      const handle = table.add({ rep: state.rep, own: true, lendCount: 0, scope: undefined });
      // Released when every argument is in (Cx.endLowering); taken back if one is refused.
      if (cx.lowering) cx.lowering.push({ table, handle, state, moved: v as GuestResource });
      else cx.inst.host.release(v as GuestResource);
      return handle;
    }
    cx.lent ??= new Set();
    cx.lent.add(state);
    const origin = resource.origin;
    if (origin.kind === 'defined' && origin.instance === cx.inst.id) return state.rep;
    cx.borrowCount++;
    const handle = table.add({ rep: state.rep, own: false, lendCount: 0, scope: cx });
    cx.lowering?.push({ table, handle });
    return handle;
  }

  /** Handle in the context's instance → host value. */
  liftHandle(cx: Cx, handle: number): unknown {
    const i = handle >>> 0;
    // Before the table changes: a charge that fails (fuel-exhausted) leaves the handle where it was.
    if (!this.imported) cx.budget.charge(HELD_RESOURCE_BYTES);
    const table = cx.inst.table(this.resource);
    let entry: HandleEntry;
    if (this.own) {
      entry = table.get(i);
      if (!entry.own) trap(`handle ${i} is a borrow, not an own ${this.resource.name}`);
      if (entry.lendCount !== 0) trap(`the ${this.resource.name} handle ${i} is lent out`);
      table.remove(i);
      if (this.imported) return entry.rep;
      return cx.inst.host.hold(this.resource, entry.rep as number, false);
    }
    entry = table.get(i);
    if (entry.own) {
      entry.lendCount++;
      cx.lenders.push(entry);
    }
    if (this.imported) return entry.rep;
    return cx.inst.host.hold(this.resource, entry.rep as number, true);
  }

  lowerFlat(cx: Cx, v: unknown, out: unknown[], i: number): void {
    out[i] = this.lowerHandle(cx, v);
  }
  liftFlat(cx: Cx, src: ArrayLike<unknown>, i: number): unknown {
    return this.liftHandle(cx, src[i] as number);
  }
  store(cx: Cx, v: unknown, ptr: number): void {
    const h = this.lowerHandle(cx, v);
    cx.opts.mem.dv.setUint32(ptr, h, true);
  }
  load(cx: Cx, ptr: number): unknown {
    return this.liftHandle(cx, cx.opts.mem.dv.getUint32(ptr, true));
  }
}
