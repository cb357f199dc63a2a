/**
 * The instruction encoding as the metering pass needs it: the opcodes it writes, and how to
 * step over the immediates of the ones it only copies (value and block types, memargs, the
 * 0xfd SIMD and 0xfe atomic prefixes).
 */
import { malformed, type Reader } from './binary.js';
import { isShortBlockType } from './counted.js';

// Opcodes the pass writes.
export const OP_BLOCK = 0x02;
export const OP_LOOP = 0x03;
export const OP_IF = 0x04;
export const OP_ELSE = 0x05;
export const OP_END = 0x0b;
export const OP_BR = 0x0c;
export const OP_BR_IF = 0x0d;
export const OP_RETURN = 0x0f;
export const OP_CALL = 0x10;
export const OP_RETURN_CALL = 0x12;
export const OP_DROP = 0x1a;
export const OP_SELECT = 0x1b;
export const OP_LOCAL_GET = 0x20;
export const OP_LOCAL_SET = 0x21;
export const OP_LOCAL_TEE = 0x22;
export const OP_GLOBAL_GET = 0x23;
export const OP_GLOBAL_SET = 0x24;
export const OP_MEMORY_SIZE = 0x3f;
export const OP_MEMORY_GROW = 0x40;
export const OP_I32_CONST = 0x41;
export const OP_I64_CONST = 0x42;
export const OP_I32_NE = 0x47;
export const OP_I32_LT_S = 0x48;
export const OP_I32_LT_U = 0x49;
export const OP_I32_GT_S = 0x4a;
export const OP_I32_GT_U = 0x4b;
export const OP_I64_LT_S = 0x53;
export const OP_I64_LE_U = 0x58;
export const OP_I32_ADD = 0x6a;
export const OP_I32_SUB = 0x6b;
export const OP_I32_AND = 0x71;
export const OP_I32_SHR_U = 0x76;
export const OP_I64_ADD = 0x7c;
export const OP_I64_SUB = 0x7d;
export const OP_I64_MUL = 0x7e;
export const OP_I64_DIV_U = 0x80;
export const OP_I64_SHR_U = 0x88;
export const OP_I64_EXTEND_I32_U = 0xad;
export const VOID = 0x40;
export const I32 = 0x7f;
export const I64 = 0x7e;

/** Skip an unsigned or signed LEB128 at `pos`; returns the position after it. */
export function leb(bytes: Uint8Array, pos: number): number {
  while (bytes[pos++]! & 0x80);
  return pos;
}

export function skipMemarg(bytes: Uint8Array, pos: number): number {
  const align = bytes[pos]!;
  pos = leb(bytes, pos);
  if (align & 0x40) pos = leb(bytes, pos); // multi-memory: a memory index follows
  return leb(bytes, pos);
}

export function skipMemargReader(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32();
  r.skipLeb(10);
}

/** A block type: empty (0x40), one value type, or a type index (s33). */
export function skipBlockType(r: Reader, pos: number): number {
  const b = r.bytes[pos];
  if (isShortBlockType(b)) return pos + 1;
  if (b === 0x63 || b === 0x64) malformed('typed references are not supported');
  r.pos = pos;
  const index = r.s33();
  if (index < 0) malformed(`unknown block type ${index}`);
  return r.pos;
}

/** Numeric, vector and reference value types (typed references and GC are not enabled in Node 20). */
export function skipValueType(r: Reader): number {
  const b = r.byte();
  if ((b >= 0x7b && b <= 0x7f) || b === 0x70 || b === 0x6f) return b;
  if (b === 0x63 || b === 0x64) malformed('typed references are not supported');
  return malformed(`unknown value type 0x${b.toString(16)}`);
}

export function skipSimd(r: Reader, funcIndex: number): void {
  const sub = r.u32();
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) {
    skipMemargReader(r);
  } else if (sub === 0x0c || sub === 0x0d) {
    r.skip(16);
  } else if (sub >= 0x15 && sub <= 0x22) {
    r.skip(1);
  } else if (sub >= 0x54 && sub <= 0x5b) {
    skipMemargReader(r);
    r.skip(1);
  } else if (sub > 0x113) {
    malformed(`function ${funcIndex}: unsupported instruction 0xfd ${sub}`);
  }
}

export function skipAtomic(r: Reader, funcIndex: number): void {
  const sub = r.u32();
  if (sub === 0x03) {
    r.skip(1);
  } else if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) {
    skipMemargReader(r);
  } else {
    malformed(`function ${funcIndex}: unsupported instruction 0xfe ${sub}`);
  }
}
