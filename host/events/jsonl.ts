/**
 * The JSONL sink: one line per event, schema v1 (host/events/line.ts), written asynchronously
 * so that a slow disk never stalls a guest, with its memory bounded whatever the guest does.
 *
 * - Lines wait in one buffer of at most `maxBufferBytes`; one write is in flight at a time and
 *   takes everything waiting. Past the cap a line is dropped and counted; once the buffer has
 *   drained, one `log:dropped` event carries the count (and is itself written).
 * - Back-pressure: over half the cap the sink is `congested`; the kernel's asynchronous entry
 *   points (`invoke`, `spawn`, the scheduler between deliveries) wait for `drained()` (a quarter
 *   of the cap) before they run more guest code. A destination that makes no progress for
 *   `stallMs` is not waited for (lines over the cap are then dropped and counted).
 * - A destination that fails (a directory, no permission, disk full, a closed pipe) ends the
 *   log, never the process: a path that cannot be opened throws `log-failed` at once; a failed
 *   write emits one `log:error` event, and what follows is counted as dropped. `close()` never
 *   hangs.
 */
import { KeelError } from '../kernel/errors.js';
import type { Backpressure, EventBus } from './bus.js';
import { type ChunkWriter, openLogFile } from './file.js';
import { eventLine } from './line.js';
import { EVENTS } from './names.js';
import type { EventInput, KeelEvent } from './record.js';

/** A writable destination: a Node stream, a pino/sonic-boom destination, or any `{ write(line) }`. */
export interface LogStream {
  write(chunk: string, callback?: (error?: Error | null) => void): unknown;
  on?(event: string, listener: (...args: any[]) => void): unknown;
  once?(event: string, listener: (...args: any[]) => void): unknown;
}

export interface JsonlSinkOptions {
  /** A file path (appended to, created with its parent directories) or a stream. */
  destination: string | LogStream;
  /** Write each line before `write` returns (tests, crash-proof logs). Default false. */
  sync?: boolean;
  /** Most bytes of lines held in memory, written or not yet; past it lines are dropped and counted. Default 8 MiB. */
  maxBufferBytes?: number;
  /** A destination that finishes no write for this long is given up on for back-pressure and `close`. Default 5,000 ms. */
  stallMs?: number;
}

export interface JsonlSinkStats {
  /** Lines handed to the destination and acknowledged. */
  lines: number;
  /** Lines dropped: the buffer was full, or the destination had failed. */
  dropped: number;
  /** Bytes buffered now (waiting and in flight). */
  bufferedBytes: number;
  /** The most bytes ever buffered at once (never more than `maxBufferBytes`). */
  peakBufferedBytes: number;
  /** The failure that ended the log, if any. */
  failure?: KeelError;
}

export const DEFAULT_LOG_BUFFER_BYTES = 8 * 1024 * 1024;
export const DEFAULT_LOG_STALL_MS = 5_000;
/** Waiting lines start a write at once (instead of at the next turn of the event loop) past this. */
const CHUNK_BYTES = 64 * 1024;
/** Lines are encoded together, this many characters at a time (fewer under a small cap). */
const TEXT_CHARS = 16 * 1024;
/** Room kept for the `log:dropped` line, so that the report of a drop is never itself dropped. */
const REPORT_RESERVE = 1024;

