/**
 * The component model's canonical ABI for AssemblyScript guests (32-bit memory, UTF-8 strings).
 *
 * Generated bindings (see `scripts/as-sdk/bindgen.ts`) call these helpers; guests rarely need
 * them directly. The ownership rules they implement:
 *
 * - Arguments the host passes to an export live in buffers it allocated with `cabi_realloc`;
 *   the guest owns them and frees them once lifted (`take*`).
 * - Results an export returns live in guest buffers until the host has read them; the export's
 *   `cabi_post_*` function frees them (`free*Result`).
 * - Arguments the guest passes to an import are borrowed by the host for the call only
 *   (`lower*` + `release`).
 *
 * Buffers come from the runtime's raw allocator (`heap.alloc`), never from the garbage
 * collector, so a collection can never move or reclaim memory the host is reading.
 */

/** Bytes of a `string` or a `list<T>` in memory: a pointer and a length, 4 bytes each. */
export const SLICE_SIZE: usize = 8;

/**
 * One return area for export results that do not fit a core value (a string, a list). Calls
 * into a component instance never overlap, so one static area is enough.
 */
const RETURN_AREA: usize = memory.data(16, 8);

/** The return area an export writes its `(ptr, len)` result into. */
// @ts-ignore: decorator
@inline
export function returnArea(): usize {
  return RETURN_AREA;
}

/**
 * The allocator the host uses to place arguments in the guest's memory. Exported as
 * `cabi_realloc`. A zero-sized request gets a non-null sentinel that is never freed, so empty
 * strings and lists cost nothing.
 */
export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  // The runtime's blocks are 16-byte aligned; the canonical ABI never asks for more than 8.
  if (align > 16) unreachable();
  if (newSize == 0) {
    if (oldSize != 0) heap.free(oldPtr);
    return align;
  }
  if (oldSize == 0) return heap.alloc(newSize);
  return heap.realloc(oldPtr, newSize);
}

/** Free a buffer this module allocated for `byteLength` bytes (no-op for empty ones). */
// @ts-ignore: decorator
@inline
export function release(ptr: usize, byteLength: usize): void {
  if (byteLength != 0) heap.free(ptr);
}

// ---------------------------------------------------------------------------------------------
// Strings

/** Lift a UTF-8 string the host passed in, and free its buffer. */
export function takeString(ptr: usize, len: usize): string {
  if (len == 0) return "";
  const value = String.UTF8.decodeUnsafe(ptr, len);
  heap.free(ptr);
  return value;
}

/** Read a UTF-8 string without taking ownership of its buffer. */
export function readString(ptr: usize, len: usize): string {
  return len == 0 ? "" : String.UTF8.decodeUnsafe(ptr, len);
}

/**
 * Encode a string as UTF-8 in a fresh buffer and store `(ptr, len)` at `dest`. Unpaired
 * surrogates (which AssemblyScript strings may hold) become U+FFFD, so the host always
 * receives valid Unicode.
 */
export function storeString(dest: usize, value: string): void {
  const units = value.length;
  if (units == 0) {
    store<u32>(dest, 1);
    store<u32>(dest, 0, 4);
    return;
  }
  const size = <usize>String.UTF8.byteLength(value);
  const buffer = heap.alloc(size);
  const written = String.UTF8.encodeUnsafe(
    changetype<usize>(value),
    units,
    buffer,
    false,
    String.UTF8.ErrorMode.REPLACE,
  );
  store<u32>(dest, <u32>buffer);
  store<u32>(dest, <u32>written, 4);
}

/** Free the buffer of a string stored at `at` by `storeString`. */
export function freeString(at: usize): void {
  release(<usize>load<u32>(at), <usize>load<u32>(at, 4));
}

/** Return a string from an export: encode it into the return area and return the area. */
export function returnString(value: string): usize {
  storeString(RETURN_AREA, value);
  return RETURN_AREA;
}

/** `cabi_post_*` for an export returning a string. */
export function freeStringResult(area: usize): void {
  freeString(area);
}

// ---------------------------------------------------------------------------------------------
// Lists of scalars (bool, integers, floats): elements laid out as in an AssemblyScript array

/** Lift a `list<T>` of scalars the host passed in, and free its buffer. */
export function takeList<T>(ptr: usize, len: usize): Array<T> {
  const values = new Array<T>(<i32>len);
  if (len == 0) return values;
  const bytes = len * sizeof<T>();
  memory.copy(values.dataStart, ptr, bytes);
  heap.free(ptr);
  if (isBoolean<T>()) {
    // The canonical ABI reads any non-zero byte as true; AssemblyScript wants exactly 1.
    for (let i: usize = 0; i < len; i++) {
      store<u8>(values.dataStart + i, load<u8>(values.dataStart + i) != 0 ? 1 : 0);
    }
  }
  return values;
}

