/**
 * Strings across the boundary in the three encodings a component may choose (utf8, utf16,
 * latin1+utf16). Lifting checks the range and alignment and admits the bytes (bounded,
 * charged) before it decodes. Lowering a host's string writes exactly the encoded bytes into
 * one allocation of the guest's realloc, as jco's glue does (an empty UTF-8 string takes none):
 * the host presents its string in the callee's own encoding, which the canonical ABI leaves to
 * it. A string one component passes another (an adapter) has its source's encoding and code
 * units, and is lowered with the `realloc` calls definitions.py makes for that pair
 * (`lowerCarried`): they are the callee's code, so the callee sees them.
 *
 * Ill-formed text from a guest (invalid UTF-8, a lone surrogate in UTF-16) is a trap, as the
 * canonical ABI says; a lone surrogate in a host string becomes U+FFFD (what TextEncoder does,
 * and jco's glue did). docs/abi.md.
 */
import { Buffer, constants as bufferConstants, isAscii as bytesAreAscii } from 'node:buffer';
import { KeelError } from '../kernel/errors.js';
import { badValue, type Carried, type Cx, trap } from './context.js';
import type { FuncType, ValType } from './types.js';

const UTF16_TAG = 0x8000_0000;
const MAX_STRING_BYTES = 0x7fff_ffff;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16Decoder = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });

/**
 * What a byte through the decoder (UTF-8 that is not ASCII, UTF-16) costs beyond admitting it,
 * in bytes' worth of the byte price (`byte` = 2 fuel): 8, so 16 fuel more a byte. Node 20's
 * decoder makes two-byte strings at 4-11 ns a byte, against about 0.07 ns per unit of fuel of
 * guest compute: at `byte` alone a non-ASCII string cost the host 21-174x compute per unit of
 * fuel (test/hostile/abi/non-ascii-string-underpriced; docs/fuel.md). ASCII and latin1 are a
 * one-byte copy and pay `byte` only.
 */
export const DECODED_BYTE_WEIGHT = 8;

/**
 * The most bytes one decoder call turns into a string: longer ones are decoded in pieces (the
 * decoder carries a character split between two), so that no piece's string is one of V8's
 * large objects (over 128 KiB: 16 KiB of UTF-8 is at most 32 KiB as UTF-16), each a fresh
 * mapping made and freed per call: a whole 300 KB non-ASCII string decoded at 18-27 ns a byte,
 * in pieces at 3-5 (see ONE_BYTE_PIECE for the one-byte copy).
 */
export const DECODE_PIECE = 1 << 14;
const utf8Encoder = new TextEncoder();

/**
 * Node's one-byte copy of bytes into a string (what `Buffer#toString('latin1')` runs), called on
 * the guest's memory itself: for latin1 strings, and for UTF-8 in ASCII, which is its own UTF-8
 * (it skips the decoder's JavaScript: `fn('shout')` of 1 KiB in and out, metered, 0.78-0.96 of
 * its time; perf-calls-2026-12-06-10.md). Undefined on a Node without it: then the decoder and
 * `String.fromCharCode` do it all, as before.
 */
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;

/**
 * The most bytes one copy turns into a string. Node makes a string of about 1 MB or more
 * (EXTERN_APEX, 0xFBEE9 bytes) an external one, whose bytes live outside V8's heap, where a
 * worker's heap limit (`workers.heapMb`) does not bound them: a guest's list of strings naming one
 * megabyte of its memory many times then filled the worker's process memory instead of ending
 * the worker (test/hostile/isolate/worker-heap-exhaustion). Longer strings are joined from
 * pieces of this size, each on the heap, and each under V8's large-object size (128 KiB): a piece
 * of 256 KiB was a fresh mapping faulted in and unmapped per piece and per call, and a megabyte
 * string lifted per call cost the host 28-88x compute per unit of fuel (64 KiB pieces: about 1x;
 * test/hostile/abi/long-string-large-objects).
 */
export const ONE_BYTE_PIECE = 1 << 16;

/** The most code units a string of this host can have (V8's limit: 2^29 - 24 on 64 bits). */
const MAX_STRING_UNITS = bufferConstants.MAX_STRING_LENGTH;

