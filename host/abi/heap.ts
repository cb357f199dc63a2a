/**
 * What one lifted value costs the host's heap, at most: the byte budget of a call
 * (`Cx.admit`) counts it for every element of a list, so that the cap bounds what the host
 * holds, not only what the guest handed over. A guest byte can otherwise become dozens of host
 * bytes: `list<tuple<bool>>` is one byte an element in guest memory and a JavaScript array (a
 * pointer, an array object, its backing store) in the host, so 64 MiB of guest memory asked
 * for about 4 GiB of heap, past V8's limit: the host process died.
 *
 * Figures are V8's on a 64-bit platform without pointer compression (Node's default), rounded
 * up; what a value holds that is admitted where it is lifted (a list's elements, a string's
 * characters) is not counted here.
 */
import type { ValType } from './types.js';

/** A pointer to the value in its array or object. */
const SLOT = 8;
/** A plain object (`{ tag, val }`, a record, flags): map, properties, elements, in-object slots. */
const OBJECT = 56;
/** An array: the JSArray and the header of its backing store. */
const ARRAY = 48;
/** A string's header (its characters are admitted when it is lifted). */
const STRING = 24;
/** A heap number or a 64-bit BigInt. */
const BOXED = 24;
/** A typed array, its ArrayBuffer and the backing store's bookkeeping. */
const TYPED_ARRAY = 160;
/** A `GuestResource`, or the handle entry behind a host object. */
const RESOURCE = 64;
/**
 * A record or flags value is an object filled by keyed stores (`o[key] = v`), and V8 turns such
 * an object into a dictionary once it holds more than a few outside the object (Node 20's V8:
 * from the 20th property, `%HasFastProperties`; its soft limit on keyed stores is 12 beyond the
 * 4 in the object, so counted here from the 17th). A dictionary entry is 3 words in a hash table of
 * a power-of-two capacity at least 1.5 times the count: up to 72 bytes a field, and the table's
 * header. Priced at a slot a field, a `list` of records of 32 to 2,000 bools held 5-7x the call's
 * byte budget (a record of 100 bools 6.2 KB, counted 0.86 KB; redteam18,
 * hostile/abi/wide-record-heap).
 */
export const FAST_PROPERTIES = 16;
export const DICTIONARY_FIELD = 72;
export const DICTIONARY = 64;

/** What an object of `count` properties filled by keyed stores takes beyond its header and slots. */
export function dictionaryBytes(count: number): number {
  return count > FAST_PROPERTIES ? DICTIONARY + DICTIONARY_FIELD * count : 0;
}

export type TypedArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** Lists of these element types are typed arrays, as jco makes them. */
export const TYPED: Record<string, TypedArrayCtor> = {
  u8: Uint8Array,
  s8: Int8Array,
  u16: Uint16Array,
  s16: Int16Array,
  u32: Uint32Array,
  s32: Int32Array,
  u64: BigUint64Array,
  s64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
};

const NUMBERS = new Set(Object.keys(TYPED));

const memo = new WeakMap<ValType, number>();
/** The host heap one lifted value of `t` takes, its slot in its container included. */
export function heapBytesOf(t: ValType): number {
  let bytes = memo.get(t);
  if (bytes === undefined) {
    bytes = measure(t);
    memo.set(t, bytes);
  }
  return bytes;
}

function measure(t: ValType): number {
  switch (t.kind) {
    case 'bool':
    case 'enum':
      return SLOT;
    case 'char':
    case 'string':
      return SLOT + STRING;
    case 'list':
      return SLOT + (NUMBERS.has(t.element.kind) ? TYPED_ARRAY : ARRAY);
    case 'record':
      return SLOT + OBJECT + sum(t.fields.map((f) => f.type)) + dictionaryBytes(t.fields.length);
    case 'tuple':
      return SLOT + ARRAY + sum(t.types);
    case 'flags':
      return SLOT + OBJECT + SLOT * t.names.length + dictionaryBytes(t.names.length);
    case 'variant':
      return SLOT + OBJECT + largest(t.cases.map((c) => c.type));
    case 'result':
      return SLOT + OBJECT + largest([t.ok, t.err]);
    case 'option':
      // `T | undefined`, or `{ tag, val }` when T is itself an option.
      return t.type.kind === 'option'
        ? SLOT + OBJECT + heapBytesOf(t.type)
        : Math.max(SLOT, heapBytesOf(t.type));
    case 'own':
    case 'borrow':
      return SLOT + RESOURCE;
    default:
      return NUMBERS.has(t.kind) ? SLOT + BOXED : SLOT;
  }
}

