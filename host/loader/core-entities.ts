/**
 * The types of a core module's tables, memories and globals, imported and exported, read
 * without compiling it: what the planner needs to check a core instantiation's arguments at load
 * as the component model's validation does (wasmparser: "expected global type i32, found i64",
 * "mismatch in table limits"), instead of leaving them to V8 at spawn. What it cannot read (GC
 * reference types, a table with an initializer, a constant expression it does not know, custom
 * page sizes) is left undefined: unchecked here, V8's at spawn as before.
 */
import { VALUE_TYPES, type ValueType } from './core-info.js';

export type CoreEntityType =
  | { readonly kind: 'global'; readonly type: ValueType; readonly mutable: boolean }
  | { readonly kind: 'table'; readonly element: ValueType; readonly limits: Limits }
  | { readonly kind: 'memory'; readonly limits: Limits; readonly shared: boolean };

export interface Limits {
  readonly min: number;
  readonly max: number | undefined;
  /** 64-bit (memory64, table64). */
  readonly wide: boolean;
}

export interface CoreEntities {
  /** By import, in the module's order (a function or tag import: undefined). */
  readonly imports: readonly (CoreEntityType | undefined)[];
  /**
   * By export, in the module's order (a function or tag export: undefined). By position, not
   * name: the planner keys names once per module (a map of fresh name strings here cost 10x the
   * rest of the read).
   */
  readonly exports: readonly (CoreEntityType | undefined)[];
}

/** Stops the read of a section at what this reader does not know (the rest: unchecked). */
class Unknown extends Error {}

class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    public end = bytes.length,
  ) {}

  byte(): number {
    if (this.pos >= this.end) throw new Unknown();
    return this.bytes[this.pos++]!;
  }

  /** An unsigned LEB128 of up to 64 bits as a number (exact up to 2^53). */
  leb(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new Unknown();
  }

  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new Unknown();
  }

  skip(n: number): void {
    if (n > this.end - this.pos) throw new Unknown();
    this.pos += n;
  }

  valueType(): ValueType {
    const known = VALUE_TYPES[this.byte()];
    if (!known) throw new Unknown();
    return known;
  }

  limits(memory: boolean): Limits & { shared: boolean } {
    const flags = this.byte();
    // Custom page sizes (0x08) and anything newer: not compared here.
    if (flags > 0x07 || (!memory && flags & 0x02)) throw new Unknown();
    const min = this.leb();
    const max = flags & 0x01 ? this.leb() : undefined;
    return { min, max, wide: (flags & 0x04) !== 0, shared: (flags & 0x02) !== 0 };
  }

  table(): CoreEntityType {
    const element = this.valueType();
    const { shared: _, ...limits } = this.limits(false);
    return { kind: 'table', element, limits };
  }

  memory(): CoreEntityType {
    const { shared, ...limits } = this.limits(true);
    return { kind: 'memory', limits, shared };
  }

  global(): CoreEntityType {
    const type = this.valueType();
    const mutability = this.byte();
    if (mutability > 1) throw new Unknown();
    return { kind: 'global', type, mutable: mutability === 1 };
  }

  /** Skip a constant expression (MVP, extended constants, SIMD's v128.const). */
  skipConstExpr(): void {
    for (;;) {
      const op = this.byte();
      switch (op) {
        case 0x0b:
          return;
        case 0x41:
        case 0x42:
        case 0x23:
        case 0xd2:
        case 0xd0:
          this.skipLeb();
          break;
        case 0x43:
          this.skip(4);
          break;
        case 0x44:
          this.skip(8);
          break;
        case 0x6a:
        case 0x6b:
        case 0x6c:
        case 0x7c:
        case 0x7d:
        case 0x7e:
          break;
        case 0xfd:
          if (this.leb() !== 0x0c) throw new Unknown();
          this.skip(16);
          break;
        default:
          throw new Unknown();
      }
    }
  }
}

/**
 * Read `bytes`' entity types (a module V8 has validated or will validate: a malformed one reads
 * as far as it can). Linear in the module's import, table, memory, global and export sections;
 * the code and data sections are skipped by their sizes.
 */