/** A guest's string longer than the host can make (under a memory limit raised past 512 MiB). */
function tooLong(ptr: number): never {
  return trap(`the string at ${ptr} is longer than a host string can be (${MAX_STRING_UNITS} code units)`);
}

/** The one-byte string of `bytes` bytes at `ptr` (each byte its code unit), on V8's heap. */
function oneByteString(
  slice: (this: Uint8Array, start: number, end: number) => string,
  u8: Uint8Array,
  ptr: number,
  bytes: number,
): string {
  if (bytes > MAX_STRING_UNITS) tooLong(ptr);
  const end = ptr + bytes;
  if (bytes <= ONE_BYTE_PIECE) return slice.call(u8, ptr, end);
  let s = '';
  for (let i = ptr; i < end; i += ONE_BYTE_PIECE) s += slice.call(u8, i, Math.min(end, i + ONE_BYTE_PIECE));
  return s;
}

function decodeUtf8(cx: Cx, u8: Uint8Array, ptr: number, bytes: number): string {
  // Short ASCII strings are common (names, keys): a loop beats TextDecoder's call overhead.
  if (bytes <= 32) {
    let s = '';
    for (let i = ptr, end = ptr + bytes; i < end; i++) {
      const c = u8[i]!;
      if (c >= 0x80) return decodeWith(cx, utf8Decoder, u8, ptr, bytes);
      s += String.fromCharCode(c);
    }
    return s;
  }
  // ASCII bytes are valid UTF-8 with no BOM, and each is its code unit: the fatal decoder's
  // string, made by a one-byte copy. Anything else (invalid input included) goes to the decoder.
  if (latin1Slice !== undefined) {
    if (bytes <= ONE_BYTE_PIECE) {
      // Copied first, then checked: the copy's UTF-8 length is its length exactly when every byte
      // is ASCII (a byte past 0x7f is two bytes of UTF-8). 1 KiB: about 125 ns against 195 for a
      // view made and `isAscii` called on it (its fixed cost dominates at this size). The copy of a
      // string that is not ASCII is thrown away: at most one piece, admitted and charged already.
      const s = latin1Slice.call(u8, ptr, ptr + bytes);
      if (Buffer.byteLength(s) === bytes) return s;
    } else if (bytesAreAscii(u8.subarray(ptr, ptr + bytes)))
      return oneByteString(latin1Slice, u8, ptr, bytes);
  }
  return decodeWith(cx, utf8Decoder, u8, ptr, bytes);
}

/** Decode `bytes` at `ptr` through `decoder` (fatal), charged first (DECODED_BYTE_WEIGHT). */
function decodeWith(cx: Cx, decoder: TextDecoder, u8: Uint8Array, ptr: number, bytes: number): string {
  cx.budget.charge(bytes * DECODED_BYTE_WEIGHT);
  try {
    if (bytes <= DECODE_PIECE) return decoder.decode(u8.subarray(ptr, ptr + bytes));
    let s = '';
    const end = ptr + bytes;
    for (let i = ptr; i < end; i += DECODE_PIECE) {
      const last = i + DECODE_PIECE >= end;
      s += decoder.decode(u8.subarray(i, last ? end : i + DECODE_PIECE), { stream: !last });
    }
    return s;
  } catch (error) {
    // A fatal decoder that failed in the middle of a stream may keep the split character it
    // held: flush it, so that the next string starts clean.
    try {
      decoder.decode();
    } catch {}
    if (error instanceof RangeError || (error as { code?: unknown }).code === 'ERR_STRING_TOO_LONG')
      tooLong(ptr);
    return trap(`the string at ${ptr} is not valid ${decoder.encoding === 'utf-8' ? 'UTF-8' : 'UTF-16'}`);
  }
}

function decodeLatin1(u8: Uint8Array, ptr: number, bytes: number): string {
  if (bytes > MAX_STRING_UNITS) tooLong(ptr);
  // Each byte is its code unit: the one-byte copy is that string (1 KiB: 180 ns, against 43 us
  // for spreading the bytes into String.fromCharCode; perf-calls-2026-12-06-10.md).
  if (latin1Slice !== undefined) return oneByteString(latin1Slice, u8, ptr, bytes);
  let s = '';
  for (let i = ptr, end = ptr + bytes; i < end; i += 4096) {
    s += String.fromCharCode(...u8.subarray(i, Math.min(end, i + 4096)));
  }
  return s;
}

