/**
 * Keel's one error catalog. Every failure that crosses the kernel's boundary (API, CLI JSON,
 * events, docs) carries one of these stable codes. `docs/errors.md` lists the same codes; a
 * test fails when the two disagree.
 */

/** Stable error codes. Add to the end; never rename or remove one. */
export type ErrorCode =
  | 'invalid-module'
  | 'invalid-argument'
  | 'capability-denied'
  | 'fuel-exhausted'
  | 'memory-limit'
  | 'table-limit'
  | 'stack-overflow'
  | 'trap'
  | 'timeout'
  | 'killed'
  | 'mailbox-full'
  | 'message-too-large'
  | 'no-such-target'
  | 'policy-violation'
  | 'internal'
  | 'log-failed'
  | 'resource-limit';

export interface ErrorCatalogEntry {
  /** What the code means, in one line. */
  readonly meaning: string;
  /** What the user can do about it, in one line. */
  readonly fix: string;
}

/** The catalog itself: every code with its meaning and fix. `Record` makes the compiler check it is complete. */
export const ERROR_CATALOG: Readonly<Record<ErrorCode, ErrorCatalogEntry>> = {
  'invalid-module': {
    meaning:
      'The bytes are not a valid WebAssembly module or component, exceed the module size limit, or export an interface Keel defines (keel:kernel/handler) at types other than its WIT.',
    fix: 'Check the file is a .wasm built for wasm32 (against the WIT in wit/ when it exports keel:kernel/handler); run `keel inspect` on it; raise the size limit if it is legitimately large.',
  },
  'invalid-argument': {
    meaning: 'A caller passed a value the API or CLI does not accept (wrong type, unknown export, bad flag).',
    fix: 'Read the message for the argument at fault and `keel <command> --help` for the accepted forms.',
  },
  'capability-denied': {
    meaning: 'The sandbox needs or used a capability (import, path, host, peer, topic) it was not granted.',
    fix: 'Grant the named interface to the sandbox if it should have it; an import no capability provider serves needs a provider from the embedder (or lazy denial, so that only its calls fail).',
  },
  'fuel-exhausted': {
    meaning: 'The guest used all the fuel its invocation or lifetime allowed.',
    fix: 'Raise the fuel limits (`fuel`, `fuelTotal`) if the work is legitimate, or find the loop that does not end.',
  },
  'memory-limit': {
    meaning:
      "The guest asked for more linear memory than its limits allow (the total of its memories, `memoryBytes`; their number, `memories`), or the host could not reserve memory for another sandbox's linear memory (`details.limit: 'host'`).",
    fix: "Raise the memory limits (`memoryBytes`, `memories`) if the module legitimately needs it; at `details.limit: 'host'`, end sandboxes that are no longer needed or use fewer memories per sandbox.",
  },
  'table-limit': {
    meaning:
      'The guest asked for more table elements (`tableElements`, per table) or more tables (`tables`) than its limits allow.',
    fix: 'Raise the table limits (`tableElements`, `tables`) if the module legitimately needs it.',
  },
  'stack-overflow': {
    meaning: 'The guest exhausted its call stack, usually through unbounded recursion.',
    fix: 'Fix the recursion in the guest; the host stack is not configurable per call.',
  },
  trap: {
    meaning:
      "The guest trapped (unreachable, division by zero, out-of-bounds access, ...); the reason is V8's.",
    fix: "Debug the guest; the message carries the engine's trap reason.",
  },
  timeout: {
    meaning: 'An operation did not finish before its deadline (a request, a delivery, a run).',
    fix: 'Raise the deadline or make the target answer sooner.',
  },
  killed: {
    meaning:
      'The sandbox was killed (by a signal, by the embedder, or after an earlier fatal error) and cannot run.',
    fix: 'Spawn a new sandbox from the module.',
  },
  'mailbox-full': {
    meaning:
      "The receiver's mailbox is at its bound, or the sender already has its share of it queued; the message was not queued.",
    fix: "Send more slowly, or raise the receiver's mailboxLength or mailboxSenderPercent.",
  },
  'message-too-large': {
    meaning: 'A message exceeds the message size limit.',
    fix: 'Send smaller messages, or raise the message size limit.',
  },
  'no-such-target': {
    meaning: 'The named sandbox, mount path, export or topic does not exist.',
    fix: "Check the name with `keel inspect` or the kernel's sandbox list.",
  },
  'policy-violation': {
    meaning: 'The guest broke a rule of its policy; the kernel killed it.',
    fix: 'Inspect the `policy:violation` event for the rule that was broken.',
  },
  internal: {
    meaning: 'A bug inside Keel; the sandbox involved was ended, the host process is unharmed.',
    fix: 'Please report it with the JSONL log of the run.',
  },
  'log-failed': {
    meaning:
      'The JSONL event log could not be opened or written (a directory, no permission, disk full, a closed pipe); events go on to hooks but no longer to the log.',
    fix: 'Point the log at a writable file (`--log`), free disk space, or keep the reading end of the pipe open.',
  },
  'resource-limit': {
    meaning:
      'The guest went past a per-sandbox limit on what it may make the host hold or handle (resource handles held at once, bytes passed to the host in one call); `details.limit` names it. The sandbox is poisoned.',
    fix: 'Drop handles the guest no longer needs and pass data to the host in smaller pieces, or raise the named limit (`handles`, `hostArgBytes`).',
  },
};

/** All codes, in catalog order. */
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as readonly ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}

/** A typed Keel failure: stable `code`, human `message`, machine-readable `details`. */
export class KeelError extends Error {
  override readonly name = 'KeelError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /**
   * An error recorded as a sandbox's end (a kill) and thrown later, if ever, by a call into the
   * ended sandbox. Without a stack trace: it would point at the kill, not at that call, and
   * capturing one costs microseconds on every terminate.
   */
  static recorded(code: ErrorCode, message: string, details?: Record<string, unknown>): KeelError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new KeelError(code, message, details);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /** The shape used in the CLI's JSON, in events and in logs. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return Object.keys(this.details).length > 0
      ? { code: this.code, message: this.message, details: { ...this.details } }
      : { code: this.code, message: this.message };
  }
}

export function isKeelError(value: unknown): value is KeelError {
  return value instanceof KeelError;
}
