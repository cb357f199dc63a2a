/**
 * A host file descriptor as a guest's input stream (the CLI's stdin: a terminal, a pipe or a
 * file), read as the guest asks for it: never read whole before the run, at most one chunk per
 * read, nothing buffered ahead.
 *
 * An inline sandbox runs on the kernel's thread, so a read that waits for input holds that
 * thread. To keep that wait bounded, a terminal or pipe is reopened non-blocking (through
 * `/proc/self/fd/N`: a new open file description, so the mode of the descriptor the process
 * shares with its shell is left alone) and polled: a read that finds nothing sleeps briefly
 * (1 ms, doubling up to 16 ms) and tries again until input arrives, the end of the stream, or
 * the longest wait allowed passes (the kernel passes the call's time left before its deadline
 * to each read; `maxWaitMs` can bound it further), which fails the read with `timeout`. A regular
 * file is read directly (it never waits). Where reopening is impossible (no `/proc`, a socket),
 * the descriptor is read as it is: a blocking read then waits for as long as its writer takes.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { KeelError } from '../kernel/errors.js';
import { type ByteSource, IoError } from './wasi-io.js';

export interface FdSourceOptions {
  /** Largest read at once, in bytes (default 64 KiB). */
  chunkBytes?: number;
  /**
   * The longest one read may wait for input, in ms, asked at each wait (default: no bound of
   * its own; the kernel's `wasi:cli/stdin` passes each read the call's time left anyway).
   */
  maxWaitMs?: () => number;
  /** Close `fd` when the source is closed (default false: the caller owns it). */
  closeFd?: boolean;
}

const DEFAULT_CHUNK = 64 * 1024;
const MAX_SLEEP_MS = 16;
/**
 * After a look that found no input, how long `ready` answers "not yet" without looking again. A
 * look is a system call that fails (an exception in Node), priced as nothing but the guest's
 * call: a guest spinning on `pollable.ready` of an idle stdin cost the host about 180 µs of CPU
 * a call for 5,000 fuel (600x compute). Input arriving meanwhile is seen at most this much later.
 */
const QUIET_MS = 1;

/**
 * A `ByteSource` over a host file descriptor. `read` waits for at least one byte (or the end);
 * `ready` says, without waiting, whether it has input; `wait` waits until it has.
 *
 * ```ts
 * await kernel.spawn(module, { grants: ['wasi:cli/stdin'], io: { stdin: fdSource(0) } });
 * ```
 */
export function fdSource(fd: number, options: FdSourceOptions = {}): ByteSource {
  const chunk = options.chunkBytes ?? DEFAULT_CHUNK;
  const maxWaitMs = options.maxWaitMs ?? (() => Number.POSITIVE_INFINITY);
  let input: { fd: number; owned: boolean; polled: boolean } | undefined;
  /** What a non-blocking attempt found and nobody took yet. */
  let pending: Uint8Array | 'end' | undefined;
  let closed = false;
  /** Until when `ready` answers "not yet" without looking (see QUIET_MS). */
  let quietUntil = 0;
  /** What each attempt reads into (one buffer, not a fresh one per attempt); its bytes are copied out. */
  let scratch: Uint8Array | undefined;

  const open = () => {
    input ??= openPolled(fd);
    return input;
  };

  /** One attempt: bytes, the end, or nothing yet (a polled descriptor had no input). */
  const attempt = (max: number): Uint8Array | 'end' | undefined => {
    if (pending !== undefined) {
      const found = pending;
      if (found === 'end' || found.length <= max) pending = undefined;
      else {
        pending = found.subarray(max);
        return found.slice(0, max);
      }
      return found;
    }
    if (closed) return 'end';
    const { fd: from } = open();
    const size = Math.max(1, Math.min(max, chunk));
    if (scratch === undefined || scratch.length < size) scratch = new Uint8Array(size);
    try {
      const n = readSync(from, scratch, 0, size, null);
      return n === 0 ? 'end' : scratch.slice(0, n);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return undefined;
      if (code === 'EOF') return 'end';
      throw new IoError(`input: ${code ?? (error as Error).message}`);
    }
  };

  const waitFor = (max: number, callerMs = Number.POSITIVE_INFINITY): Uint8Array | 'end' => {
    const started = performance.now();
    let sleep = 1;
    for (;;) {
      const found = attempt(max);
      if (found !== undefined) return found;
      const limit = Math.min(maxWaitMs(), callerMs);
      const waited = performance.now() - started;
      if (waited >= limit) {
        throw new KeelError('timeout', `no input within ${Math.round(limit)} ms`, {
          waitedMs: Math.round(waited),
        });
      }
      pause(Math.min(sleep, limit - waited));
      sleep = Math.min(sleep * 2, MAX_SLEEP_MS);
    }
  };

  return {
    read(max, waitMs) {
      if (max <= 0) return new Uint8Array();
      const found = waitFor(max, waitMs);
      return found === 'end' ? undefined : found;
    },
    ready() {
      if (pending === undefined) {
        if (performance.now() < quietUntil) return false;
        pending = attempt(chunk);
        if (pending === undefined) quietUntil = performance.now() + QUIET_MS;
      }
      return pending !== undefined;
    },
    wait(waitMs) {
      if (pending === undefined) pending = waitFor(chunk, waitMs);
    },
    close() {
      if (closed) return;
      closed = true;
      if (input?.owned) closeQuietly(input.fd);
      if (options.closeFd) closeQuietly(fd);
    },
  };
}

/** The descriptor to read: a non-blocking reopening of a pipe or terminal, else `fd` itself. */
function openPolled(fd: number): { fd: number; owned: boolean; polled: boolean } {
  let stats: ReturnType<typeof fstatSync>;
  try {
    stats = fstatSync(fd);
  } catch (error) {
    throw new IoError(`input: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (stats.isFile() || stats.isBlockDevice() || stats.isDirectory())
    return { fd, owned: false, polled: false };
  try {
    const reopened = openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
    return { fd: reopened, owned: true, polled: true };
  } catch {
    return { fd, owned: false, polled: false };
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function pause(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}
