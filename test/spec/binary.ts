/**
 * Just enough of the WebAssembly binary format for the harnesses: read the signature of every
 * exported function and the type of every exported global (Node 20 has no type reflection),
 * and write small modules (LEB128, sections, vectors).
 */

/** Value types that Node 20's V8 accepts by default, by binary code. */
export const VALTYPES = {
  127: 'i32',
  126: 'i64',
  125: 'f32',
  124: 'f64',
  123: 'v128',
  112: 'funcref',
  111: 'externref',
} as const;

export type ValType = (typeof VALTYPES)[keyof typeof VALTYPES];

export const VALTYPE_CODE: Record<ValType, number> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
};

export interface FuncSig {
  params: ValType[];
  results: ValType[];
}

export interface ExportTypes {
  funcs: Map<string, FuncSig>;
  globals: Map<string, ValType>;
}

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  u8(): number {
    if (this.pos >= this.bytes.length) throw new Error('unexpected end of module');
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  }
  skip(n: number): void {
    this.pos += n;
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder('utf-8', { ignoreBOM: true }).decode(
      this.bytes.subarray(this.pos, this.pos + n),
    );
    this.pos += n;
    return s;
  }
  valtype(): ValType {
    const code = this.u8();
    const t = VALTYPES[code as keyof typeof VALTYPES];
    if (!t) throw new Error(`unsupported value type 0x${code.toString(16)}`);
    return t;
  }
  limits(): void {
    const flags = this.u8();
    this.u32();
    if (flags & 1) this.u32();
  }
}

/** Reads the types of a module's exported functions and globals. */
export function exportTypes(bytes: Uint8Array): ExportTypes {
  const r = new Reader(bytes);
  r.skip(8);
  const types: FuncSig[] = [];
  const funcs: number[] = [];
  const globals: ValType[] = [];
  const out: ExportTypes = { funcs: new Map(), globals: new Map() };
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        if (r.u8() !== 0x60) throw new Error('unsupported type form');
        const params = Array.from({ length: r.u32() }, () => r.valtype());
        const results = Array.from({ length: r.u32() }, () => r.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        const kind = r.u8();
        if (kind === 0) funcs.push(r.u32());
        else if (kind === 1) {
          r.valtype();
          r.limits();
        } else if (kind === 2) r.limits();
        else if (kind === 3) {
          globals.push(r.valtype());
          r.u8();
        } else if (kind === 4) {
          r.u8();
          r.u32();
        } else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) funcs.push(r.u32());
    } else if (id === 6) {
      for (let n = r.u32(); n > 0; n--) {
        globals.push(r.valtype());
        r.u8();
        skipConstExpr(r);
      }
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = r.u8();
        const index = r.u32();
        if (kind === 0) {
          const sig = types[funcs[index]!];
          if (!sig) throw new Error(`export "${name}": unknown function ${index}`);
          out.funcs.set(name, sig);
        } else if (kind === 3) {
          const g = globals[index];
          if (g) out.globals.set(name, g);
        }
      }
    }
    r.pos = end;
  }
  return out;
}

/** Skips a constant expression (the instructions Node 20 allows in one) through its `end`. */
function skipConstExpr(r: Reader): void {
  for (;;) {
    const op = r.u8();
    if (op === 0x0b) return;
    if (op === 0x41 || op === 0x23 || op === 0xd2) r.u32();
    else if (op === 0x42) r.u32();
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op === 0xd0) r.u8();
    else if (op === 0xfd) {
      r.u32();
      r.skip(16);
    } else throw new Error(`unsupported opcode 0x${op.toString(16)} in a constant expression`);
  }
}

// --- writing -------------------------------------------------------------------------------

export function uleb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

export function sleb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && !(b & 0x40)) || (v === -1n && b & 0x40);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export function funcType(sig: FuncSig): number[] {
  return [
    0x60,
    ...vec(sig.params.map((t) => [VALTYPE_CODE[t]])),
    ...vec(sig.results.map((t) => [VALTYPE_CODE[t]])),
  ];
}
