/**
 * Byte-level reading and writing of the WebAssembly binary format: LEB128 integers, names,
 * growable output. Kept small and monomorphic because the rewriter spends its time here.
 */

/** A structural problem in the input; the rewriter turns it into `invalid-module`. */
export class MalformedError extends Error {
  override readonly name = 'MalformedError';
}

export function malformed(message: string): never {
  throw new MalformedError(message);
}

export class Reader {
  pos: number;
  end: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  byte(): number {
    if (this.pos >= this.end) malformed('unexpected end');
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128, at most 32 bits. */
  u32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos < this.end) {
      const b = bytes[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= this.end) malformed('unexpected end in an integer');
      const b = bytes[pos++]!;
      if (shift === 28) {
        if (b & 0xf0) malformed('integer too large');
        result = (result | (b << 28)) >>> 0;
        break;
      }
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    this.pos = pos;
    return result >>> 0;
  }

  /** Skip a LEB128 of at most `maxBytes` bytes (5 for 32-bit, 10 for 64-bit, 5 for s33). */
  skipLeb(maxBytes: number): void {
    const bytes = this.bytes;
    let pos = this.pos;
    const limit = Math.min(this.end, pos + maxBytes);
    for (;;) {
      if (pos >= limit) malformed(pos >= this.end ? 'unexpected end in an integer' : 'integer too long');
      if ((bytes[pos++]! & 0x80) === 0) break;
    }
    this.pos = pos;
  }

  /** Signed LEB128 of at most 33 bits (block types, heap types); returns it as a number. */
  s33(): number {
    let result = 0;
    let mul = 1;
    let b: number;
    let count = 0;
    do {
      b = this.byte();
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (++count > 5) malformed('integer too long');
    } while (b & 0x80);
    if (b & 0x40) result -= mul;
    return result;
  }

  skip(n: number): void {
    if (n > this.end - this.pos) malformed('unexpected end');
    this.pos += n;
  }

  name(): string {
    const length = this.u32();
    if (length > this.end - this.pos) malformed('name runs past its section');
    const text = utf8.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  /** Read past a name, as `name` reads it, without decoding it. */
  skipName(): void {
    const length = this.u32();
    if (length > this.end - this.pos) malformed('name runs past its section');
    this.pos += length;
  }

  /**
   * Read a name, as `name` reads it: whether its bytes are `utf8` or `other` (the UTF-8 of ASCII
   * names, `nameBytes`). Without decoding it: the same answer as comparing `name()`'s text, since
   * a decoded malformed sequence is U+FFFD, never ASCII.
   */
  nameIs(utf8: Uint8Array, other?: Uint8Array): boolean {
    const length = this.u32();
    if (length > this.end - this.pos) malformed('name runs past its section');
    const at = this.pos;
    this.pos += length;
    return (
      sameBytes(this.bytes, at, length, utf8) ||
      (other !== undefined && sameBytes(this.bytes, at, length, other))
    );
  }
}

function sameBytes(bytes: Uint8Array, at: number, length: number, utf8: Uint8Array): boolean {
  if (length !== utf8.length) return false;
  for (let i = 0; i < length; i++) if (bytes[at + i] !== utf8[i]) return false;
  return true;
}

/** The UTF-8 of an ASCII name the pass compares or writes, made once per process. */
export function nameBytes(text: string): Uint8Array {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) throw new Error('not ASCII');
  return new TextEncoder().encode(text);
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Where each known section goes in a module, by id (custom sections, id 0, anywhere). */
export const SECTION_ORDER: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

/**
 * Walk the sections after the module's 8-byte header: `visit` gets each one's id and a reader
 * over its contents, and returns true to stop. A section that runs past the end is malformed.
 */
export function eachSection(
  bytes: Uint8Array,
  visit: (id: number, section: Reader) => boolean | undefined,
): void {
  const r = new Reader(bytes, 8);
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) malformed(`section ${id} runs past the end of the module`);
    if (visit(id, new Reader(bytes, r.pos, end)) === true) return;
    r.pos = end;
  }
}

