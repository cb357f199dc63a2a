/**
 * Reads what the loader needs from a core module without compiling it: function signatures
 * of imports and exports. (V8's `WebAssembly.Module.imports` gives names and kinds only.)
 */
import { KeelError } from '../kernel/errors.js';

/** Not fatal: a name that is not UTF-8 reads with U+FFFD, which the core name check refuses. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * `bytes[at, at + length)` as text when it is short and all ASCII (what UTF-8 decoding would
 * give), else undefined (also when it runs past the end): names nearly always are, and a call
 * into TextDecoder costs more than this loop.
 */
export function asciiText(bytes: Uint8Array, at: number, length: number): string | undefined {
  if (length > 64 || at + length > bytes.length) return undefined;
  let text = '';
  for (let i = at, end = at + length; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return undefined;
    text += String.fromCharCode(c);
  }
  return text;
}

export type ValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | 'ref';

export interface FuncSignature {
  params: ValueType[];
  results: ValueType[];
}

export interface CoreImport {
  module: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  signature?: FuncSignature;
}

export interface CoreExport {
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  signature?: FuncSignature;
}

export interface CoreModuleInfo {
  imports: CoreImport[];
  exports: CoreExport[];
}

const KINDS = ['function', 'table', 'memory', 'global', 'tag'] as const;

/** Core value types by their binary code (shared with core-entities.ts). */
export const VALUE_TYPES: Readonly<Record<number, ValueType>> = {
  127: 'i32',
  126: 'i64',
  125: 'f32',
  124: 'f64',
  123: 'v128',
  112: 'funcref',
  111: 'externref',
};

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError('unexpected end of module');
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 28) {
        // Fifth byte: only 4 bits remain.
        const last = this.byte();
        return (result | (last << 28)) >>> 0;
      }
    }
  }

  skipLeb(): void {
    while (this.byte() & 0x80);
  }

  name(): string {
    const length = this.u32();
    const at = this.pos;
    this.pos += length;
    return asciiText(this.bytes, at, length) ?? utf8.decode(this.bytes.subarray(at, at + length));
  }

  valueType(): ValueType {
    const code = this.byte();
    const known = VALUE_TYPES[code];
    if (known) return known;
    // (ref null? heaptype): typed function references and GC types.
    if (code === 0x63 || code === 0x64) {
      this.skipHeapType();
      return 'ref';
    }
    // Abstract heap type shorthands (anyref, eqref, ...).
    if (code >= 0x69 && code <= 0x74) return 'ref';
    throw new RangeError(`unknown value type 0x${code.toString(16)}`);
  }

  skipHeapType(): void {
    // s33: either a negative abstract type (one byte) or a type index.
    this.skipLeb();
  }

  limits(): void {
    // Memory64 limits are u64, so skip rather than decode.
    const flags = this.byte();
    this.skipLeb();
    if (flags & 0x01) this.skipLeb();
  }
}

/** Parse imports and exports with signatures. Throws `invalid-module` on malformed input. */
export function readCoreModuleInfo(bytes: Uint8Array): CoreModuleInfo {
  try {
    return parse(bytes);
  } catch (error) {
    if (error instanceof KeelError) throw error;
    throw new KeelError('invalid-module', `malformed core module: ${(error as Error).message}`);
  }
}

function parse(bytes: Uint8Array): CoreModuleInfo {
  const r = new Reader(bytes);
  r.pos = 8;
  const types: (FuncSignature | undefined)[] = [];
  const funcTypes: number[] = [];
  const imports: CoreImport[] = [];
  const exports: CoreExport[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new RangeError('section runs past the end of the module');
    if (id === 1) readTypes(r, types);
    else if (id === 2) readImports(r, types, funcTypes, imports);
    else if (id === 3) {
      const count = r.u32();
      for (let i = 0; i < count; i++) funcTypes.push(r.u32());
    } else if (id === 7) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const name = r.name();
        const kind = KINDS[r.byte()] ?? 'function';
        const index = r.u32();
        const entry: CoreExport = { name, kind };
        if (kind === 'function') {
          const signature = types[funcTypes[index] ?? -1];
          if (signature) entry.signature = signature;
        }
        exports.push(entry);
      }
    }
    r.pos = end;
  }
  return { imports, exports };
}

function readTypes(r: Reader, types: (FuncSignature | undefined)[]): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const form = r.byte();
    if (form === 0x60) {
      types.push(readFuncType(r));
    } else {
      // GC proposal forms (rec groups, subtypes, structs, arrays) are not needed here; stop
      // reading types and leave later signatures unknown rather than guess.
      types.push(undefined);
      return;
    }
  }
}

function readFuncType(r: Reader): FuncSignature {
  const params: ValueType[] = [];
  const results: ValueType[] = [];
  for (let n = r.u32(); n > 0; n--) params.push(r.valueType());
  for (let n = r.u32(); n > 0; n--) results.push(r.valueType());
  return { params, results };
}

function readImports(
  r: Reader,
  types: (FuncSignature | undefined)[],
  funcTypes: number[],
  imports: CoreImport[],
): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const name = r.name();
    const kindByte = r.byte();
    const kind = KINDS[kindByte];
    if (!kind) throw new RangeError(`unknown import kind ${kindByte}`);
    const entry: CoreImport = { module, name, kind };
    if (kind === 'function') {
      const typeIndex = r.u32();
      funcTypes.push(typeIndex);
      const signature = types[typeIndex];
      if (signature) entry.signature = signature;
    } else if (kind === 'table') {
      r.valueType();
      r.limits();
    } else if (kind === 'memory') {
      r.limits();
    } else if (kind === 'global') {
      r.valueType();
      r.byte();
    } else {
      r.byte();
      r.u32();
    }
    imports.push(entry);
  }
}