function sum(types: readonly ValType[]): number {
  let total = 0;
  for (const t of types) total += heapBytesOf(t);
  return total;
}

function largest(types: readonly (ValType | undefined)[]): number {
  let most = 0;
  for (const t of types) if (t) most = Math.max(most, heapBytesOf(t));
  return most;
}

const liftMemo = new WeakMap<ValType, number>();

/**
 * What lifting one value costs the host beyond its heap bytes, in bytes' worth of `byte`
 * (docs/fuel.md): a codec's load, a range check, a slot written, 5-15 ns. Priced at its heap
 * bytes alone, a value of few bytes was far under its fuel: a `list<enum>` or `list<bool>` (8
 * heap bytes an element) cost the host 15-25x compute per unit of fuel, and 511 `bool`
 * parameters (under `SMALL_VALUE_BYTES`: they rode on the call's price) 26x
 * (hostile/abi/small-values-underpriced). Charged, not admitted, for a list's elements
 * (`limits.hostArgBytes` holds as many); part of a fixed part's size.
 */
export const VALUE_LIFT_BYTES = 64;
/**
 * A string's lift instead (its characters are admitted apart): its range, its admission and a
 * decoder's call, 25-60 ns for an empty one: a `list<string>` of empty strings cost 17x at its
 * 32 heap bytes an element, 4-13x with `VALUE_LIFT_BYTES`.
 */
export const STRING_LIFT_BYTES = 256;
/**
 * A handle of a host resource instead (a borrow or an own of a provider's object): its lookup,
 * its lend count, the call's list of lenders, 25-45 ns. Priced at its heap bytes alone (72), a
 * call given 56 borrows (a fixed part under `SMALL_VALUE_BYTES`, riding on the call's price)
 * cost the host 12-21x compute per unit of fuel, a list of 5,000 borrows 5.6-11.5x
 * (hostile/abi/host-borrows-underpriced). A guest's own resource taken up by the host pays
 * `HELD_RESOURCE_BYTES` where it is lifted (handles.ts).
 */
export const HANDLE_LIFT_BYTES = 256;
/**
 * Each name of a `flags` value lifted, beyond `VALUE_LIFT_BYTES`: the host makes an object of
 * one boolean property a name, by name (keyed stores: past 16 names V8 keeps the object as a
 * dictionary), 60-140 ns a name. Priced as one value, a `list` of `flags` of 32 names cost the
 * host 253x compute per unit of fuel, 4-5.7 µs a value (load 20; hostile/abi/flags-lift-underpriced).
 */
export const FLAG_LIFT_BYTES = 512;
/**
 * Each field of a record lifted, beyond its own value's lift: the host makes a record an object
 * of one property a field, by name (keyed stores, as a `flags` value's names; past 16 fields V8
 * may keep it as a dictionary), 40-350 ns a field. Priced as its fields' values alone (about 72
 * bytes' worth a `bool` field), a `list` of 1,000 records of 64 `bool` fields cost the host 95x
 * compute per unit of fuel at load 17 and 11.8x at load 3
 * (hostile/abi/record-fields-lift-underpriced). A tuple is an array: no name, no such price.
 */
export const FIELD_LIFT_BYTES = 1024;

/**
 * A list of numbers lifted, instead of `VALUE_LIFT_BYTES`: the host makes a typed array of it (its
 * object, its buffer, the slice's copy), 0.3-1 us however short. At `VALUE_LIFT_BYTES` a list of
 * lists of 2 `u16` handed to a provider cost the host 7.8-11.8x compute per unit of fuel at load 1
 * (hostile/abi/typed-lists-lift-underpriced, next to its 10x bound). Longer than
 * `ON_HEAP_TYPED_BYTES`, it pays `BACKING_STORE_LIFT_BYTES` too.
 */
export const TYPED_LIST_LIFT_BYTES = 1024;
/**
 * The longest list lifted into an array whose backing store V8 keeps on a regular page of its
 * heap: past 16,382 elements (128 KiB of 8-byte slots) it goes to the large-object space.
 */
