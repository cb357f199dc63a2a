/**
 * JSON values to host values, by WIT type: what `invoke` and the CLI's `--args` accept. The
 * conversion is strict — a value that does not fit its type is an error naming where it is —
 * and it is the inverse of how results are rendered (`toJsonValue`): 64-bit integers as
 * numbers or decimal strings, numeric lists as arrays, records and flags as objects (keys in
 * lowerCamelCase or as WIT spells them), `NaN` and the infinities as strings.
 */
import { argumentError, arityError, type LoweredArguments, scalarLowerer } from './calls.js';
import { checkChar, checkInt, checkInt64, intRange, isTaggedOption, KnownKeys } from './codec.js';
import { badValue, ValueError, within } from './context.js';
import { GuestResource } from './handles.js';
import { TYPED } from './heap.js';
import { camelCase } from './js-names.js';
import { checkString, describe } from './strings.js';
import type { FuncType, ValType } from './types.js';

/** Finds a guest resource the host holds by its JSON form (`{ resource, handle }`). */
export type HeldResource = (handle: number) => GuestResource | undefined;

export type FromJson = (v: unknown, held: HeldResource) => unknown;

const converters = new WeakMap<ValType, FromJson>();

export function fromJsonOf(t: ValType): FromJson {
  let c = converters.get(t);
  if (!c) {
    c = build(t);
    converters.set(t, c);
  }
  return c;
}

function int64(kind: string): FromJson {
  return (v) => {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v))
        badValue(`${v} is not an integer that JSON carries exactly; pass it as a string`);
      return checkInt64(BigInt(v), kind);
    }
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return checkInt64(BigInt(v), kind);
    if (typeof v === 'bigint') return checkInt64(v, kind);
    return badValue(`expected an integer or a decimal string (${kind}), got ${describe(v)}`);
  };
}

function float(kind: string): FromJson {
  return (v) => {
    if (typeof v === 'number') return v;
    if (v === 'NaN') return Number.NaN;
    if (v === 'Infinity') return Number.POSITIVE_INFINITY;
    if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
    return badValue(`expected a number (${kind}), got ${describe(v)}`);
  };
}

