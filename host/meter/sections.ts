/**
 * Readers and rewriters shared by the module pass's sections: limits of tables and memories,
 * table element types, constant expressions and element segments (renumbered), and the check
 * that a section's contents fill its size.
 */
import { malformed, type Reader, type Writer } from './binary.js';

export function expectEnd(s: Reader, section: string): void {
  if (s.pos !== s.end) malformed(`${section} section size does not match its contents`);
}

export function readTableType(s: Reader): number {
  const type = s.byte();
  if (type === 0x70 || type === 0x6f) return type;
  if (type === 0x40) malformed('table initializers (typed references) are not supported');
  return malformed(`unsupported table element type 0x${type.toString(16)}`);
}

export interface Limits {
  flags: number;
  min: number;
  max: number | undefined;
}

export function readLimits(s: Reader, what: 'table' | 'memory'): Limits {
  const flags = s.byte();
  const known = what === 'memory' ? 0x03 : 0x01;
  if (flags & ~known) {
    if (flags & 0x04) malformed(`${what}64 is not supported`);
    malformed(`unknown ${what} limits flags 0x${flags.toString(16)}`);
  }
  const min = s.u32();
  const max = flags & 0x01 ? s.u32() : undefined;
  return { flags, min, max };
}

export function readMemoryLimits(s: Reader): Limits {
  return readLimits(s, 'memory');
}

/** Copy a constant expression, renumbering `global.get` and `ref.func`. */
export function rewriteConstExpr(
  s: Reader,
  out: Writer,
  remapFunc: (index: number) => number,
  remapGlobal: (index: number) => number,
): void {
  for (;;) {
    const at = s.pos;
    const op = s.byte();
    switch (op) {
      case 0x0b:
        out.byte(op);
        return;
      case 0x41:
      case 0x42:
        s.skipLeb(10);
        out.copy(s.bytes, at, s.pos);
        break;
      case 0x43:
        s.skip(4);
        out.copy(s.bytes, at, s.pos);
        break;
      case 0x44:
        s.skip(8);
        out.copy(s.bytes, at, s.pos);
        break;
      case 0xd0:
        s.s33();
        out.copy(s.bytes, at, s.pos);
        break;
      case 0xd2:
        out.byte(op);
        out.u32(remapFunc(s.u32()));
        break;
      case 0x23:
        out.byte(op);
        out.u32(remapGlobal(s.u32()));
        break;
      // extended-const
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        out.byte(op);
        break;
      case 0xfd: {
        if (s.u32() !== 12) malformed('unsupported instruction in a constant expression');
        s.skip(16);
        out.copy(s.bytes, at, s.pos);
        break;
      }
      default:
        malformed(`unsupported instruction 0x${op.toString(16)} in a constant expression`);
    }
  }
}

export function rewriteElement(
  s: Reader,
  out: Writer,
  remapFunc: (index: number) => number,
  remapGlobal: (index: number) => number,
  onElement: (table: number, func: number | undefined) => void,
): void {
  const flags = s.u32();
  if (flags > 7) malformed(`unknown element segment flags ${flags}`);
  out.u32(flags);
  // bit 0: passive or declarative; bit 1: explicit table (active) or declarative; bit 2: expressions.
  const active = (flags & 0x01) === 0;
  let table = active ? 0 : -1;
  if (active && flags & 0x02) {
    table = s.u32();
    out.u32(table);
  }
  if (active) rewriteConstExpr(s, out, remapFunc, remapGlobal);
  if (flags & 0x03) {
    // elemkind (0x00) or reftype
    const kind = s.byte();
    out.byte(kind);
  }
  const count = s.u32();
  out.u32(count);
  if (flags & 0x04) {
    for (let i = 0; i < count; i++) {
      // `ref.func f`, `ref.null t` or `global.get g` (an entry we cannot name).
      const at = s.pos;
      const op = s.bytes[at];
      let func: number | undefined;
      if (op === 0xd2) {
        s.pos = at + 1;
        func = s.u32();
        s.pos = at;
      }
      rewriteConstExpr(s, out, remapFunc, remapGlobal);
      if (op !== 0xd0) onElement(table, func);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const func = s.u32();
      onElement(table, func);
      out.u32(remapFunc(func));
    }
  }
}