/** Lift a string from `(ptr, tagged code units)`. */
export function liftString(cx: Cx, ptr: number, units: number): string {
  ptr >>>= 0;
  units >>>= 0;
  const carry = cx.carry;
  if (carry !== undefined) carry.units.push(units);
  const mem = cx.opts.mem;
  switch (cx.opts.encoding) {
    case 'utf8': {
      mem.refresh();
      cx.range(ptr, units, 1);
      cx.admit(units);
      return decodeUtf8(cx, mem.u8, ptr, units);
    }
    case 'utf16': {
      const bytes = units * 2;
      mem.refresh();
      cx.range(ptr, bytes, 2);
      cx.admit(bytes);
      return decodeWith(cx, utf16Decoder, mem.u8, ptr, bytes);
    }
    default: {
      if (units & UTF16_TAG) {
        const bytes = (units ^ UTF16_TAG) * 2;
        mem.refresh();
        cx.range(ptr, bytes, 2);
        cx.admit(bytes);
        return decodeWith(cx, utf16Decoder, mem.u8, ptr, bytes);
      }
      mem.refresh();
      cx.range(ptr, units, 2);
      cx.admit(units);
      return decodeLatin1(mem.u8, ptr, units);
    }
  }
}

type WellFormed = string & { isWellFormed(): boolean; toWellFormed(): string };

/** A string as a host value: a string, its lone surrogates (if any) as U+FFFD. */
export function checkString(v: unknown): string {
  if (typeof v !== 'string') badValue(`expected a string, got ${describe(v)}`);
  return (v as WellFormed).isWellFormed() ? v : (v as WellFormed).toWellFormed();
}

/** Lower a string; returns the pointer and sets `lowered.units` (tagged code units). */
export function lowerString(cx: Cx, v: unknown, out: { units: number }): number {
  const source = cx.source;
  if (source !== undefined) return lowerCarried(cx, checkString(v), source, out);
  const encoding = cx.opts.encoding;
  // Short ASCII strings (names, keys, senders): well-formed, one byte per unit, copied in line.
  if (encoding === 'utf8' && typeof v === 'string' && v.length <= SHORT_STRING && isAscii(v))
    return lowerAscii(cx, v, out);
  const s = checkString(v);
  switch (encoding) {
    case 'utf8':
      return lowerUtf8(cx, s, out);
    case 'utf16': {
      const bytes = s.length * 2;
      if (bytes > MAX_STRING_BYTES) trap('the string is too long for the canonical ABI');
      const ptr = cx.alloc(2, bytes);
      writeUtf16(cx, s, ptr);
      out.units = s.length;
      return ptr;
    }
    default: {
      let latin1 = true;
      for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) > 0xff) {
          latin1 = false;
          break;
        }
      }
      if (latin1) {
        const ptr = cx.alloc(2, s.length);
        const u8 = cx.opts.mem.u8;
        if (latin1Write !== undefined) {
          const written = latin1Write.call(u8, s, ptr, s.length);
          if (written !== s.length) incomplete(written, s.length);
        } else for (let i = 0; i < s.length; i++) u8[ptr + i] = s.charCodeAt(i);
        out.units = s.length;
        return ptr;
      }
      const bytes = s.length * 2;
      if (bytes > MAX_STRING_BYTES) trap('the string is too long for the canonical ABI');
      const ptr = cx.alloc(2, bytes);
      writeUtf16(cx, s, ptr);
      out.units = (s.length | UTF16_TAG) >>> 0;
      return ptr;
    }
  }
}

/**
 * Each code unit of `s` at `ptr` as two little-endian bytes: Node's `ucs2Write` on the guest's
 * memory (little-endian on any host), 1,024 units in about 67 ns against 2.8 us for `setUint16`
 * a unit (CPU time, bench/results/perf-string-2026-12-07-16.md); that loop without it.
 */
