/**
 * `wasi:io` (error, poll, streams): Keel's own streams. They carry no authority themselves; a
 * stream exists only when a granted capability (stdout, a file, ...) hands one out.
 */
import { KeelError } from '../kernel/errors.js';
import { type ByteSource, type CapabilityProvider, chargeBytes, type SandboxContext } from './provider.js';
import { wasiIoTypes } from './wit-types.js';

export type { ByteSource } from './provider.js';

/**
 * `wasi:io/error.error`. Not a JavaScript `Error` on purpose: the glue hands a thrown non-Error
 * to the guest as a WIT error value, while a thrown `Error` unwinds the guest. `code` is the
 * `wasi:filesystem` error code when the stream belongs to a file (see `filesystem-error-code`).
 */
export class IoError {
  constructor(
    readonly message: string,
    readonly code?: string,
  ) {}
  toDebugString(): string {
    return this.message;
  }
}

/**
 * Thrown by a sink whose reader has gone away (a closed pipe): the guest's stream reports
 * `closed` (WASI's end of the stream; wasi-libc's `EPIPE`) from then on.
 */
export class StreamClosed extends Error {
  constructor() {
    super('the stream was closed by its reader');
  }
}

/** A sink or source failing an operation: the stream reports `last-operation-failed` (or `closed`). */
function failed(error: unknown): StreamError {
  if (error instanceof IoError) return { tag: 'last-operation-failed', val: error };
  if (error instanceof StreamClosed) return CLOSED;
  throw error;
}

/**
 * A pollable whose readiness is computed on demand; `block` waits by the provider's rule (a
 * real wait is bounded by the call's deadline, see wait.ts). `instant`: the monotonic instant
 * (ns) at which a clock's pollable becomes ready, so that `poll` waits for the earliest.
 * `later`: when the wait can be awaited on the kernel's event loop now (a worker sandbox's
 * call awaited there, `SandboxContext.mayAwait`), a promise that settles once the pollable may
 * be ready; `block` and `poll` then answer with a promise instead of holding the thread.
 */
export class Pollable {
  constructor(
    readonly isReady: () => boolean = () => true,
    readonly wait: () => void = () => {},
    readonly instant?: bigint,
    readonly later?: () => Promise<void> | undefined,
  ) {}
  ready(): boolean {
    return this.isReady();
  }
  block(): void | Promise<void> {
    if (this.isReady()) return;
    const later = this.later?.();
    if (later) return this.#until(later);
    this.wait();
  }

  async #until(later: Promise<void>): Promise<void> {
    await later;
    while (!this.isReady()) {
      const next = this.later?.();
      if (!next) return this.wait();
      await next;
    }
  }
}

function readyOf(pollables: Pollable[]): Uint32Array {
  const ready: number[] = [];
  for (let i = 0; i < pollables.length; i++) if (pollables[i]!.ready()) ready.push(i);
  return Uint32Array.from(ready);
}

/**
 * What `poll` waits for, when it can wait on the event loop: every pollable that is not a
 * clock's, and of the clocks' only the one due first (a list of many clocks arms one timer, not
 * one each, however often the guest polls it). Undefined when none can be awaited.
 */
function awaited(pollables: Pollable[]): Promise<void> | undefined {
  const waits: Promise<void>[] = [];
  let clock: Pollable | undefined;
  const seen = new Set<Pollable>();
  for (const p of pollables) {
    if (seen.has(p)) continue;
    seen.add(p);
    if (p.instant !== undefined) {
      if (clock === undefined || p.instant < clock.instant!) clock = p;
      continue;
    }
    const later = p.later?.();
    if (later) waits.push(later);
  }
  const due = clock?.later?.();
  if (due) waits.push(due);
  if (waits.length === 0) return undefined;
  return waits.length === 1 ? waits[0] : Promise.race(waits);
}

async function pollLater(pollables: Pollable[], first: Promise<void>): Promise<Uint32Array> {
  let wait: Promise<void> | undefined = first;
  for (;;) {
    await wait;
    const ready = readyOf(pollables);
    if (ready.length > 0) return ready;
    wait = awaited(pollables);
    if (!wait) return readyOf(pollables);
  }
}

/**
 * What each pollable handed to `poll` costs beyond the borrow the canonical ABI lifts, in bytes'
 * worth of `byte`: the host asks each whether it is ready (a clock's reads the clock, 100-200 ns)
 * and the borrow's lift is a handle table's lookup; 5,000 ready pollables polled cost the host
 * 20-170x compute per unit of fuel at the borrow's 144 (test/hostile/caps/poll-many-pollables-flood).
 */
export const POLLABLE_BYTES = 512;

export function poll(pollables: Pollable[]): Uint32Array | Promise<Uint32Array> {
  // WASI traps on an empty list (as Wasmtime does): the guest's misuse, never the host's `internal`.
  if (pollables.length === 0) {
    throw new KeelError('trap', 'wasi:io/poll#poll: the list of pollables is empty', {
      import: 'wasi:io/poll#poll',
      reason: 'empty-list',
    });
  }
  const ready = readyOf(pollables);
  if (ready.length > 0) return ready;
  // Awaitable on the event loop (a worker sandbox's call awaited there): the guest sleeps on its
  // channel until the first of them settles.
  const wait = awaited(pollables);
  if (wait) return pollLater(pollables, wait);
  // Wait for the one that is due first (the first, when none says when).
  let first = pollables[0]!;
  for (const p of pollables) {
    if (p.instant !== undefined && (first.instant === undefined || p.instant < first.instant)) first = p;
  }
  first.block();
  return readyOf(pollables);
}

