/**
 * Values across the API boundary: JSON-compatible in and out, converted to what the engine
 * wants (BigInt for 64-bit integers) and back (numbers when exact, strings otherwise).
 */
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
 * A JSON-compatible copy of a value as jco renders WIT values (lists as arrays, records as
 * objects): 64-bit integers become numbers when exact, strings otherwise; byte arrays arrays.
 */
export function toJsonValue(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new KeelError('invalid-argument', 'value nests too deeply to render as JSON');
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

/** `get-value` → `getValue` (jco's JavaScript names for WIT names). */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const TYPED_ARRAYS: Record<string, (values: unknown[]) => unknown> = {
  Int8Array: (v) => Int8Array.from(v as number[]),
  Uint8Array: (v) => Uint8Array.from(v as number[]),
  Int16Array: (v) => Int16Array.from(v as number[]),
  Uint16Array: (v) => Uint16Array.from(v as number[]),
  Int32Array: (v) => Int32Array.from(v as number[]),
  Uint32Array: (v) => Uint32Array.from(v as number[]),
  Float32Array: (v) => Float32Array.from(v as number[]),
  Float64Array: (v) => Float64Array.from(v as number[]),
  BigInt64Array: (v) => BigInt64Array.from(v.map((x) => BigInt(x as number | string))),
  BigUint64Array: (v) => BigUint64Array.from(v.map((x) => BigInt(x as number | string))),
};

/** Parameter types of a JavaScript signature `(a: T, b: Array<[string, U]>): R`, split at top-level commas. */
export function parameterTypes(js: string): string[] {
  const open = js.indexOf('(');
  let depth = 0;
  let current = '';
  const params: string[] = [];
  for (let i = open + 1; i < js.length; i++) {
    const c = js[i]!;
    if (c === '(' || c === '<' || c === '[' || c === '{') depth++;
    if (c === ')' || c === '>' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    }
    if (c === ',' && depth === 0) {
      params.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') params.push(current);
  return params.map((p) => p.slice(p.indexOf(':') + 1).trim());
}

/**
 * Converters from JSON values to what jco's glue wants, per parameter of a component function:
 * JSON arrays become typed arrays for numeric lists, numbers and decimal strings become BigInt
 * for 64-bit integers. Other values pass unchanged (nested lists inside records are not converted).
 */
export function componentArgumentConverters(
  js: string | undefined,
): ((value: unknown) => unknown)[] | undefined {
  if (!js) return undefined;
  const converters = parameterTypes(js).map((type): ((value: unknown) => unknown) => {
    const typed = TYPED_ARRAYS[type];
    if (typed) return (value) => (Array.isArray(value) ? typed(value) : value);
    if (type === 'bigint') {
      return (value) =>
        typeof value === 'number' || (typeof value === 'string' && /^-?\d+$/.test(value))
          ? BigInt(value)
          : value;
    }
    return (value) => value;
  });
  return converters.length > 0 ? converters : undefined;
}