export class Writer {
  buf: Uint8Array;
  len = 0;
  /** `buffer`: written into (from its start) instead of a new one when it holds `capacity`. */
  constructor(capacity = 256, buffer?: Uint8Array) {
    this.buf = buffer !== undefined && buffer.length >= capacity ? buffer : new Uint8Array(capacity);
  }

  reset(): void {
    this.len = 0;
  }

  reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    if (this.len >= this.buf.length) this.reserve(1);
    this.buf[this.len++] = b;
  }

  u32(value: number): void {
    this.reserve(5);
    const buf = this.buf;
    let len = this.len;
    value >>>= 0;
    while (value >= 0x80) {
      buf[len++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[len++] = value;
    this.len = len;
  }

  /** Signed LEB128 of any safe integer (i64.const of a cost, i32.const). */
  sleb(value: number): void {
    this.reserve(10);
    const buf = this.buf;
    let len = this.len;
    for (;;) {
      const low = ((value % 128) + 128) % 128;
      value = Math.floor(value / 128);
      const done = (value === 0 && (low & 0x40) === 0) || (value === -1 && (low & 0x40) !== 0);
      buf[len++] = done ? low : low | 0x80;
      if (done) break;
    }
    this.len = len;
  }

  /** Copy `src[start, end)`. */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.reserve(n);
    if (n < 32) {
      const buf = this.buf;
      let len = this.len;
      for (let i = start; i < end; i++) buf[len++] = src[i]!;
      this.len = len;
    } else {
      this.buf.set(src.subarray(start, end), this.len);
      this.len += n;
    }
  }

  append(other: Writer): void {
    this.copy(other.buf, 0, other.len);
  }

  /** Replace the `room` bytes at `offset` with `value` as a minimal LEB128, moving what follows. */
  patchU32(offset: number, room: number, value: number): void {
    const size = u32Size(value);
    this.buf.copyWithin(offset + size, offset + room, this.len);
    this.len -= room - size;
    let at = offset;
    while (value >= 0x80) {
      this.buf[at++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[at] = value;
  }

  /** Insert `other`'s bytes at `offset`, moving what follows. */
  insert(offset: number, other: Writer): void {
    const n = other.len;
    this.reserve(n);
    this.buf.copyWithin(offset + n, offset, this.len);
    this.buf.set(other.buf.subarray(0, n), offset);
    this.len += n;
  }

  name(text: string): void {
    const encoded = utf8Encoder.encode(text);
    this.u32(encoded.length);
    this.copy(encoded, 0, encoded.length);
  }

  /** A name already encoded (`nameBytes`): the same bytes as `name` of its text. */
  nameOf(utf8: Uint8Array): void {
    this.u32(utf8.length);
    this.copy(utf8, 0, utf8.length);
  }

  /** A section: id, size, then the content of `body`. */
  section(id: number, body: Writer): void {
    this.byte(id);
    this.u32(body.len);
    this.append(body);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Number of bytes `value` takes as an unsigned LEB128. */
export function u32Size(value: number): number {
  let n = 1;
  value >>>= 0;
  while (value >= 0x80) {
    value >>>= 7;
    n++;
  }
  return n;
}

/**
 * One object of each class that a pass makes anew for every module, kept for the life of the
 * process (`keepShapes`). V8's optimized code for the pass checks these objects' hidden classes
 * (maps); a full collection that finds no object of such a map frees it and throws away every
 * optimized function that checks for it (`--trace-deopt`: "marking dependent code for
 * deoptimization, reason: weak objects"), and each pass after it ran in the slower tiers until
 * V8 optimized it anew. Metering the C probe's core modules (70 KB) after a full collection took
 * 30-50 ms instead of 12-15 ms. A kept object keeps its class's map, and with it the code, alive.
 */
const shapes: object[] = [];

export function keepShapes(...objects: object[]): void {
  shapes.push(...objects);
}

keepShapes(new Reader(new Uint8Array(0)), new Writer(0));