export type StreamError = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };
const CLOSED: StreamError = { tag: 'closed' };

/** Where an output stream's bytes go. `write` may accept fewer bytes than given (returns count). */
export interface ByteSink {
  /** Take all of `bytes` (at most the last `capacity()`). May throw an `IoError`. */
  write(bytes: Uint8Array): void;
  /** Bytes the sink accepts right now (the stream's `check-write`). */
  capacity(): bigint;
  close?(): void;
}

/** Largest single write a stream advertises; guests loop for more. */
const WRITE_BUDGET = 1n << 20n;

export class OutputStream {
  #sink: ByteSink;
  /**
   * Charged for the bytes the host makes or moves for the guest (`write-zeroes`, `splice`): a
   * sink takes every write as paid for where the guest passed it.
   */
  readonly #context: Pick<SandboxContext, 'charge'>;
  #closed = false;

  constructor(sink: ByteSink, context: Pick<SandboxContext, 'charge'>) {
    this.#sink = sink;
    this.#context = context;
  }

  checkWrite(): bigint {
    if (this.#closed) throw CLOSED;
    const capacity = this.#sink.capacity();
    return capacity < WRITE_BUDGET ? capacity : WRITE_BUDGET;
  }

  write(contents: Uint8Array): void {
    if (this.#closed) throw CLOSED;
    try {
      this.#sink.write(contents);
    } catch (error) {
      // A reader that went away does not come back: the stream stays closed.
      if (error instanceof StreamClosed) this.#closed = true;
      throw failed(error);
    }
  }

  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }

  flush(): void {
    if (this.#closed) throw CLOSED;
  }

  blockingFlush(): void {
    this.flush();
  }

  subscribe(): Pollable {
    return new Pollable();
  }

  writeZeroes(length: bigint): void {
    if (this.#closed) throw CLOSED;
    const size = Number(length > WRITE_BUDGET ? WRITE_BUDGET : length);
    // The guest passed a number, not the bytes: they are charged as if it had, before they are made.
    chargeBytes(this.#context, size);
    this.write(new Uint8Array(size));
  }

  blockingWriteZeroesAndFlush(length: bigint): void {
    this.writeZeroes(length);
  }

  /**
   * Priced as a `read` and a `write` of the same bytes would be: the source and the sink price
   * their own work, and each byte is charged as read's result lowered into the guest and as
   * write's argument lifted from it are, which the canonical ABI never sees here (redteam16:
   * 4 fuel a byte less than read and write; `test/hostile/caps/splice-write-unpriced`).
   */
  splice(source: InputStream, length: bigint): bigint {
    if (this.#closed) throw CLOSED;
    const bytes = source.read(length);
    chargeBytes(this.#context, 2 * bytes.length);
    this.write(bytes);
    return BigInt(bytes.length);
  }

  blockingSplice(source: InputStream, length: bigint): bigint {
    return this.splice(source, length);
  }

  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink.close?.();
  }
}

export class InputStream {
  #source: ByteSource;
  #closed = false;

  constructor(source: ByteSource) {
    this.#source = source;
  }

  /** What is there now, possibly nothing (WASI's non-blocking `read`). */
  read(length: bigint): Uint8Array {
    if (this.#closed) throw CLOSED;
    if (length > 0n && !this.#ready()) return new Uint8Array();
    return this.blockingRead(length);
  }

  /** At least one byte, waiting for it if need be (or the end of the stream). */
  blockingRead(length: bigint): Uint8Array {
    if (this.#closed) throw CLOSED;
    const max = Number(length > WRITE_BUDGET ? WRITE_BUDGET : length);
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.#source.read(max);
    } catch (error) {
      throw failed(error);
    }
    if (bytes === undefined) throw CLOSED;
    return bytes;
  }

  skip(length: bigint): bigint {
    return BigInt(this.read(length).length);
  }

  blockingSkip(length: bigint): bigint {
    return BigInt(this.blockingRead(length).length);
  }

  subscribe(): Pollable {
    const source = this.#source;
    if (!source.ready) return new Pollable();
    return new Pollable(
      () => this.#ready(),
      () => {
        try {
          source.wait?.();
        } catch (error) {
          // A failing source is ready: the next read reports the failure.
          if (!(error instanceof IoError)) throw error;
        }
      },
    );
  }

  #ready(): boolean {
    try {
      return this.#source.ready?.() ?? true;
    } catch (error) {
      // A failing source is ready: the read reports the failure.
      if (error instanceof IoError) return true;
      throw error;
    }
  }

  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#source.close?.();
  }
}

/** A source over a fixed byte array (stdin from the invocation's input). */
export function bytesSource(data: Uint8Array): ByteSource {
  let offset = 0;
  return {
    read(max) {
      if (offset >= data.length) return undefined;
      const chunk = data.slice(offset, offset + max);
      offset += chunk.length;
      return chunk;
    },
  };
}

export const wasiIo: CapabilityProvider = {
  name: 'wasi-io',
  interfaces: ['wasi:io/error', 'wasi:io/poll', 'wasi:io/streams'],
  wit: wasiIoTypes,
  authorityFree: ['wasi:io/error', 'wasi:io/poll', 'wasi:io/streams'],
  link({ interface: iface, context }) {
    switch (iface) {
      case 'wasi:io/error':
        return { Error: IoError };
      case 'wasi:io/poll':
        return {
          Pollable,
          poll: (pollables: Pollable[]) => {
            chargeBytes(context, pollables.length * POLLABLE_BYTES);
            return poll(pollables);
          },
        };
      default:
        return { InputStream, OutputStream };
    }
  },
};
