/**
 * The bytes of a value crossing the syscall channel (`channel.ts`). Structured clone (what
 * `postMessage` does) costs microseconds per message even for `{ op, args: [5] }`; a host call
 * crosses twice, so the channel writes its messages itself, in a compact tagged form:
 * `undefined`, `null`, booleans, numbers (int32 or float64, `-0` and NaN kept), BigInts (64-bit,
 * or decimal beyond), strings (Latin-1 or UTF-16 code units: lone surrogates kept), byte arrays,
 * the other typed arrays (a list of numbers lifted from a guest), arrays, plain objects, and
 * errors (as their name and message, nothing else). Nothing else crosses: a `Map`, a `Date`, a
 * class instance, a function or a symbol is refused (`CodecError`). No value is ever handed to
 * V8's deserializer: the other thread may be a guest that got out of WebAssembly, and V8's
 * format says things its bytes do not hold (a sparse array of 2^32-1 holes in 19 bytes, a tree
 * of 2^40 arrays in 287 bytes of shared references).
 *
 * Decoding reads bytes the other thread wrote: every length and count is checked against the
 * bytes there are, nesting is bounded, byte and typed arrays are copied into fresh memory of
 * this thread, and a key named `__proto__` is an own property, so a forged frame yields a wrong
 * value or an error, never a prototype, a view of shared memory or a huge allocation.
 */

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const BIGINT64 = 6;
const BIGUINT64 = 7;
const BIGDECIMAL = 8;
const LATIN1 = 9;
const UTF16 = 10;
const BYTES = 11;
const ARRAY = 12;
const OBJECT = 13;
/** 14 was V8's serializer inside the frame: it is never read any more (an unknown tag). */
const TYPED = 15;
const ERROR = 16;

/** Typed arrays by their TYPED kind byte (Uint8Array crosses as BYTES). */
const TYPED_KINDS = [
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;
type TypedKind = (typeof TYPED_KINDS)[number];

/** An error's name and message cross, each at most this many code units (longer is cut). */
export const MAX_ERROR_TEXT = 4096;

/** Deepest value written or read (WIT values nest far less; remote.ts refuses past 100). */
export const MAX_CODEC_DEPTH = 128;

/** A value the codec cannot write or a frame it cannot read. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}

const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

/** Writes values into a private, growing buffer; the channel copies the bytes into its frame. */
export class Writer {
  #bytes = Buffer.allocUnsafe(1024);
  #view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength);
  #at = 0;

  /** Encode `value`; the bytes are `bytes().subarray(0, length)` until the next call. */
  encode(value: unknown): number {
    this.#at = 0;
    this.#value(value, 0);
    return this.#at;
  }

  get bytes(): Buffer {
    return this.#bytes;
  }

  #room(n: number): void {
    if (this.#at + n <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#at + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#bytes.copy(next, 0, 0, this.#at);
    this.#bytes = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  #tag(tag: number): void {
    this.#room(1);
    this.#bytes[this.#at++] = tag;
  }

  #u32(n: number): void {
    this.#room(4);
    this.#view.setUint32(this.#at, n, true);
    this.#at += 4;
  }

  #string(s: string): void {
    const n = s.length;
    let wide = false;
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) > 0xff) {
        wide = true;
        break;
      }
    }
    this.#tag(wide ? UTF16 : LATIN1);
    this.#u32(n);
    if (wide) {
      this.#room(2 * n);
      this.#at += this.#bytes.write(s, this.#at, 'utf16le');
      return;
    }
    this.#room(n);
    if (n < 32) {
      for (let i = 0; i < n; i++) this.#bytes[this.#at + i] = s.charCodeAt(i);
      this.#at += n;
    } else {
      this.#at += this.#bytes.write(s, this.#at, 'latin1');
    }
  }

  #value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'undefined':
        this.#tag(UNDEFINED);
        return;
      case 'boolean':
        this.#tag(value ? TRUE : FALSE);
        return;
      case 'number':
        if ((value | 0) === value && !Object.is(value, -0)) {
          this.#tag(INT32);
          this.#room(4);
          this.#view.setInt32(this.#at, value, true);
          this.#at += 4;
        } else {
          this.#tag(FLOAT64);
          this.#room(8);
          this.#view.setFloat64(this.#at, value, true);
          this.#at += 8;
        }
        return;
      case 'bigint':
        if (value >= I64_MIN && value <= U64_MAX) {
          this.#tag(value < 0n ? BIGINT64 : BIGUINT64);
          this.#room(8);
          if (value < 0n) this.#view.setBigInt64(this.#at, value, true);
          else this.#view.setBigUint64(this.#at, value, true);
          this.#at += 8;
        } else {
          this.#tag(BIGDECIMAL);
          this.#string(value.toString());
        }
        return;
      case 'string':
        this.#string(value);
        return;
      case 'object':
        break;
      default:
        throw new CodecError(`a ${typeof value} cannot cross threads`);
    }
    if (value === null) {
      this.#tag(NULL);
      return;
    }
    if (depth >= MAX_CODEC_DEPTH) throw new CodecError('a value nests too deeply to cross threads');
    if (value instanceof Uint8Array) {
      // Shared memory too: the bytes are copied into the frame, never the view.
      this.#tag(BYTES);
      this.#raw(value);
      return;
    }
    if (ArrayBuffer.isView(value)) {
      const kind = TYPED_KINDS.findIndex((k) => value instanceof k);
      if (kind < 0) throw new CodecError(`a ${value.constructor.name} cannot cross threads`);
      this.#tag(TYPED);
      this.#room(1);
      this.#bytes[this.#at++] = kind;
      this.#raw(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      return;
    }
    if (Array.isArray(value)) {
      this.#tag(ARRAY);
      this.#u32(value.length);
      for (let i = 0; i < value.length; i++) this.#value(value[i], depth + 1);
      return;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(value);
      this.#tag(OBJECT);
      this.#u32(keys.length);
      for (const key of keys) {
        this.#string(key);
        this.#value((value as Record<string, unknown>)[key], depth + 1);
      }
      return;
    }
    if (value instanceof Error) {
      // What a failure's details may hold: its name and message, as text, bounded.
      this.#tag(ERROR);
      this.#string(String(value.name).slice(0, MAX_ERROR_TEXT));
      this.#string(String(value.message).slice(0, MAX_ERROR_TEXT));
      return;
    }
    throw new CodecError(`a ${proto?.constructor?.name ?? 'value'} cannot cross threads`);
  }

  #raw(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    this.#u32(n);
    this.#room(n);
    this.#bytes.set(bytes, this.#at);
    this.#at += n;
  }
}