export class JsonlSink implements Backpressure {
  readonly #writer: ChunkWriter;
  readonly #sync: boolean;
  readonly #cap: number;
  readonly #stallMs: number;
  readonly #path: string | undefined;
  #bus: EventBus | undefined;
  #detach: (() => void)[] = [];
  #session = '';
  /** Lines waiting, encoded, in chunks of whole lines (off the JS heap, counted exactly). */
  #chunks: Buffer[] = [];
  /**
   * The latest lines, not yet encoded: one string, encoded in one go when it reaches
   * `#textLimit` characters (encoding line by line cost a third of a line's time). Counted in
   * `#pendingBytes` at its worst case (3 bytes a character) until encoded.
   */
  #text = '';
  #textChars = 0;
  #textWorst = 0;
  readonly #textLimit: number;
  /** Bytes waiting: the encoded chunks plus the worst case of `#text`. */
  #pendingBytes = 0;
  #pendingLines = 0;
  #inFlightBytes = 0;
  #inFlightLines = 0;
  #writing = false;
  #writeStartedAt = 0;
  #scheduled = false;
  #lines = 0;
  #dropped = 0;
  /** Drops not yet reported by a `log:dropped` event. */
  #unreported = 0;
  #peak = 0;
  #failure: KeelError | undefined;
  #stalled = false;
  #stallTimer: NodeJS.Timeout | undefined;
  /** Waiting for `drained()` (below a quarter of the cap) or for `close()` (nothing left). */
  #waiters: Waiter[] = [];
  #closed = false;

  constructor(options: JsonlSinkOptions) {
    const cap = options.maxBufferBytes ?? DEFAULT_LOG_BUFFER_BYTES;
    if (!Number.isSafeInteger(cap) || cap < 4 * REPORT_RESERVE) {
      throw new KeelError(
        'invalid-argument',
        `the log's maxBufferBytes must be an integer of at least ${4 * REPORT_RESERVE}, got ${cap}`,
      );
    }
    this.#cap = cap;
    this.#textLimit = Math.min(TEXT_CHARS, Math.floor(cap / 96));
    this.#stallMs = options.stallMs ?? DEFAULT_LOG_STALL_MS;
    this.#sync = options.sync ?? false;
    if (typeof options.destination === 'string') {
      this.#path = options.destination;
      this.#writer = openLogFile(options.destination);
    } else {
      this.#writer = streamWriter(options.destination, (error) => this.#fail(error));
    }
  }