/** Lift a `list<u8>` the host passed in as bytes, and free its buffer. */
export function takeBytes(ptr: usize, len: usize): Uint8Array {
  const bytes = new Uint8Array(<i32>len);
  if (len == 0) return bytes;
  memory.copy(bytes.dataStart, ptr, len);
  heap.free(ptr);
  return bytes;
}

/** Copy `len` scalars at `src` into a fresh buffer and store `(ptr, len)` at `dest`. */
function storeScalars(dest: usize, src: usize, len: usize, elementSize: usize): void {
  if (len == 0) {
    store<u32>(dest, <u32>elementSize);
    store<u32>(dest, 0, 4);
    return;
  }
  const bytes = len * elementSize;
  const buffer = heap.alloc(bytes);
  memory.copy(buffer, src, bytes);
  store<u32>(dest, <u32>buffer);
  store<u32>(dest, <u32>len, 4);
}

/** Store a `list<T>` of scalars as `(ptr, len)` at `dest`, in a fresh buffer. */
export function storeList<T>(dest: usize, values: Array<T>): void {
  storeScalars(dest, values.dataStart, <usize>values.length, sizeof<T>());
}

/** Store a `list<u8>` as `(ptr, len)` at `dest`, in a fresh buffer. */
export function storeBytes(dest: usize, values: Uint8Array): void {
  storeScalars(dest, values.dataStart, <usize>values.length, 1);
}

/** Free the buffer of a list of scalars stored at `at`. */
export function freeList(at: usize): void {
  release(<usize>load<u32>(at), <usize>load<u32>(at, 4));
}

/** Return a `list<T>` of scalars from an export. */
export function returnList<T>(values: Array<T>): usize {
  storeList<T>(RETURN_AREA, values);
  return RETURN_AREA;
}

/** Return a `list<u8>` from an export. */
export function returnBytes(values: Uint8Array): usize {
  storeBytes(RETURN_AREA, values);
  return RETURN_AREA;
}

/** `cabi_post_*` for an export returning a list of scalars. */
export function freeListResult(area: usize): void {
  freeList(area);
}

// ---------------------------------------------------------------------------------------------
// Lists of strings: an array of (ptr, len) pairs, each pointing at UTF-8 bytes

/** Lift a `list<string>` the host passed in, and free every buffer. */
export function takeStrings(ptr: usize, len: usize): Array<string> {
  const values = new Array<string>(<i32>len);
  for (let i: usize = 0; i < len; i++) {
    const at = ptr + i * SLICE_SIZE;
    values[<i32>i] = takeString(<usize>load<u32>(at), <usize>load<u32>(at, 4));
  }
  release(ptr, len);
  return values;
}

/** Store a `list<string>` as `(ptr, len)` at `dest`, in fresh buffers. */
export function storeStrings(dest: usize, values: Array<string>): void {
  const len = <usize>values.length;
  if (len == 0) {
    store<u32>(dest, 4);
    store<u32>(dest, 0, 4);
    return;
  }
  const buffer = heap.alloc(len * SLICE_SIZE);
  for (let i: usize = 0; i < len; i++) {
    storeString(buffer + i * SLICE_SIZE, values[<i32>i]);
  }
  store<u32>(dest, <u32>buffer);
  store<u32>(dest, <u32>len, 4);
}

/** Free a `list<string>` stored at `at` by `storeStrings`, strings included. */
export function freeStrings(at: usize): void {
  const ptr = <usize>load<u32>(at);
  const len = <usize>load<u32>(at, 4);
  for (let i: usize = 0; i < len; i++) freeString(ptr + i * SLICE_SIZE);
  release(ptr, len);
}

/** Return a `list<string>` from an export. */
export function returnStrings(values: Array<string>): usize {
  storeStrings(RETURN_AREA, values);
  return RETURN_AREA;
}

/** `cabi_post_*` for an export returning a list of strings. */
export function freeStringsResult(area: usize): void {
  freeStrings(area);
}

// ---------------------------------------------------------------------------------------------
// Import arguments: the host only borrows them for the duration of the call. Lower a string
// with `storeString(area, value)`, pass `load<u32>(area)` and `load<u32>(area, 4)`, then
// `freeString(area)` once the import returns.