/** Look up an object's field by its lowerCamelCase key or its WIT name. */
function field(o: Record<string, unknown>, name: string, key: string): unknown {
  // Own properties only: a field or flag named `constructor` or `to-string` that is missing is
  // missing, not Object.prototype's function.
  return Object.hasOwn(o, key) ? o[key] : Object.hasOwn(o, name) ? o[name] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function build(t: ValType): FromJson {
  switch (t.kind) {
    case 'bool':
      return (v) => (typeof v === 'boolean' ? v : badValue(`expected a boolean, got ${describe(v)}`));
    case 'u8':
    case 's8':
    case 'u16':
    case 's16':
    case 'u32':
    case 's32': {
      // The range held by the closure; `checkInt` (a lookup by kind) only to say what is wrong.
      const kind = t.kind;
      const [min, max] = intRange(kind);
      return (v) =>
        typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : checkInt(v, kind);
    }
    case 'u64':
    case 's64':
      return int64(t.kind);
    case 'f32':
    case 'f64':
      return float(t.kind);
    case 'char':
      return (v) => {
        checkChar(v);
        return v;
      };
    case 'string':
      return (v) => checkString(v);
    case 'list': {
      const ctor = TYPED[t.element.kind];
      const element = fromJsonOf(t.element);
      if (ctor) {
        return (v, held) => {
          if (v instanceof ctor) return v;
          if (!Array.isArray(v)) badValue(`expected an array (list<${t.element.kind}>), got ${describe(v)}`);
          const out = new ctor(v.length) as unknown as unknown[];
          for (let i = 0; i < v.length; i++) {
            try {
              out[i] = element(v[i], held);
            } catch (error) {
              within(error, `element ${i}`);
            }
          }
          return out;
        };
      }
      return (v, held) => {
        if (!Array.isArray(v)) badValue(`expected an array (list), got ${describe(v)}`);
        return v.map((e, i) => {
          try {
            return element(e, held);
          } catch (error) {
            return within(error, `element ${i}`);
          }
        });
      };
    }
    case 'tuple': {
      const elements = t.types.map(fromJsonOf);
      return (v, held) => {
        if (!Array.isArray(v) || v.length !== elements.length) {
          badValue(`expected an array of ${elements.length} (tuple), got ${describe(v)}`);
        }
        return elements.map((c, i) => {
          try {
            return c(v[i], held);
          } catch (error) {
            return within(error, `element ${i}`);
          }
        });
      };
    }
    case 'record': {
      const fields = t.fields.map((f) => ({ name: f.name, key: camelCase(f.name), c: fromJsonOf(f.type) }));
      const names = t.fields.map((f) => f.name);
      const known = new KnownKeys([...names, ...names.map(camelCase)], names, 'field');
      return (v, held) => {
        if (!isObject(v)) badValue(`expected an object (record), got ${describe(v)}`);
        known.check(v);
        const out: Record<string, unknown> = {};
        for (const f of fields) {
          try {
            out[f.key] = f.c(field(v, f.name, f.key), held);
          } catch (error) {
            within(error, `field ${f.name}`);
          }
        }
        return out;
      };
    }
    case 'flags': {
      const names = t.names;
      const known = new KnownKeys([...names, ...names.map(camelCase)], names, 'flag');
      return (v) => {
        if (v === null || v === undefined) return {};
        if (!isObject(v)) badValue(`expected an object of booleans (flags), got ${describe(v)}`);
        known.check(v);
        const out: Record<string, boolean> = {};
        for (const n of names) {
          const b = field(v, n, camelCase(n));
          if (b !== undefined && typeof b !== 'boolean')
            badValue(`flag ${n}: expected a boolean, got ${describe(b)}`);
          out[camelCase(n)] = b === true;
        }
        return out;
      };
    }
    case 'enum': {
      const names = new Set(t.names);
      return (v) =>
        typeof v === 'string' && names.has(v)
          ? v
          : badValue(`${describe(v)} is not one of the cases (${t.names.join(', ')})`);
    }
    case 'variant': {
      const cases = new Map(t.cases.map((c) => [c.name, c.type ? fromJsonOf(c.type) : undefined]));
      return (v, held) => {
        if (!isObject(v)) badValue(`expected { tag, val } (variant), got ${describe(v)}`);
        const tag = v.tag;
        if (typeof tag !== 'string' || !cases.has(tag)) {
          badValue(`unknown variant case ${describe(tag)} (cases: ${t.cases.map((c) => c.name).join(', ')})`);
        }
        const payload = cases.get(tag);
        if (!payload) return { tag };
        try {
          return { tag, val: payload(v.val, held) };
        } catch (error) {
          return within(error, `case ${tag}`);
        }
      };
    }
    case 'option': {
      const inner = fromJsonOf(t.type);
      if (isTaggedOption(t)) {
        return (v, held) => {
          const tag = isObject(v) ? v.tag : undefined;
          if (tag === 'none') return { tag: 'none' };
          if (tag === 'some') return { tag: 'some', val: inner((v as Record<string, unknown>).val, held) };
          return badValue(
            `expected { tag: 'none' } or { tag: 'some', val } (option of an option), got ${describe(v)}`,
          );
        };
      }
      return (v, held) => (v === null || v === undefined ? undefined : inner(v, held));
    }
    case 'result': {
      const ok = t.ok ? fromJsonOf(t.ok) : undefined;
      const err = t.err ? fromJsonOf(t.err) : undefined;
      return (v, held) => {
        const tag = isObject(v) ? v.tag : undefined;
        if (tag !== 'ok' && tag !== 'err')
          badValue(`expected { tag: 'ok' | 'err', val } (result), got ${describe(v)}`);
        const c = tag === 'ok' ? ok : err;
        try {
          return { tag, val: c ? c((v as Record<string, unknown>).val, held) : undefined };
        } catch (error) {
          return within(error, tag);
        }
      };
    }
    case 'own':
    case 'borrow': {
      const name = t.resource.name;
      return (v, held) => {
        if (GuestResource.state(v)) return v;
        if (isObject(v) && typeof v.handle === 'number') {
          const r = held(v.handle);
          if (r && r.resource === name) return r;
          throw new ValueError(`no ${name} resource with handle ${v.handle} is held`);
        }
        return badValue(
          `expected a ${name} resource ({ "resource": "${name}", "handle": n }), got ${describe(v)}`,
        );
      };
    }
  }
}

/**
 * The arguments of an export call from JSON values, as a function built once per export: arity
 * and every value checked and converted by the parameters' converters, found once here rather
 * than on every call. Errors name the export as `name` spells it, the parameter and its WIT type.
 */
export function argumentsConverter(
  name: string,
  ft: FuncType,
  held: HeldResource,
): (args: readonly unknown[]) => unknown[] {
  const convert = ft.params.map((p) => fromJsonOf(p.type));
  const n = convert.length;
  // Up to three parameters (nearly every export): unrolled, an array literal of the values and
  // one `try`, with no loop over the converters (`invokeSync` of a scalar export, issue 12).
  const [c0, c1, c2] = convert;
  switch (n) {
    case 0:
      return (args) => {
        if (args.length !== 0) arityError(name, ft, args.length);
        return [];
      };
    case 1:
      return (args) => {
        if (args.length !== 1) arityError(name, ft, args.length);
        try {
          return [c0!(args[0], held)];
        } catch (error) {
          return argumentError(name, ft, 0, error);
        }
      };
    case 2:
      return (args) => {
        if (args.length !== 2) arityError(name, ft, args.length);
        let k = 0;
        try {
          const a = c0!(args[0], held);
          k = 1;
          return [a, c1!(args[1], held)];
        } catch (error) {
          return argumentError(name, ft, k, error);
        }
      };
    case 3:
      return (args) => {
        if (args.length !== 3) arityError(name, ft, args.length);
        let k = 0;
        try {
          const a = c0!(args[0], held);
          k = 1;
          const b = c1!(args[1], held);
          k = 2;
          return [a, b, c2!(args[2], held)];
        } catch (error) {
          return argumentError(name, ft, k, error);
        }
      };
  }
  return (args) => {
    if (args.length !== n) arityError(name, ft, args.length);
    const out = new Array(n);
    for (let k = 0; k < n; k++) {
      try {
        out[k] = convert[k]!(args[k], held);
      } catch (error) {
        argumentError(name, ft, k, error);
      }
    }
    return out;
  };
}

/** What `scalarArguments`' function returns: the arguments are in the record it was given. */
export const LOWERED: readonly unknown[] = Object.freeze([]);

/** A scalar parameter holds no resource: `held` is never called. */
const NONE_HELD: HeldResource = () => undefined;

/** Scalar kinds whose JSON value, once `fromJsonOf`'s converter took it, is its core value (the lowerer returns it as it is). */
const LOWERED_AS_CONVERTED = new Set(['u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64']);

/**
 * A scalar's JSON value checked and lowered, in one function: `fromJsonOf`'s converter, then the
 * lowerer (`scalarLowerer`) where it changes the value (a bool to 0 or 1, a char to its code
 * point); for the numbers the converter's value is the core value (the lowerer's check of it
 * would pass it as it is), and one call an argument is what V8 inlines into `invokeSync`'s start.
 */
function scalarFromJson(t: ValType): (v: unknown) => unknown {
  const convert = fromJsonOf(t);
  if (LOWERED_AS_CONVERTED.has(t.kind)) return convert as (v: unknown) => unknown;
  const lower = scalarLowerer(t);
  return (v) => lower(convert(v, NONE_HELD));
}

/** What no number passes (`scalarArguments`' inline check for a parameter that is not a 32-bit integer). */
const NO_RANGE: readonly [number, number] = Object.freeze([
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
]);

/** The range `scalarArguments` checks inline: a 32-bit (or narrower) integer's, else `NO_RANGE`. */
function inlineRange(t: ValType | undefined): readonly [number, number] {
  switch (t?.kind) {
    case 'u8':
    case 's8':
    case 'u16':
    case 's16':
    case 'u32':
    case 's32':
      return intRange(t.kind);
    default:
      return NO_RANGE;
  }
}

/**
 * The JSON arguments of a scalar export (at most 3 parameters: `isScalarShape`, host/abi/fast.ts)
 * checked as `argumentsConverter`'s function checks them (the same errors), lowered to the core
 * values, and written into `into` for `loweredCall`'s function, which calls the export with
 * them: no array, no second check (issue 12). An integer parameter's value in its range is taken
 * inline (the converter's own test, its range data the closure holds); anything else goes to
 * the converter, which takes it or says what is wrong. Each argument is read once, and `into` is
 * written only once every one is read and checked: an argument's getter may invoke the sandbox,
 * whose invocation writes the same record. Returns `LOWERED`.
 */
export function scalarArguments(
  name: string,
  ft: FuncType,
): (args: readonly unknown[], into: LoweredArguments) => readonly unknown[] {
  const n = ft.params.length;
  const types = ft.params.map((p) => p.type);
  const c0 = n > 0 ? scalarFromJson(types[0]!) : undefined;
  const c1 = n > 1 ? scalarFromJson(types[1]!) : undefined;
  const c2 = n > 2 ? scalarFromJson(types[2]!) : undefined;
  const [lo0, hi0] = inlineRange(types[0]);
  const [lo1, hi1] = inlineRange(types[1]);
  const [lo2, hi2] = inlineRange(types[2]);
  switch (n) {
    case 0:
      return (args) => {
        if (args.length !== 0) arityError(name, ft, args.length);
        return LOWERED;
      };
    case 1:
      return (args, into) => {
        if (args.length !== 1) arityError(name, ft, args.length);
        let a: unknown;
        try {
          a = args[0];
          if (!(typeof a === 'number' && Number.isInteger(a) && a >= lo0 && a <= hi0)) a = c0!(a);
        } catch (error) {
          argumentError(name, ft, 0, error);
        }
        into.x0 = a;
        return LOWERED;
      };
    case 2:
      return (args, into) => {
        if (args.length !== 2) arityError(name, ft, args.length);
        let a: unknown;
        let b: unknown;
        let k = 0;
        try {
          a = args[0];
          if (!(typeof a === 'number' && Number.isInteger(a) && a >= lo0 && a <= hi0)) a = c0!(a);
          k = 1;
          b = args[1];
          if (!(typeof b === 'number' && Number.isInteger(b) && b >= lo1 && b <= hi1)) b = c1!(b);
        } catch (error) {
          argumentError(name, ft, k, error);
        }
        into.x0 = a;
        into.x1 = b;
        return LOWERED;
      };
    case 3:
      return (args, into) => {
        if (args.length !== 3) arityError(name, ft, args.length);
        let a: unknown;
        let b: unknown;
        let c: unknown;
        let k = 0;
        try {
          a = args[0];
          if (!(typeof a === 'number' && Number.isInteger(a) && a >= lo0 && a <= hi0)) a = c0!(a);
          k = 1;
          b = args[1];
          if (!(typeof b === 'number' && Number.isInteger(b) && b >= lo1 && b <= hi1)) b = c1!(b);
          k = 2;
          c = args[2];
          if (!(typeof c === 'number' && Number.isInteger(c) && c >= lo2 && c <= hi2)) c = c2!(c);
        } catch (error) {
          argumentError(name, ft, k, error);
        }
        into.x0 = a;
        into.x1 = b;
        into.x2 = c;
        return LOWERED;
      };
  }
  throw new Error(`scalarArguments: ${n} parameters (at most 3)`);
}