export function readCoreEntities(bytes: Uint8Array): CoreEntities {
  const imports: (CoreEntityType | undefined)[] = [];
  const exports: (CoreEntityType | undefined)[] = [];
  // The index spaces, imports first; undefined where a type was not read.
  const spaces: (CoreEntityType | undefined)[][] = [[], [], []];
  const TABLE = 0;
  const MEMORY = 1;
  const GLOBAL = 2;
  const r = new Reader(bytes);
  r.pos = 8;
  try {
    while (r.pos < bytes.length) {
      r.end = bytes.length;
      const id = r.byte();
      const size = r.leb();
      if (size > bytes.length - r.pos) return { imports, exports };
      const end = r.pos + size;
      r.end = end;
      try {
        if (id === 2) {
          for (let n = r.leb(); n > 0; n--) {
            r.skip(r.leb());
            r.skip(r.leb());
            const kind = r.byte();
            let type: CoreEntityType | undefined;
            let space: number | undefined;
            if (kind === 0x00) r.skipLeb();
            else if (kind === 0x01) [type, space] = [r.table(), TABLE];
            else if (kind === 0x02) [type, space] = [r.memory(), MEMORY];
            else if (kind === 0x03) [type, space] = [r.global(), GLOBAL];
            else if (kind === 0x04) {
              r.byte();
              r.skipLeb();
            } else throw new Unknown();
            if (space !== undefined) spaces[space]!.push(type);
            imports.push(type);
          }
        } else if (id === 4) {
          for (let n = r.leb(); n > 0; n--) {
            // 0x40: a table with an initializer expression (typed function references).
            if (r.bytes[r.pos] === 0x40) throw new Unknown();
            spaces[TABLE]!.push(r.table());
          }
        } else if (id === 5) {
          for (let n = r.leb(); n > 0; n--) spaces[MEMORY]!.push(r.memory());
        } else if (id === 6) {
          for (let n = r.leb(); n > 0; n--) {
            spaces[GLOBAL]!.push(r.global());
            r.skipConstExpr();
          }
        } else if (id === 7) {
          for (let n = r.leb(); n > 0; n--) {
            r.skip(r.leb());
            const kind = r.byte();
            const index = r.leb();
            const space = kind === 0x01 ? TABLE : kind === 0x02 ? MEMORY : kind === 0x03 ? GLOBAL : undefined;
            exports.push(space === undefined ? undefined : spaces[space]![index]);
          }
        }
      } catch (error) {
        if (!(error instanceof Unknown)) throw error;
        // A section read in part: what it defines after the unknown entry stays unknown (an
        // export of it finds no type and is not checked). Imports come first in every index
        // space, so an import section read in part leaves nothing known.
        if (id === 2) return { imports: [], exports: [] };
      }
      r.pos = end;
    }
  } catch (error) {
    if (!(error instanceof Unknown)) throw error;
  }
  return { imports, exports };
}

/**
 * Why an entity of type `given` cannot satisfy an import of type `wanted`, as core linking
 * matches them (a global of the same type and mutability; a table of the same element type, a
 * memory of the same sharing; limits at least the import's minimum and, when it has a maximum,
 * at most that maximum), or undefined when it can.
 */
export function entityMismatch(wanted: CoreEntityType, given: CoreEntityType): string | undefined {
  if (wanted.kind !== given.kind) return `expects a ${wanted.kind}, given a ${given.kind}`;
  const show = () => `expects ${describeEntity(wanted)}, given ${describeEntity(given)}`;
  if (wanted.kind === 'global' && given.kind === 'global')
    return wanted.type === given.type && wanted.mutable === given.mutable ? undefined : show();
  if (wanted.kind === 'table' && given.kind === 'table' && wanted.element !== given.element) return show();
  if (wanted.kind === 'memory' && given.kind === 'memory' && wanted.shared !== given.shared) return show();
  const w = (wanted as { limits: Limits }).limits;
  const g = (given as { limits: Limits }).limits;
  const fits =
    w.wide === g.wide && g.min >= w.min && (w.max === undefined || (g.max !== undefined && g.max <= w.max));
  return fits ? undefined : show();
}

export function describeEntity(t: CoreEntityType): string {
  if (t.kind === 'global') return `(global ${t.mutable ? `(mut ${t.type})` : t.type})`;
  const { min, max, wide } = t.limits;
  const limits = `${wide ? 'i64 ' : ''}${min}${max === undefined ? '' : ` ${max}`}`;
  return t.kind === 'table'
    ? `(table ${limits} ${t.element})`
    : `(memory ${limits}${t.shared ? ' shared' : ''})`;
}