function writeUtf16(cx: Cx, s: string, ptr: number): void {
  if (ucs2Write !== undefined) {
    const bytes = s.length * 2;
    const written = ucs2Write.call(cx.opts.mem.u8, s, ptr, bytes);
    if (written !== bytes) incomplete(written, bytes);
    return;
  }
  const dv = cx.opts.mem.dv;
  for (let i = 0; i < s.length; i++) dv.setUint16(ptr + i * 2, s.charCodeAt(i), true);
}

/** Strings up to this length are checked for ASCII and copied by hand (no encoder call, no allocation). */
const SHORT_STRING = 64;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function lowerAscii(cx: Cx, s: string, out: { units: number }): number {
  const n = s.length;
  out.units = n;
  if (n === 0) return 1;
  const ptr = cx.alloc(1, n);
  const u8 = cx.opts.mem.u8;
  for (let i = 0; i < n; i++) u8[ptr + i] = s.charCodeAt(i);
  return ptr;
}

/**
 * Node's writes of a string into bytes at an offset (what `Buffer#write` runs), called on the
 * guest's memory itself: the exact UTF-8 length first (`Buffer.byteLength`), one allocation of
 * that size in the guest, then the string written straight into it, with no copy through a host
 * buffer (`fn('shout')` of 1 KiB: about 85 ns against 155 for `encodeInto` into scratch space and
 * a copy; bench/results/perf-string-2026-12-07-16.md). ASCII (its UTF-8 length is its length)
 * is its own UTF-8 and goes through the one-byte write. Undefined on a Node without them: then
 * `TextEncoder` and a copy.
 */
const utf8Write = (
  Buffer.prototype as unknown as {
    utf8Write?: (this: Uint8Array, s: string, offset: number, length: number) => number;
  }
).utf8Write;
const latin1Write = (
  Buffer.prototype as unknown as {
    latin1Write?: (this: Uint8Array, s: string, offset: number, length: number) => number;
  }
).latin1Write;
const ucs2Write = (
  Buffer.prototype as unknown as {
    ucs2Write?: (this: Uint8Array, s: string, offset: number, length: number) => number;
  }
).ucs2Write;

function lowerUtf8(cx: Cx, s: string, out: { units: number }): number {
  const n = s.length;
  if (n === 0) {
    out.units = 0;
    return 1;
  }
  if (utf8Write === undefined || latin1Write === undefined)
    return lowerEncoded(cx, utf8Encoder.encode(s), out);
  // `s` is well-formed (`checkString`): its UTF-8 length is exact, and the write fills it.
  const bytes = Buffer.byteLength(s);
  if (bytes > MAX_STRING_BYTES) trap('the string is too long for the canonical ABI');
  const ptr = cx.alloc(1, bytes);
  const u8 = cx.opts.mem.u8;
  const written = bytes === n ? latin1Write.call(u8, s, ptr, bytes) : utf8Write.call(u8, s, ptr, bytes);
  if (written !== bytes) incomplete(written, bytes);
  out.units = bytes;
  return ptr;
}

/** The guest's bytes past `written` would be its own, not the string's: never handed over as the string. */
function incomplete(written: number, bytes: number): never {
  throw new KeelError('internal', `a string of ${bytes} bytes was lowered as ${written}`, {
    bytes,
    written,
  });
}

/** A carried string longer than its source's units: never written past what was reserved for it. */
function unfit(length: number, units: number): never {
  throw new KeelError('internal', `a carried string of ${length} code units exceeds its source's ${units}`, {
    length,
    units,
  });
}

function lowerEncoded(cx: Cx, encoded: Uint8Array, out: { units: number }): number {
  const bytes = encoded.length;
  if (bytes > MAX_STRING_BYTES) trap('the string is too long for the canonical ABI');
  const ptr = cx.alloc(1, bytes);
  cx.opts.mem.u8.set(encoded, ptr);
  out.units = bytes;
  return ptr;
}

/** Whether a function's parameters or results hold a string anywhere (an adapter then carries them). */
export function holdsString(ft: FuncType): boolean {
  return ft.params.some((p) => hasString(p.type)) || ft.results.some((r) => hasString(r.type));
}