export const LARGE_LIST_VALUES = 16_000;
/**
 * Each value of a list longer than `LARGE_LIST_VALUES` lifted into an array, beyond its own
 * price: V8 allocates the array's backing store in its large-object space (pages of its own,
 * given back only by a full collection), 25-35 ns an element against 2-5 ns on a regular page.
 * Priced as a short list's values, a `list<bool>` of 17,000 to 128,000 values handed to a
 * provider cost the host 15-57x compute per unit of fuel (load 24-31;
 * hostile/abi/large-lists-lift-underpriced). Charged, not admitted.
 */
export const LARGE_LIST_LIFT_BYTES = 2048;
/** What a list of `len` values lifted into an array costs beyond its values' own prices. */
export function largeListBytes(len: number): number {
  return len > LARGE_LIST_VALUES ? len * LARGE_LIST_LIFT_BYTES : 0;
}

/**
 * The longest typed array V8 keeps on its own heap (`v8_typed_array_max_size_in_heap`); a longer
 * one gets a backing store of its own outside it.
 */
export const ON_HEAP_TYPED_BYTES = 64;
/**
 * A typed list lifted longer than `ON_HEAP_TYPED_BYTES`, beyond its bytes: V8 makes its backing
 * store outside the heap (an allocation, its external-memory accounting), 0.5-2 us whatever its
 * length. Priced at its bytes alone, a list of lists of 16 `u64` or 64 `f32` handed to a provider
 * cost the host 30x compute per unit of fuel (load 15; hostile/abi/typed-lists-lift-underpriced).
 * Charged, not admitted.
 */
export const BACKING_STORE_LIFT_BYTES = 4096;

/**
 * What lifting one value of `t` costs beyond its heap bytes (`VALUE_LIFT_BYTES` a value, a
 * string's `STRING_LIFT_BYTES`, a host resource's handle `HANDLE_LIFT_BYTES`, a flags value's
 * `FLAG_LIFT_BYTES` a name, a record's `FIELD_LIFT_BYTES` a field; a record's, tuple's or case's payloads with it; a list's elements
 * and a string's characters are counted where they are lifted).
 */
export function liftBytesOf(t: ValType): number {
  let n = liftMemo.get(t);
  if (n === undefined) {
    n = liftBytes(t);
    liftMemo.set(t, n);
  }
  return n;
}

function liftBytes(t: ValType): number {
  switch (t.kind) {
    case 'string':
      return STRING_LIFT_BYTES;
    case 'list':
      return NUMBERS.has(t.element.kind) ? TYPED_LIST_LIFT_BYTES : VALUE_LIFT_BYTES;
    case 'flags':
      return VALUE_LIFT_BYTES + FLAG_LIFT_BYTES * t.names.length;
    case 'own':
    case 'borrow':
      return t.resource.origin.kind === 'imported' ? HANDLE_LIFT_BYTES : VALUE_LIFT_BYTES;
    case 'record':
      return VALUE_LIFT_BYTES + FIELD_LIFT_BYTES * t.fields.length + sumLift(t.fields.map((f) => f.type));
    case 'tuple':
      return VALUE_LIFT_BYTES + sumLift(t.types);
    case 'variant':
      return VALUE_LIFT_BYTES + mostLift(t.cases.map((c) => c.type));
    case 'result':
      return VALUE_LIFT_BYTES + mostLift([t.ok, t.err]);
    case 'option':
      return VALUE_LIFT_BYTES + liftBytesOf(t.type);
    default:
      return VALUE_LIFT_BYTES;
  }
}

function sumLift(types: readonly ValType[]): number {
  let total = 0;
  for (const t of types) total += liftBytesOf(t);
  return total;
}

function mostLift(types: readonly (ValType | undefined)[]): number {
  let most = 0;
  for (const t of types) if (t) most = Math.max(most, liftBytesOf(t));
  return most;
}

/**
 * Values whose fixed part (everything but the elements of their lists and the characters of
 * their strings, which are admitted where they are lifted) takes at most this much host heap and
 * lifting (`liftBytesOf`) ride on the call's own price.
 */
export const SMALL_VALUE_BYTES = 4096;

/**
 * What lifting values of these types costs the host before any list or string in them (their
 * heap bytes and `liftBytesOf`): admitted once per call when it is more than
 * `SMALL_VALUE_BYTES` (0 otherwise). A function may take or return a tuple of a hundred thousand
 * fields (a value type may be up to 1,000,000 in size): lifting it is milliseconds of host work,
 * which the call's price alone does not cover.
 */
export function fixedHeapBytes(types: readonly ValType[]): number {
  const bytes = sum(types) + sumLift(types);
  return bytes > SMALL_VALUE_BYTES ? bytes : 0;
}
