/**
 * How the CLI talks: human lines on stderr (colored when it is a terminal), results on stdout,
 * and with --json exactly one JSON object alone on the last line of stdout.
 *
 * Everything is written synchronously to file descriptors 1 and 2 (never through
 * `process.stdout`): a sandbox runs on this thread, so its output must leave while it runs, in
 * order with Keel's own lines; and a reader that goes away (`keel run ... | head`) is an
 * `EPIPE` this module absorbs (the rest of that stream is discarded and counted), not a crash.
 */
import { writeSync } from 'node:fs';
import { ERROR_CATALOG, type ErrorCode, KeelError } from '../kernel/errors.js';

export const EXIT_OK = 0;
/** The guest failed: trap, limit, denial, timeout (a guest's own `exit(N)` passes through as N). */
export const EXIT_GUEST_FAILED = 1;
/** Bad invocation or invalid module. */
export const EXIT_USAGE = 2;

/** One of the CLI's two output streams. */
export class Stream {
  readonly #fd: number;
  #closed = false;
  #lastByte = 0x0a;
  /** Bytes that could not be written because the reader went away. */
  discarded = 0;
  #isTTY: boolean | undefined;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * Whether this stream is a terminal, asked when first needed: node:tty (and node:net with it)
   * costs a run that prints nothing in color and shows no progress a few milliseconds.
   */
  get isTTY(): boolean {
    this.#isTTY ??= process.getBuiltinModule('node:tty').isatty(this.#fd);
    return this.#isTTY;
  }

  get color(): boolean {
    return this.isTTY && !process.env.NO_COLOR;
  }

  /** The reader closed its end (`EPIPE`); nothing more is written. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whatever was last written ended a line (or nothing was written). */
  get atLineStart(): boolean {
    return this.#lastByte === 0x0a;
  }

  /** Write all of `data`; false when the reader has gone away. Other write errors are thrown. */
  write(data: string | Uint8Array): boolean {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes.length === 0) return !this.#closed;
    clearProgress();
    return this.raw(bytes);
  }

  /** `write` without erasing a progress note first. */
  raw(bytes: Uint8Array, track = true): boolean {
    if (this.#closed) {
      this.discarded += bytes.length;
      return false;
    }
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.#fd, bytes, offset, bytes.length - offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A descriptor some other process left non-blocking: wait for room, as a blocking write would.
        if (code === 'EAGAIN') {
          sleep(1);
          continue;
        }
        if (code === 'EPIPE') {
          this.#closed = true;
          this.discarded += bytes.length - offset;
          return false;
        }
        throw error;
      }
    }
    if (track) this.#lastByte = bytes[bytes.length - 1]!;
    return true;
  }

  line(text: string): boolean {
    return this.write(`${text}\n`);
  }

  /** Start a new line unless the cursor is already at the start of one. */
  endLine(): void {
    if (!this.atLineStart) this.write('\n');
  }
}

export const stdout = new Stream(1);
export const stderr = new Stream(2);

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

const paint = (stream: Stream, code: number, text: string) =>
  stream.color ? `\u001b[${code}m${text}\u001b[0m` : text;
/** Text styles for one stream: colored only when that stream is a terminal (and NO_COLOR is unset). */
export function styles(stream: Stream) {
  return {
    bold: (text: string) => paint(stream, 1, text),
    dim: (text: string) => paint(stream, 2, text),
    red: (text: string) => paint(stream, 31, text),
    green: (text: string) => paint(stream, 32, text),
    yellow: (text: string) => paint(stream, 33, text),
  };
}

/** Styles for lines on stderr. */
export const { bold, dim, red, green, yellow } = styles(stderr);

/**
 * Control characters (C0 but the tab, DEL, C1), line and paragraph separators and bidi controls
 * that reach a terminal from a guest (`guest:log` lines of `keel run` and `keel up`).
 */
const UNPRINTABLE =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A guest's text as one line of the CLI's output, its control characters escaped (`\n`, `\u001b`):
 * printed as they were, a guest's newline began a line of its own in another sandbox's name or the
 * kernel's (`! sink (sbx_1): policy violation`), and an escape sequence drove the terminal
 * (cleared lines, set the title, wrote the clipboard).
 */
