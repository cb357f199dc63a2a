/**
 * The bytes of a value crossing the syscall channel (`channel.ts`). Structured clone (what
 * `postMessage` does) costs microseconds per message even for `{ op, args: [5] }`; a host call
 * crosses twice, so the channel writes its messages itself, in a compact tagged form:
 * `undefined`, `null`, booleans, numbers (int32 or float64, `-0` and NaN kept), BigInts (64-bit,
 * or decimal beyond), strings (Latin-1 or UTF-16 code units: lone surrogates kept), byte arrays,
 * arrays and plain objects. Anything else structured clone can copy (an `Error` in a failure's
 * details, other typed arrays, a `Map`) is written by V8's serializer inside the frame; what it
 * cannot copy (a function, a symbol) is refused here as `postMessage` refused it.
 *
 * Decoding reads bytes the other thread wrote: every length and count is checked against the
 * bytes there are, nesting is bounded, and a key named `__proto__` is an own property, so a
 * forged frame yields a wrong value or an error, never a prototype or a huge allocation.
 */
import { deserialize, serialize } from 'node:v8';

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
const CLONED = 14;

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
    if (value instanceof Uint8Array && !(value.buffer instanceof SharedArrayBuffer)) {
      const n = value.byteLength;
      this.#tag(BYTES);
      this.#u32(n);
      this.#room(n);
      this.#bytes.set(value, this.#at);
      this.#at += n;
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
    // Whatever else structured clone copies; it throws (DataCloneError) on what it cannot.
    let cloned: Buffer;
    try {
      cloned = serialize(value);
    } catch (error) {
      throw new CodecError(error instanceof Error ? error.message : String(error));
    }
    this.#tag(CLONED);
    this.#u32(cloned.length);
    this.#room(cloned.length);
    cloned.copy(this.#bytes, this.#at);
    this.#at += cloned.length;
  }
}

/**
 * A cloned value from the other thread must be what its bytes say: V8's format keeps a sparse
 * array's length as written (19 bytes can say 2^32-1 holes) and keeps shared references (287
 * bytes can say a tree of 2^40 arrays), and the kernel walks what it decodes. So every array is
 * dense, no object is reached twice, and the values reached are at most the bytes read (each
 * takes at least one), within the codec's depth. Walked without recursion.
 */
function checkCloned(root: unknown, bytes: number, depth: number): void {
  const seen = new Set<object>();
  const pending: [unknown, number][] = [[root, depth]];
  let values = 0;
  while (pending.length > 0) {
    const [value, at] = pending.pop()!;
    if (++values > bytes) throw new CodecError('a cloned value holds more values than its bytes');
    if (typeof value !== 'object' || value === null) continue;
    if (seen.has(value)) throw new CodecError('a cloned value reaches one object twice');
    seen.add(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) continue;
    if (at >= MAX_CODEC_DEPTH) throw new CodecError('a value nests too deeply to cross threads');
    const keys = Object.keys(value);
    if (Array.isArray(value) && keys.length !== value.length)
      throw new CodecError('a cloned array has holes');
    if (keys.length > bytes) throw new CodecError('a cloned value holds more values than its bytes');
    for (const key of keys) pending.push([(value as Record<string, unknown>)[key], at + 1]);
    if (value instanceof Map) for (const [k, v] of value) pending.push([k, at + 1], [v, at + 1]);
    else if (value instanceof Set) for (const v of value) pending.push([v, at + 1]);
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
      case CLONED: {
        const n = this.#u32();
        this.#need(n);
        const start = this.at;
        this.at += n;
        let value: unknown;
        try {
          value = deserialize(this.bytes.subarray(start, start + n));
        } catch (error) {
          throw new CodecError(
            `a cloned value cannot be read: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        checkCloned(value, n, depth);
        return value;
      }
      default:
        throw new CodecError(`a frame has an unknown tag ${tag}`);
    }
  }
}