  /** Subscribe to every event on `bus`, after all other hooks, and give the bus back-pressure. */
  attach(bus: EventBus): this {
    this.#bus = bus;
    this.#detach.push(
      bus.subscribe('*', (event) => this.write(event), { priority: -1000, name: 'jsonl' }),
      bus.addBackpressure(this),
    );
    return this;
  }

  get stats(): JsonlSinkStats {
    return {
      lines: this.#lines,
      dropped: this.#dropped,
      bufferedBytes: this.#pendingBytes + this.#inFlightBytes,
      peakBufferedBytes: this.#peak,
      ...(this.#failure ? { failure: this.#failure } : {}),
    };
  }

  write(event: KeelEvent): void {
    if (this.#closed || this.#failure) {
      if (!isOwnReport(event)) this.#dropped++;
      return;
    }
    this.#session = event.session;
    const line = eventLine(event);
    if (this.#sync) {
      this.#writeNow(line);
      return;
    }
    if (!this.#append(line, event.event === EVENTS.logDropped ? this.#cap : this.#cap - REPORT_RESERVE)) {
      this.#dropped++;
      this.#unreported++;
      return;
    }
    this.#pendingLines++;
    const buffered = this.#pendingBytes + this.#inFlightBytes;
    if (buffered > this.#peak) this.#peak = buffered;
    if (this.#writing) return;
    if (this.#pendingBytes >= CHUNK_BYTES) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flush();
      });
    }
  }

  /** Over half the cap while the destination makes progress: producers should wait for `drained()`. */
  get congested(): boolean {
    return (
      !this.#stalled &&
      this.#failure === undefined &&
      this.#pendingBytes + this.#inFlightBytes > this.#cap / 2
    );
  }

  /** Resolves when the buffer is under a quarter of the cap, the log failed, or the destination stalled. */
  drained(): Promise<void> {
    if (!this.congested) return Promise.resolve();
    return this.#wait(false);
  }

  /** Write what is buffered (and a `log:dropped` count if lines were dropped), detach, close the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#finish();
    if (this.#unreported > 0) {
      if (this.#failure || this.#stalled) {
        // Hooks hear of the drops; the log itself cannot take the report.
        this.#closed = true;
        this.#reportDrops();
      } else {
        this.#reportDrops();
        await this.#finish();
      }
    }
    this.#closed = true;
    for (const detach of this.#detach) detach();
    this.#detach = [];
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    this.#writer.close();
  }

  /** Write everything waiting; a stalled destination is given up on (what it did not take is counted as dropped). */
  async #finish(): Promise<void> {
    this.#flush();
    if (!this.#stalled && !this.#failure && (this.#writing || this.#pendingLines > 0)) await this.#wait(true);
    if (this.#stalled) {
      this.#dropped += this.#pendingLines + this.#inFlightLines;
      this.#clearPending();
      this.#inFlightBytes = 0;
      this.#inFlightLines = 0;
    }
  }

  /**
   * Keep `line` for writing, counted in `#pendingBytes`; false (nothing kept) when it would take
   * the buffer past `room`. The common case appends it to `#text`, counted at its worst case;
   * a line that may not fit that way, or a long one, is encoded at once and counted exactly, so
   * that a line is dropped only when its bytes really do not fit.
   */
  #append(line: string, room: number): boolean {
    const worst = line.length * 3;
    if (worst <= room - this.#pendingBytes - this.#inFlightBytes && line.length < this.#textLimit) {
      this.#text += line;
      this.#textChars += line.length;
      this.#textWorst += worst;
      this.#pendingBytes += worst;
      if (this.#textChars >= this.#textLimit) this.#encodeText();
      return true;
    }
    this.#encodeText();
    const free = room - this.#pendingBytes - this.#inFlightBytes;
    if (line.length > free) return false;
    const own = Buffer.from(line, 'utf8');
    if (own.length > free) return false;
    this.#chunks.push(own);
    this.#pendingBytes += own.length;
    return true;
  }

  /** Encode `#text` into a chunk of its own, counted exactly from now on. */
  #encodeText(): void {
    if (this.#textChars === 0) return;
    const chunk = Buffer.from(this.#text, 'utf8');
    this.#chunks.push(chunk);
    this.#pendingBytes += chunk.length - this.#textWorst;
    this.#text = '';
    this.#textChars = 0;
    this.#textWorst = 0;
  }

  #writeNow(line: string): void {
    try {
      if (this.#writer.writeSync(line)) this.#lines++;
      else {
        this.#dropped++;
        this.#unreported++;
      }
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  #flush(): void {
    if (this.#writing || this.#pendingLines === 0 || this.#failure) return;
    this.#encodeText();
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#inFlightBytes = this.#pendingBytes;
    this.#inFlightLines = this.#pendingLines;
    this.#pendingBytes = 0;
    this.#pendingLines = 0;
    this.#writing = true;
    this.#writeStartedAt = Date.now();
    let settled = false;
    try {
      this.#writer.write(chunks, (error) => {
        if (settled) return;
        settled = true;
        this.#written(error ?? undefined);
      });
    } catch (error) {
      if (!settled) {
        settled = true;
        this.#written(error as Error);
      }
    }
  }

  #written(error: Error | undefined): void {
    this.#writing = false;
    if (error) {
      this.#fail(error);
      return;
    }
    this.#lines += this.#inFlightLines;
    this.#inFlightBytes = 0;
    this.#inFlightLines = 0;
    this.#stalled = false;
    this.#flush();
    this.#settle();
  }

  /** Wake whoever waits for what has now happened; report drops once there is room again. */
  #settle(): void {
    if (
      this.#unreported > 0 &&
      !this.#closed &&
      !this.#failure &&
      this.#pendingBytes + this.#inFlightBytes <= this.#cap / 4
    ) {
      this.#reportDrops();
    }
    // Read after the report: it is a line to write too.
    const buffered = this.#pendingBytes + this.#inFlightBytes;
    const idle = !this.#writing && this.#pendingLines === 0;
    const finished = this.#failure !== undefined || this.#stalled;
    if (this.#waiters.length === 0) return;
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (finished || (waiter.idle ? idle : buffered <= this.#cap / 4)) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
    if (waiting.length === 0) {
      clearTimeout(this.#stallTimer);
      this.#stallTimer = undefined;
    }
  }

  #wait(idle: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ idle, resolve });
      this.#watchStall();
    });
  }

  /** While someone waits: a write in flight for `stallMs` marks the destination stalled. */
  #watchStall(): void {
    if (this.#stallTimer) return;
    const check = () => {
      this.#stallTimer = undefined;
      if (this.#waiters.length === 0) return;
      const late = this.#writing ? Date.now() - this.#writeStartedAt : 0;
      if (late >= this.#stallMs) {
        this.#stalled = true;
        this.#settle();
        return;
      }
      this.#stallTimer = setTimeout(check, Math.max(1, this.#stallMs - late));
    };
    this.#stallTimer = setTimeout(check, this.#stallMs);
  }

  #clearPending(): void {
    this.#chunks = [];
    this.#text = '';
    this.#textChars = 0;
    this.#textWorst = 0;
    this.#pendingBytes = 0;
    this.#pendingLines = 0;
  }

  #reportDrops(): void {
    const dropped = this.#unreported;
    this.#unreported = 0;
    const input: EventInput = {
      event: EVENTS.logDropped,
      level: 'warn',
      status: 'dropped',
      data: { dropped, reason: 'buffer-full', limit: this.#cap },
    };
    if (this.#bus) this.#bus.emit(input);
    else
      this.write({
        ts: new Date().toISOString(),
        schema: 1,
        session: this.#session,
        level: 'warn',
        ...input,
      });
  }

  #fail(error: Error): void {
    if (this.#failure) return;
    const code = (error as NodeJS.ErrnoException).code;
    this.#failure = new KeelError(
      'log-failed',
      `the event log ${this.#path ? `${this.#path} ` : ''}cannot be written: ${error.message}`,
      { ...(this.#path ? { path: this.#path } : {}), ...(code ? { code } : {}) },
    );
    // What was buffered will never be written.
    const lost = this.#pendingLines + this.#inFlightLines;
    this.#dropped += lost;
    this.#clearPending();
    this.#inFlightBytes = 0;
    this.#inFlightLines = 0;
    this.#writing = false;
    this.#settle();
    this.#bus?.emit({
      event: EVENTS.logError,
      level: 'error',
      status: 'error',
      data: { lost },
      error: this.#failure.toJSON(),
    });
  }
}

interface Waiter {
  /** Waits for nothing left to write (`close`), else for the buffer under a quarter of the cap. */
  idle: boolean;
  resolve: () => void;
}

function isOwnReport(event: KeelEvent): boolean {
  return event.event === EVENTS.logError || event.event === EVENTS.logDropped;
}

/**
 * A stream as a chunk writer. A Node stream acknowledges each chunk through its callback; other
 * destinations are taken as written when `write` returns, or at their `drain` when it returned
 * false. Errors the stream emits fail the log instead of the process.
 */
function streamWriter(stream: LogStream, fail: (error: Error) => void): ChunkWriter {
  stream.on?.('error', (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
  const node = isNodeWritable(stream);
  return {
    write(chunks, done) {
      if (node) {
        // Callbacks run in order: the last one says everything before it was written too.
        for (let i = 0; i < chunks.length - 1; i++) stream.write(chunks[i] as unknown as string);
        stream.write(chunks[chunks.length - 1] as unknown as string, (error) => done(error));
        return;
      }
      // Other destinations take text (a pino destination, a `{ write(line) }` object); each chunk holds whole lines.
      let accepted: unknown = true;
      for (const chunk of chunks) accepted = stream.write(chunk.toString('utf8'));
      if (accepted === false && typeof stream.once === 'function') stream.once('drain', () => done());
      else done();
    },
    writeSync(line) {
      stream.write(line);
      return true;
    },
    close() {},
  };
}

function isNodeWritable(stream: LogStream): boolean {
  const s = stream as { writableLength?: unknown; on?: unknown };
  return typeof s.writableLength === 'number' && typeof s.on === 'function';
}