function hasString(t: ValType | undefined): boolean {
  if (t === undefined) return false;
  switch (t.kind) {
    case 'string':
      return true;
    case 'list':
      return hasString(t.element);
    case 'record':
      return t.fields.some((f) => hasString(f.type));
    case 'tuple':
      return t.types.some(hasString);
    case 'variant':
      return t.cases.some((c) => hasString(c.type));
    case 'option':
      return hasString(t.type);
    case 'result':
      return hasString(t.ok) || hasString(t.err);
    default:
      return false;
  }
}

/**
 * A string another component passed, lowered as definitions.py's `store_string_into_range` for
 * its source's encoding and code units and the callee's encoding: the same `realloc` calls, in
 * the same order, with the same arguments, each result checked as it checks it (Wasmtime's
 * strings.wast 122: a callee whose second realloc returns an unaligned pointer must trap).
 */
function lowerCarried(cx: Cx, s: string, source: Carried, out: { units: number }): number {
  const tagged = source.units[source.at++];
  if (tagged === undefined)
    throw new KeelError('internal', 'an adapter lowered more strings than it lifted', {
      lifted: source.units.length,
    });
  let simple: 'utf8' | 'utf16' | 'latin1';
  let n: number;
  if (source.encoding === 'latin1+utf16') {
    simple = tagged & UTF16_TAG ? 'utf16' : 'latin1';
    n = (tagged & ~UTF16_TAG) >>> 0;
  } else {
    simple = source.encoding;
    n = tagged;
  }
  // Its source's units are at least its UTF-16 length (a UTF-8 byte or a code unit each): every
  // store below reserves from them, and a longer string would be written past the reservation.
  if (s.length > n) unfit(s.length, n);
  switch (cx.opts.encoding) {
    case 'utf8':
      if (simple === 'utf8') return storeCopy(cx, s, n, 1, 1, 'utf8', out);
      return storeToUtf8(cx, s, n, simple === 'utf16' ? 3 * n : 2 * n, out);
    case 'utf16':
      if (simple === 'utf8') return storeUtf8ToUtf16(cx, s, n, out);
      return storeCopy(cx, s, n, 2, 2, 'utf16', out);
    default:
      if (source.encoding !== 'latin1+utf16') return storeToLatin1OrUtf16(cx, s, n, out);
      if (simple === 'latin1') return storeCopy(cx, s, n, 1, 2, 'latin1', out);
      return storeProbablyUtf16(cx, s, n, out);
  }
}

function tooLongForAbi(bytes: number): void {
  if (bytes > MAX_STRING_BYTES) trap('the string is too long for the canonical ABI');
}

function writeLatin1(cx: Cx, s: string, ptr: number, from: number): void {
  const u8 = cx.opts.mem.u8;
  for (let i = from; i < s.length; i++) u8[ptr + i] = s.charCodeAt(i);
}

function writeUtf16From(cx: Cx, s: string, ptr: number, from: number): void {
  const dv = cx.opts.mem.dv;
  for (let i = from; i < s.length; i++) dv.setUint16(ptr + i * 2, s.charCodeAt(i), true);
}

/** `store_string_copy`: the exact size, one realloc. */
function storeCopy(
  cx: Cx,
  s: string,
  n: number,
  unit: number,
  align: number,
  encoding: 'utf8' | 'utf16' | 'latin1',
  out: { units: number },
): number {
  const bytes = unit * n;
  tooLongForAbi(bytes);
  const ptr = cx.realloc(0, 0, align, bytes, true);
  // n is the string's UTF-8 length (its source's code units): encoded in place, no copy between.
  // Checked as the other lowerings' writes are: a string that does not fill exactly what was
  // reserved would hand the callee a short string and bytes of its own past it.
  if (encoding === 'utf8') {
    const r = utf8Encoder.encodeInto(s, cx.opts.mem.u8.subarray(ptr, ptr + bytes));
    if (r.read !== s.length || r.written !== bytes) incomplete(r.written, bytes);
  } else {
    // One unit a code unit: a string longer than its source's units would write past the reservation.
    if (s.length !== n) incomplete(unit * s.length, bytes);
    if (encoding === 'utf16') writeUtf16From(cx, s, ptr, 0);
    else writeLatin1(cx, s, ptr, 0);
  }
  out.units = n;
  return ptr;
}