/** Reads one value from private bytes (the channel copied them out of the shared frame). */
export function decode(bytes: Buffer, length: number): unknown {
  const reader = new Reader(bytes, length);
  const value = reader.value(0);
  if (reader.at !== length) throw new CodecError('a frame has bytes after its value');
  return value;
}

class Reader {
  readonly #view: DataView;
  at = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly end: number,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, end);
  }

  #need(n: number): void {
    if (n < 0 || this.at + n > this.end) throw new CodecError('a frame ends inside a value');
  }

  #u32(): number {
    this.#need(4);
    const n = this.#view.getUint32(this.at, true);
    this.at += 4;
    return n;
  }

  #string(tag: number): string {
    const n = this.#u32();
    const size = tag === UTF16 ? 2 * n : n;
    this.#need(size);
    const start = this.at;
    this.at += size;
    if (tag === UTF16) return this.bytes.toString('utf16le', start, start + size);
    if (n < 32) {
      let s = '';
      for (let i = start; i < start + n; i++) s += String.fromCharCode(this.bytes[i]!);
      return s;
    }
    return this.bytes.toString('latin1', start, start + n);
  }

  /** An error's name or message: a string of at most MAX_ERROR_TEXT code units. */
  #text(): string {
    const text = this.#key();
    if (text.length > MAX_ERROR_TEXT) throw new CodecError("an error's text is too long");
    return text;
  }

  #key(): string {
    this.#need(1);
    const tag = this.bytes[this.at++]!;
    if (tag !== LATIN1 && tag !== UTF16) throw new CodecError('an object key is not a string');
    return this.#string(tag);
  }

  value(depth: number): unknown {
    if (depth > MAX_CODEC_DEPTH) throw new CodecError('a frame nests too deeply');
    this.#need(1);
    const tag = this.bytes[this.at++]!;
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case INT32: {
        this.#need(4);
        const n = this.#view.getInt32(this.at, true);
        this.at += 4;
        return n;
      }
      case FLOAT64: {
        this.#need(8);
        const n = this.#view.getFloat64(this.at, true);
        this.at += 8;
        return n;
      }
      case BIGINT64:
      case BIGUINT64: {
        this.#need(8);
        const n =
          tag === BIGINT64 ? this.#view.getBigInt64(this.at, true) : this.#view.getBigUint64(this.at, true);
        this.at += 8;
        return n;
      }
      case BIGDECIMAL: {
        this.#need(1);
        const digits = this.#string(this.bytes[this.at++]!);
        if (!/^-?\d+$/.test(digits)) throw new CodecError('a BigInt is not a number');
        return BigInt(digits);
      }
      case LATIN1:
      case UTF16:
        return this.#string(tag);
      case BYTES: {
        const n = this.#u32();
        this.#need(n);
        const out = new Uint8Array(n);
        out.set(this.bytes.subarray(this.at, this.at + n));
        this.at += n;
        return out;
      }
      case ARRAY: {
        const n = this.#u32();
        // Each element takes a byte at least: a count past the frame is a lie.
        this.#need(n);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
        return out;
      }
      case OBJECT: {
        const n = this.#u32();
        this.#need(2 * n);
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.#key();
          const value = this.value(depth + 1);
          if (key === '__proto__')
            Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
          else out[key] = value;
        }
        return out;
      }
      case TYPED: {
        this.#need(1);
        const Kind: TypedKind | undefined = TYPED_KINDS[this.bytes[this.at++]!];
        if (!Kind) throw new CodecError('a typed array of an unknown kind');
        const n = this.#u32();
        this.#need(n);
        if (n % Kind.BYTES_PER_ELEMENT !== 0) throw new CodecError('a typed array ends inside an element');
        // Fresh, aligned memory of this thread: the frame's bytes are copied, never viewed.
        const buffer = new ArrayBuffer(n);
        new Uint8Array(buffer).set(this.bytes.subarray(this.at, this.at + n));
        this.at += n;
        return new Kind(buffer);
      }
      case ERROR: {
        const name = this.#text();
        const message = this.#text();
        const error = new Error(message);
        // Own data, no stack of the other thread: the name says what it was.
        Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true });
        error.stack = `${name}: ${message}`;
        return error;
      }
      default:
        throw new CodecError(`a frame has an unknown tag ${tag}`);
    }
  }
}
