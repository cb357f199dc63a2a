/**
 * Seeded random WIT types, for property tests: any nesting of every value type (records,
 * variants, enums and flags named, with unique names), bounded in depth and width. The same
 * seed gives the same types everywhere; a failing test prints its seed.
 */
import type { Rng } from '../fuzz/rng.js';
import { type FuncType, PRIMITIVES, type WitType } from './wit.js';

/** Fresh names for one generated world: type names, and field, case and flag labels. */
export class Names {
  #next = 0;

  /** `prefix` and a number, or two words joined by a hyphen (WIT identifiers, never keywords). */
  label(rng: Rng, prefix: string): string {
    const n = this.#next++;
    return rng.chance(0.3) ? `${prefix}-x${n}` : `${prefix}${n}`;
  }
}

export interface TypeShape {
  /** Nesting below the top (0: a primitive). */
  depth: number;
  /** At most this many fields, cases, tuple elements. */
  width: number;
}

export const DEFAULT_SHAPE: TypeShape = { depth: 3, width: 4 };

/** A random value type; named types take their names from `names`. */
export function randomType(rng: Rng, names: Names, shape: TypeShape = DEFAULT_SHAPE): WitType {
  const { depth, width } = shape;
  if (depth <= 0 || rng.chance(0.3)) return { kind: rng.pick(PRIMITIVES) };
  const inner = (): WitType => randomType(rng, names, { depth: depth - 1, width });
  const count = (min = 1) => rng.range(min, width);
  switch (rng.int(9)) {
    case 0:
      return { kind: 'list', of: inner() };
    case 1:
      return { kind: 'tuple', of: Array.from({ length: count() }, inner) };
    case 2:
      return { kind: 'option', of: inner() };
    case 3: {
      const ok = rng.chance(0.7) ? inner() : undefined;
      const err = rng.chance(0.7) ? inner() : undefined;
      return { kind: 'result', ...(ok ? { ok } : {}), ...(err ? { err } : {}) };
    }
    case 4:
      return {
        kind: 'record',
        name: names.label(rng, 'rec'),
        fields: Array.from({ length: count() }, () => ({ name: names.label(rng, 'fld'), type: inner() })),
      };
    case 5:
      return {
        kind: 'variant',
        name: names.label(rng, 'var'),
        cases: Array.from({ length: count() }, () => {
          const name = names.label(rng, 'cs');
          return rng.chance(0.7) ? { name, type: inner() } : { name };
        }),
      };
    case 6: {
      // Now and then past 256 cases, where the discriminant becomes a u16.
      const n = rng.chance(0.15) ? rng.range(250, 300) : count();
      return {
        kind: 'enum',
        name: names.label(rng, 'en'),
        cases: Array.from({ length: n }, () => names.label(rng, 'e')),
      };
    }
    case 7: {
      const n = rng.chance(0.3) ? rng.range(8, 32) : count();
      return {
        kind: 'flags',
        name: names.label(rng, 'fl'),
        flags: Array.from({ length: n }, () => names.label(rng, 'b')),
      };
    }
    default:
      return { kind: rng.pick(PRIMITIVES) };
  }
}

/** A random function type: 0 to 4 parameters (now and then 17, past the flat limit), a result or none. */
export function randomFunc(rng: Rng, names: Names, shape: TypeShape = DEFAULT_SHAPE): FuncType {
  const n = rng.chance(0.05) ? 17 : rng.range(0, 4);
  const params = Array.from({ length: n }, () => ({
    name: names.label(rng, 'p'),
    type: randomType(rng, names, shape),
  }));
  return rng.chance(0.85) ? { params, result: randomType(rng, names, shape) } : { params };
}
