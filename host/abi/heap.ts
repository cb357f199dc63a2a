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

const NUMBERS = new Set(['u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64']);

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
      return SLOT + OBJECT + sum(t.fields.map((f) => f.type));
    case 'tuple':
      return SLOT + ARRAY + sum(t.types);
    case 'flags':
      return SLOT + OBJECT + SLOT * t.names.length;
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

/**
 * Values whose fixed part (everything but the elements of their lists and the characters of
 * their strings, which are admitted where they are lifted) takes at most this much host heap
 * ride on the call's own price (a host call costs 100 fuel, the price of 6,400 bytes).
 */
export const SMALL_VALUE_BYTES = 4096;

/**
 * What lifting values of these types costs the host before any list or string in them: admitted
 * once per call when it is more than `SMALL_VALUE_BYTES` (0 otherwise). A function may take or
 * return a tuple of a hundred thousand fields (a value type may be up to 1,000,000 in size):
 * lifting it is milliseconds of host work, which the call's price alone does not cover.
 */
export function fixedHeapBytes(types: readonly ValType[]): number {
  const bytes = sum(types);
  return bytes > SMALL_VALUE_BYTES ? bytes : 0;
}
