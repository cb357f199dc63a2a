/**
 * Values across the API boundary: JSON-compatible in and out, converted to what the engine
 * wants (BigInt for 64-bit integers) and back (numbers when exact, strings otherwise).
 */

import { dictionaryBytes, LARGE_LIST_VALUES } from '../abi/heap.js';
import { MAX_VALUE_DEPTH } from '../abi/types.js';
import type { FuncSignature } from '../loader/core-info.js';
import { KeelError } from './errors.js';

/** Arguments for a core function: i64 parameters become BigInt, the rest pass as numbers. */
export function coreArguments(
  name: string,
  signature: FuncSignature | undefined,
  args: readonly unknown[],
): unknown[] {
  if (!signature) return [...args];
  if (args.length !== signature.params.length) {
    throw new KeelError(
      'invalid-argument',
      `export "${name}" takes ${signature.params.length} argument(s) (${signature.params.join(', ')}), got ${args.length}`,
      { export: name },
    );
  }
  return signature.params.map((type, i) => {
    const value = args[i];
    if (type === 'i64') {
      if (typeof value === 'bigint') return value;
      if (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^-?\d+$/.test(value))
      ) {
        return BigInt(value);
      }
    } else if (type === 'i32' || type === 'f32' || type === 'f64') {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
        return Number(value);
    } else {
      return value;
    }
    throw new KeelError(
      'invalid-argument',
      `argument ${i + 1} of "${name}" must be ${type}, got ${JSON.stringify(value)}`,
      {
        export: name,
        index: i,
      },
    );
  });
}

/** A rendered value's slot in its array or object; an array's and an object's own header. */
const RENDER_SLOT = 8;
const RENDER_ARRAY = 48;
const RENDER_OBJECT = 56;
/** A 64-bit integer past 2^53 renders as a string of up to 20 digits: its header, characters and slot. */
const RENDER_WIDE = 56;
/**
 * Each value rendered as JSON (an element of a list, a field, a case's payload), beyond its heap
 * bytes: `toJsonValue`'s call, its type test and the slot written, 5-20 ns (a 64-bit integer
 * past 2^53 a string made, 50-150 ns). Lifting a `list<u8>` is a copy at a byte's price, and
 * rendering it one number an element: unpriced, a guest's 16 MiB byte list held the kernel's
 * thread 41 s and took 307 MB of heap at load 23 after its call had ended
 * (hostile/kernel/invoke-result-render-flood).
 */
export const VALUE_RENDER_BYTES = 64;
/**
 * Each 64-bit integer rendered, beyond `VALUE_RENDER_BYTES`: a string of up to 20 digits made
 * past 2^53 (`BigInt#toString`, 100-300 ns at load 25); priced at a value's a `list<u64>` of them
 * cost the host 28x compute per unit of fuel.
 */
export const WIDE_RENDER_BYTES = 1024;

/**
 * What rendering `value` as JSON (`toJsonValue`) costs the host: `heap`, the bytes the rendered
 * copy takes, `values`, how many values it renders, and `wides`, how many of them are 64-bit. The walk stops once `heap` passes `cap`
 * (the caller refuses it then), and reads what `toJsonValue` reads, so that a value is priced
 * and bounded before any of it is rendered.
 */
export function renderCost(value: unknown, cap: number): RenderCost {
  const cost = { heap: 0, values: 0, wides: 0, larges: 0 };
  measureRender(value, cap, cost, 0);
  return cost;
}

/**
 * `heap` bytes of the rendered copy, `values` rendered, of them `wides` 64-bit integers and
 * `larges` elements of arrays longer than `LARGE_LIST_VALUES` (their backing stores in V8's
 * large-object space, as a lifted list's: `LARGE_LIST_LIFT_BYTES`).
 */
export interface RenderCost {
  heap: number;
  values: number;
  wides: number;
  larges: number;
}

function measureRender(value: unknown, cap: number, cost: RenderCost, depth: number): void {
  cost.values++;
  cost.heap += RENDER_SLOT;
  if (typeof value === 'bigint') {
    cost.heap += RENDER_WIDE;
    cost.wides++;
    return;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_VALUE_DEPTH) return;
  if (ArrayBuffer.isView(value)) {
    const n = (value as unknown as ArrayLike<unknown>).length;
    const wide = value instanceof BigInt64Array || value instanceof BigUint64Array;
    cost.values += n;
    if (wide) cost.wides += n;
    if (n > LARGE_LIST_VALUES) cost.larges += n;
    cost.heap += RENDER_ARRAY + n * (wide ? RENDER_SLOT + RENDER_WIDE : RENDER_SLOT);
    return;
  }
  if (Array.isArray(value)) {
    cost.heap += RENDER_ARRAY;
    if (value.length > LARGE_LIST_VALUES) cost.larges += value.length;
    for (let k = 0; k < value.length && cost.heap <= cap; k++) measureRender(value[k], cap, cost, depth + 1);
    return;
  }
  const keys = Object.keys(value);
  // Rendered by keyed stores as lifted: past 16 keys a dictionary (host/abi/heap.ts).
  cost.heap += RENDER_OBJECT + dictionaryBytes(keys.length);
  for (const key of keys) {
    if (cost.heap > cap) return;
    measureRender((value as Record<string, unknown>)[key], cap, cost, depth + 1);
  }
}

/**
 * `toJsonValue` of an invocation's result, with the scalars that render as themselves (a finite
 * number, a boolean, a string) answered first: small enough for V8 to inline into `invokeSync`,
 * which then calls `toJsonValue` (too large to inline) only for the others.
 */
export function toJsonResult(value: unknown): unknown {
  const t = typeof value;
  if ((t === 'number' && Number.isFinite(value)) || t === 'boolean' || t === 'string') return value;
  return toJsonValue(value);
}

/**
 * A JSON-compatible copy of a value as jco renders WIT values (lists as arrays, records as
 * objects): 64-bit integers become numbers when exact, strings otherwise; byte arrays arrays.
 */
export function toJsonValue(value: unknown, depth = 0): unknown {
  // Only lifted guest values are rendered, and none of an admitted type nests this deep.
  if (depth > MAX_VALUE_DEPTH) {
    throw new KeelError(
      'trap',
      `the guest's value nests more than ${MAX_VALUE_DEPTH} deep to render as JSON`,
    );
  }
  switch (typeof value) {
    case 'undefined':
      return null;
    case 'bigint':
      return renderWide(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'object': {
      if (value === null) return null;
      if (ArrayBuffer.isView(value)) return renderList(value as unknown as ArrayLike<number | bigint>);
      if (Array.isArray(value)) return value.map((v) => toJsonValue(v, depth + 1));
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = toJsonValue(item, depth + 1);
      return out;
    }
    case 'function':
    case 'symbol':
      return String(value);
    default:
      return value;
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function renderWide(value: bigint): number | string {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}

/**
 * A typed list rendered by one loop of its type (`Array.from` with a function a value went through
 * the iterator protocol and `toJsonValue` each: 400-550 ns an element at load 30).
 */
function renderList(list: ArrayLike<number | bigint>): unknown[] {
  const n = list.length;
  const out = new Array<unknown>(n);
  if (list instanceof BigInt64Array || list instanceof BigUint64Array) {
    for (let k = 0; k < n; k++) out[k] = renderWide(list[k] as bigint);
  } else if (list instanceof Float32Array || list instanceof Float64Array) {
    for (let k = 0; k < n; k++) {
      const v = list[k] as number;
      out[k] = Number.isFinite(v) ? v : String(v);
    }
  } else {
    for (let k = 0; k < n; k++) out[k] = list[k];
  }
  return out;
}
