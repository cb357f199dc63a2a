/**
 * Values across the API boundary: JSON-compatible in and out, converted to what the engine
 * wants (BigInt for 64-bit integers) and back (numbers when exact, strings otherwise).
 */
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
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'object': {
      if (value === null) return null;
      if (ArrayBuffer.isView(value))
        return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => toJsonValue(v, depth + 1));
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