/** `store_string_to_utf8`: one byte a code unit, then the worst case and a shrink at the first non-ASCII one. */
function storeToUtf8(cx: Cx, s: string, n: number, worst: number, out: { units: number }): number {
  let ptr = cx.realloc(0, 0, 1, n, false);
  let u8 = cx.opts.mem.u8;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      u8[ptr + i] = c;
      continue;
    }
    // The ASCII prefix is i code points and i bytes; the rest is copied after the growth.
    tooLongForAbi(worst);
    ptr = cx.realloc(ptr, n, 1, worst, false);
    const encoded = utf8Encoder.encode(s);
    if (encoded.length > worst) incomplete(worst, encoded.length);
    u8 = cx.opts.mem.u8;
    u8.set(encoded.subarray(i), ptr + i);
    if (worst > encoded.length) ptr = cx.realloc(ptr, worst, 1, encoded.length, false);
    out.units = encoded.length;
    return ptr;
  }
  out.units = n;
  return ptr;
}

/** `store_utf8_to_utf16`: the worst case (two bytes a UTF-8 byte), then a shrink. */
function storeUtf8ToUtf16(cx: Cx, s: string, n: number, out: { units: number }): number {
  const worst = 2 * n;
  tooLongForAbi(worst);
  let ptr = cx.realloc(0, 0, 2, worst, true);
  writeUtf16From(cx, s, ptr, 0);
  const bytes = 2 * s.length;
  if (bytes < worst) ptr = cx.realloc(ptr, worst, 2, bytes, true);
  out.units = s.length;
  return ptr;
}

/**
 * `store_string_to_latin1_or_utf16`: Latin-1 guessed (one byte a source code unit); at the first
 * code point past it, the worst case, the prefix inflated in place, the rest as UTF-16 and a
 * shrink; else a shrink to the Latin-1 length if shorter.
 */
function storeToLatin1OrUtf16(cx: Cx, s: string, n: number, out: { units: number }): number {
  let ptr = cx.realloc(0, 0, 2, n, true);
  let u8 = cx.opts.mem.u8;
  // A code unit under 256 is a code point under 256 (surrogates are far above): dst bytes so far = i.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x100) {
      u8[ptr + i] = c;
      continue;
    }
    const worst = 2 * n;
    tooLongForAbi(worst);
    ptr = cx.realloc(ptr, n, 2, worst, true);
    u8 = cx.opts.mem.u8;
    for (let j = i - 1; j >= 0; j--) {
      u8[ptr + 2 * j] = u8[ptr + j]!;
      u8[ptr + 2 * j + 1] = 0;
    }
    writeUtf16From(cx, s, ptr, i);
    const bytes = 2 * s.length;
    if (worst > bytes) ptr = cx.realloc(ptr, worst, 2, bytes, true);
    out.units = (s.length | UTF16_TAG) >>> 0;
    return ptr;
  }
  if (s.length < n) ptr = cx.realloc(ptr, n, 2, s.length, true);
  out.units = s.length;
  return ptr;
}

/**
 * `store_probably_utf16_to_latin1_or_utf16`: UTF-16 from a latin1+utf16 component that chose it,
 * copied as it is; deflated in place to Latin-1 and shrunk (alignment 1, unchecked) if every code
 * point fits.
 */
function storeProbablyUtf16(cx: Cx, s: string, n: number, out: { units: number }): number {
  const bytes = 2 * n;
  tooLongForAbi(bytes);
  let ptr = cx.realloc(0, 0, 2, bytes, true);
  writeUtf16From(cx, s, ptr, 0);
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x100) {
      out.units = (s.length | UTF16_TAG) >>> 0;
      return ptr;
    }
  }
  const u8 = cx.opts.mem.u8;
  for (let i = 0; i < s.length; i++) u8[ptr + i] = u8[ptr + 2 * i]!;
  ptr = cx.realloc(ptr, bytes, 1, s.length, false);
  out.units = s.length;
  return ptr;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
    case 'number':
    case 'boolean':
      return String(v);
    case 'bigint':
      return `${v}n`;
    case 'undefined':
      return 'undefined';
    case 'object':
      return ArrayBuffer.isView(v) ? `a ${v.constructor.name}` : 'an object';
    default:
      return `a ${typeof v}`;
  }
}