export function guestText(text: string): string {
  return text.replace(UNPRINTABLE, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function asKeelError(error: unknown): KeelError {
  if (error instanceof KeelError) return error;
  return new KeelError('internal', error instanceof Error ? error.message : String(error));
}

/** Exit status for a failure: 2 for a bad invocation or module, 1 for anything the guest did. */
export function exitStatusFor(code: ErrorCode): number {
  return code === 'invalid-argument' || code === 'invalid-module' ? EXIT_USAGE : EXIT_GUEST_FAILED;
}

/**
 * The exit status for a guest's own `exit(N)`: N as the guest gave it (as Wasmtime does), but a
 * non-zero status never becomes 0 on the way out (POSIX keeps only the low 8 bits).
 */
export function guestExitStatus(code: number): number {
  if (code === 0) return EXIT_OK;
  const low = code & 0xff;
  return low === 0 ? EXIT_GUEST_FAILED : low;
}

/** `error[code]: message` and a hint, on stderr. The hint defaults to the catalog's. */
export function printError(error: KeelError, hint: string = ERROR_CATALOG[error.code].fix): void {
  stderr.endLine();
  stderr.line(`${red(bold(`error[${error.code}]`))}: ${error.message}`);
  if (hint) stderr.line(dim(`  hint: ${hint}`));
}

/** A `warning:` line on stderr. */
export function printWarning(text: string): void {
  stderr.endLine();
  stderr.line(`${yellow('warning')}: ${text}`);
}

/** One JSON object, alone on the last line of stdout (after a newline if the guest left none). */
export function printJson(value: unknown): void {
  stdout.endLine();
  writeJson(value, (text) => stdout.write(text));
  stdout.write('\n');
}

/** The most characters `writeJson` gathers before it writes them. */
export const JSON_PIECE = 1 << 16;

/**
 * `JSON.stringify(value)`, the same characters, written in pieces of about `JSON_PIECE`: a
 * guest's result rendered whole was one string up to 6x the result (a control character is six,
 * `\u0001`): 64 MiB of them a 384 MB line in the CLI's heap, and past V8's longest string a
 * RangeError out of the CLI (redteam16; test/hostile/cli/json-result-expansion).
 */
export function writeJson(value: unknown, write: (text: string) => void): void {
  let pending = '';
  const put = (text: string) => {
    pending += text;
    if (pending.length >= JSON_PIECE) {
      write(pending);
      pending = '';
    }
  };
  const text = jsonPieces(withToJson('', value), put);
  if (text !== undefined) put(text);
  if (pending.length > 0) write(pending);
}

/** `value` as JSON.stringify sees it at `key`: through its `toJSON`, if it has one. */
function withToJson(key: string, value: unknown): unknown {
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return toJSON.call(value, key);
  }
  return value;
}

/**
 * `value` (`toJSON` applied) as JSON.stringify renders it: a primitive's text returned; a long
 * string, an array or an object put in pieces and '' returned; undefined for what JSON.stringify
 * leaves out (undefined, a function, a symbol).
 */
function jsonPieces(value: unknown, put: (text: string) => void): string | undefined {
  if (typeof value === 'string') {
    if (value.length <= JSON_PIECE) return JSON.stringify(value);
    put('"');
    for (let at = 0; at < value.length; ) {
      let end = Math.min(at + JSON_PIECE, value.length);
      // A surrogate pair stays whole (either half alone would be escaped).
      const last = value.charCodeAt(end - 1);
      if (end < value.length && last >= 0xd800 && last <= 0xdbff) end--;
      put(JSON.stringify(value.slice(at, end)).slice(1, -1));
      at = end;
    }
    put('"');
    return '';
  }
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (value instanceof Number || value instanceof String || value instanceof Boolean)
    return JSON.stringify(value);
  if (Array.isArray(value)) {
    put('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) put(',');
      put(jsonPieces(withToJson(String(i), value[i]), put) ?? 'null');
    }
    put(']');
    return '';
  }
  put('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const item = withToJson(key, (value as Record<string, unknown>)[key]);
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    put(`${first ? '' : ','}${JSON.stringify(key)}:`);
    put(jsonPieces(item, put)!);
    first = false;
  }
  put('}');
  return '';
}

/** Work shorter than this shows no progress note. */
export const PROGRESS_DELAY_MS = 500;

let progressMode: 'auto' | 'always' | 'never' = 'auto';
let progressTimer: NodeJS.Timeout | undefined;
let progressText = '';
let progressStarted = 0;
/** How the note was shown: erased on a terminal, or a line of its own on a pipe. */
let progressShown: 'terminal' | 'line' | undefined;

/** `auto`: on a terminal only; `always` (`--progress`): on a pipe or a file too, as plain lines; `never` (`--quiet`). */
export function setProgressMode(mode: 'auto' | 'always' | 'never'): void {
  progressMode = mode;
}

/**
 * A note on stderr for work that may take a while (loading, transpiling): shown only if the
 * work lasts more than `PROGRESS_DELAY_MS`, and only on a terminal (where it is erased by
 * `clearProgress` or by the next output) unless `--progress` asked for it on a pipe too. The
 * timer fires whenever the work lets the event loop turn (loading awaits between its steps).
 */
export function progress(text: string): void {
  clearProgress();
  if (progressMode === 'never') return;
  progressText = text;
  progressStarted = Date.now();
  progressTimer = setTimeout(showProgress, PROGRESS_DELAY_MS);
  progressTimer.unref();
}

function showProgress(): void {
  progressTimer = undefined;
  // Whether stderr is a terminal is asked only now: work that ends sooner never needs to know.
  if (!stderr.isTTY && progressMode !== 'always') return;
  if (!stderr.atLineStart || stderr.closed) return;
  if (stderr.isTTY) {
    stderr.raw(Buffer.from(`\r\u001b[2K${dim(`${progressText}…`)}`), false);
    progressShown = 'terminal';
  } else {
    stderr.raw(Buffer.from(`keel: ${progressText}…\n`));
    progressShown = 'line';
  }
}

/** The work is done: the note goes away (a terminal) or says how long it took (a pipe). */
export function clearProgress(): void {
  if (progressTimer) clearTimeout(progressTimer);
  progressTimer = undefined;
  const shown = progressShown;
  progressShown = undefined;
  if (shown === 'terminal') stderr.raw(Buffer.from('\r\u001b[2K'), false);
  else if (shown === 'line') {
    const seconds = ((Date.now() - progressStarted) / 1000).toFixed(1);
    stderr.raw(Buffer.from(`keel: ${progressText}: done in ${seconds} s\n`));
  }
}
