/**
 * The guest's linear memory as preview1 functions see it. Every pointer and length from the
 * guest is checked here before anything is read or written: out of bounds, overflowing 2^32,
 * or misaligned for the type it points at is a `trap` (Wasmtime's preview1 traps the same cases;
 * EFAULT is never returned). Bytes the guest hands to the host are bounded (`limits.hostArgBytes`
 * for each array or buffer) and charged to its fuel here, in one place, before they are read, copied or decoded.
 */
import { EVENTS } from '../../events/names.js';
import { KeelError } from '../../kernel/errors.js';
import { chargeBytes, type SandboxContext } from '../provider.js';
import { E } from './abi.js';
import { errno } from './errno.js';

const MAX_U32 = 0xffff_ffff;
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
/** The views before the first access (shared: every access checks the range first, and nothing fits in these). */
const NO_VIEW = new DataView(new ArrayBuffer(0));
const NO_BYTES = new Uint8Array(0);

export class GuestMemory {
  /** The function being served, named in trap messages. */
  current = '';
  #memory: WebAssembly.Memory | undefined;
  #buffer: ArrayBuffer | undefined;
  #view: DataView = NO_VIEW;
  #bytes: Uint8Array = NO_BYTES;

  constructor(readonly context: SandboxContext) {}

  /**
   * Admit an array or a buffer of `bytes` that the guest hands the host (an iovec array, a
   * subscription array, a buffer to write, a path), before the host reads, copies or decodes
   * it: the one place preview1 bounds and prices argument bytes. Each is bounded by
   * `limits.hostArgBytes`, as a component's host call is: past it the call is refused with
   * `resource-limit` (and a `resource:limit` event; the sandbox is poisoned), never read. What is
   * admitted is charged at the price of bytes crossing the boundary. (A write's buffer is cut
   * to `hostArgBytes` before it is admitted: a short write, never the error.)
   */
  admit(bytes: number): void {
    const max = this.context.limits.hostArgBytes;
    if (bytes > max) {
      const details = { limit: 'hostArgBytes', max, bytes, import: this.current };
      this.context.emit({ event: EVENTS.resourceLimit, level: 'warn', status: 'denied', data: details });
      throw new KeelError(
        'resource-limit',
        `the guest passed ${this.current} more than ${max} bytes (limits.hostArgBytes); the call was refused before the host read them`,
        details,
      );
    }
    chargeBytes(this.context, bytes);
  }

  /** The instance's exported `memory` (none: every access traps). */
  bind(memory: WebAssembly.Memory | undefined): void {
    this.#memory = memory;
    this.#buffer = undefined;
  }

  #refresh(): void {
    const memory = this.#memory;
    if (!memory) throw this.trap('the module exports no memory named "memory"');
    const buffer = memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer as ArrayBuffer;
      this.#view = new DataView(buffer);
      this.#bytes = new Uint8Array(buffer);
    }
  }

  trap(reason: string): KeelError {
    return new KeelError('trap', `WASI preview1 ${this.current}: ${reason}`, {
      function: this.current,
      reason,
    });
  }

  /** Check `[ptr, ptr + length)` lies in memory and `ptr` is aligned; returns `ptr` as unsigned. */
  check(pointer: number, length: number, align = 1): number {
    this.#refresh();
    const ptr = pointer >>> 0;
    const len = length >>> 0;
    if (ptr + len > MAX_U32 + 1)
      throw this.trap(`pointer ${ptr} + length ${len} overflows the address space`);
    if (ptr + len > this.#bytes.length) {
      throw this.trap(
        `pointer ${ptr} + length ${len} is outside linear memory (${this.#bytes.length} bytes)`,
      );
    }
    if (ptr % align !== 0) throw this.trap(`pointer ${ptr} is not aligned to ${align} bytes`);
    return ptr;
  }

  // Each accessor checks first: `check` may replace the view (the memory grew).
  u8(ptr: number): number {
    const at = this.check(ptr, 1);
    return this.#view.getUint8(at);
  }
  u16(ptr: number): number {
    const at = this.check(ptr, 2, 2);
    return this.#view.getUint16(at, true);
  }
  u32(ptr: number): number {
    const at = this.check(ptr, 4, 4);
    return this.#view.getUint32(at, true);
  }
  u64(ptr: number): bigint {
    const at = this.check(ptr, 8, 8);
    return this.#view.getBigUint64(at, true);
  }
  setU8(ptr: number, value: number): void {
    const at = this.check(ptr, 1);
    this.#view.setUint8(at, value);
  }
  setU16(ptr: number, value: number): void {
    const at = this.check(ptr, 2, 2);
    this.#view.setUint16(at, value, true);
  }
  setU32(ptr: number, value: number): void {
    const at = this.check(ptr, 4, 4);
    this.#view.setUint32(at, value, true);
  }
  setU64(ptr: number, value: bigint): void {
    const at = this.check(ptr, 8, 8);
    this.#view.setBigUint64(at, BigInt.asUintN(64, value), true);
  }

  /** A view of guest bytes (valid until the guest runs again or memory grows). */
  view(ptr: number, length: number): Uint8Array {
    const at = this.check(ptr, length);
    return this.#bytes.subarray(at, at + (length >>> 0));
  }

  /** A copy of guest bytes, admitted (bounded and charged) before it is made. */
  copyOut(ptr: number, length: number): Uint8Array {
    const source = this.view(ptr, length);
    this.admit(source.length);
    return source.slice();
  }

  /** Write `data` at `ptr` (the whole range is checked first). */
  copyIn(ptr: number, data: Uint8Array): void {
    const at = this.check(ptr, data.length);
    this.#bytes.set(data, at);
  }

  /**
   * A guest string (a path): checked, charged per byte, decoded as UTF-8 with invalid bytes made
   * U+FFFD, which the filesystem provider refuses in any name (EILSEQ, as Wasmtime answers, and
   * the same `capability:denied` event as through WASI 0.2, whose glue decodes the same way).
   * Longer than `max` bytes is ENAMETOOLONG before anything is decoded.
   */
  string(ptr: number, length: number, max: number): string {
    const bytes = this.view(ptr, length);
    if (bytes.length > max) throw errno(E.NAMETOOLONG);
    this.admit(bytes.length);
    // A shared memory's bytes cannot be decoded in place.
    return utf8.decode(bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice());
  }
}
