/**
 * The types of `keel:kernel/types@0.2.0`, as AssemblyScript enums. Their values are the WIT
 * cases' indices (what crosses the boundary), except `Status`, whose `Ok` is 0 and whose other
 * members are WIT's `error-code` cases shifted by one.
 */

/** The outcome of a kernel call: `Ok`, or why it failed (WIT `error-code`, docs/errors.md). */
export enum Status {
  Ok = 0,
  /** The grant does not cover this peer or topic. */
  CapabilityDenied = 1,
  /** The body is larger than the message size limit. */
  MessageTooLarge = 2,
  /** The receiver's mailbox is full (or this sandbox has too many requests waiting). */
  MailboxFull = 3,
  /** No such sandbox, mount path, or request awaiting a reply. */
  NoSuchTarget = 4,
  Timeout = 5,
  Killed = 6,
  /** A malformed target, topic or pattern. */
  InvalidArgument = 7,
}

/** The name of a status, as the error catalog spells it (`mailbox-full`); `ok` for `Ok`. */
export function statusName(status: Status): string {
  switch (status) {
    case Status.Ok:
      return "ok";
    case Status.CapabilityDenied:
      return "capability-denied";
    case Status.MessageTooLarge:
      return "message-too-large";
    case Status.MailboxFull:
      return "mailbox-full";
    case Status.NoSuchTarget:
      return "no-such-target";
    case Status.Timeout:
      return "timeout";
    case Status.Killed:
      return "killed";
    case Status.InvalidArgument:
      return "invalid-argument";
    default:
      return "unknown";
  }
}

/** WIT `signal`. Only `Int` and `Term` reach a guest's `onSignal`. */
export enum Signal {
  Stop = 0,
  Cont = 1,
  Int = 2,
  Term = 3,
  Kill = 4,
}

/** WIT `reply-status`: how a request ended, as `onReply` sees it. */
export enum ReplyStatus {
  Ok = 0,
  Timeout = 1,
  Killed = 2,
}

/** UTF-8 bytes of a string (for message bodies). */
export function bytes(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

/** The string in UTF-8 bytes (invalid sequences become U+FFFD). */
export function text(body: Uint8Array): string {
  return String.UTF8.decodeUnsafe(body.dataStart, <usize>body.length);
}
