/**
 * The JSONL log's file: opened once (append, created with its parent directories, never
 * blocking on a FIFO without a reader), written one chunk at a time. The only file the kernel
 * itself writes; everything a guest reaches goes through host/caps.
 */
import { close, constants, mkdirSync, openSync, writeSync, writev } from 'node:fs';
import { dirname } from 'node:path';
import { KeelError } from '../kernel/errors.js';

/** Where the sink's chunks go. One asynchronous write is in flight at a time. */
export interface ChunkWriter {
  /** Write `chunks` (whole lines each), in order; `done` is called once, when all is written or the write failed. */
  write(chunks: Buffer[], done: (error?: Error | null) => void): void;
  /** Write `line` before returning. Returns false when the destination cannot take it now (a full pipe). */
  writeSync(line: string): boolean;
  /** Release what the writer opened. */
  close(): void;
}

/** How long to wait before retrying a write a full pipe refused (EAGAIN). */
const RETRY_MS = 10;

/**
 * Open `path` for appending. A directory, a missing permission or a FIFO nobody reads fails
 * here, as one `log-failed` error, before any event is written.
 */
export function openLogFile(path: string): ChunkWriter {
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NONBLOCK,
      0o666,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeelError(
      'log-failed',
      `cannot open the event log ${path}: ${(error as Error).message}`,
      { path, ...(code ? { code } : {}) },
      { cause: error },
    );
  }
  let closed = false;
  let writing = false;
  let retry: NodeJS.Timeout | undefined;
  // The descriptor is closed only once no write is in flight: closing under a pending write
  // could let a later open reuse the number and receive the rest of the log.
  const release = () => {
    if (closed && !writing && fd >= 0) {
      close(fd, () => {});
      fd = -1;
    }
  };
  return {
    write(chunks, done) {
      writing = true;
      const finish = (error?: Error) => {
        writing = false;
        release();
        done(error);
      };
      const from = (buffers: Buffer[]): void => {
        if (closed) {
          finish(new Error('the event log was closed'));
          return;
        }
        writev(fd, buffers, null, (error, written) => {
          if (error && (error as NodeJS.ErrnoException).code === 'EAGAIN') {
            retry = setTimeout(() => {
              retry = undefined;
              from(buffers);
            }, RETRY_MS);
            return;
          }
          if (error) finish(error);
          else {
            const rest = after(buffers, written);
            if (rest.length > 0) from(rest);
            else finish();
          }
        });
      };
      from(chunks);
    },
    writeSync(line) {
      const bytes = Buffer.from(line, 'utf8');
      let offset = 0;
      while (offset < bytes.length) {
        try {
          offset += writeSync(fd, bytes, offset, bytes.length - offset);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && offset === 0) return false;
          throw error;
        }
      }
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      if (retry !== undefined) {
        // A write waiting to be retried is abandoned: nothing is in flight.
        clearTimeout(retry);
        retry = undefined;
        writing = false;
      }
      release();
    },
  };
}

/** What is left of `buffers` once their first `written` bytes are written. */
function after(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  if (i === buffers.length) return [];
  return [buffers[i]!.subarray(skip), ...buffers.slice(i + 1)];
}
