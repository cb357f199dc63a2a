/**
 * Filesystem failures as WASI `error-code`s. Inside the filesystem code every failure is an
 * `FsError`; the `Descriptor` methods hand its code to the guest (a WIT `result` error), so a
 * denied or failed operation never unwinds the guest.
 */

/** `wasi:filesystem/types.error-code`, as jco renders it. */
export type FsErrorCode =
  | 'access'
  | 'would-block'
  | 'already'
  | 'bad-descriptor'
  | 'busy'
  | 'deadlock'
  | 'quota'
  | 'exist'
  | 'file-too-large'
  | 'illegal-byte-sequence'
  | 'in-progress'
  | 'interrupted'
  | 'invalid'
  | 'io'
  | 'is-directory'
  | 'loop'
  | 'too-many-links'
  | 'message-size'
  | 'name-too-long'
  | 'no-device'
  | 'no-entry'
  | 'no-lock'
  | 'insufficient-memory'
  | 'insufficient-space'
  | 'not-directory'
  | 'not-empty'
  | 'not-recoverable'
  | 'unsupported'
  | 'no-tty'
  | 'no-such-device'
  | 'overflow'
  | 'not-permitted'
  | 'pipe'
  | 'read-only'
  | 'invalid-seek'
  | 'text-file-busy'
  | 'cross-device';

/**
 * Why Keel itself refused an operation (as opposed to the host filesystem failing it). Carried
 * in the `capability:denied` event's data so that an operator sees what the guest attempted.
 */
export type DenialReason =
  | 'escape'
  | 'symlink'
  | 'hard-link'
  | 'read-only'
  | 'quota'
  | 'encoding'
  | 'special-file';

export class FsError {
  constructor(
    readonly code: FsErrorCode,
    /** Set when Keel's policy refused the operation (an event is emitted for these). */
    readonly denial?: DenialReason,
    readonly detail?: string,
  ) {}
}

export function fsError(code: FsErrorCode, denial?: DenialReason, detail?: string): FsError {
  return new FsError(code, denial, detail);
}

const ERRNO: Readonly<Record<string, FsErrorCode>> = {
  EACCES: 'access',
  EAGAIN: 'would-block',
  EWOULDBLOCK: 'would-block',
  EALREADY: 'already',
  EBADF: 'bad-descriptor',
  EBUSY: 'busy',
  EDEADLK: 'deadlock',
  EDQUOT: 'quota',
  EEXIST: 'exist',
  EFBIG: 'file-too-large',
  EILSEQ: 'illegal-byte-sequence',
  EINPROGRESS: 'in-progress',
  EINTR: 'interrupted',
  EINVAL: 'invalid',
  EIO: 'io',
  EISDIR: 'is-directory',
  ELOOP: 'loop',
  EMLINK: 'too-many-links',
  EMSGSIZE: 'message-size',
  ENAMETOOLONG: 'name-too-long',
  ENODEV: 'no-device',
  ENOENT: 'no-entry',
  ENOLCK: 'no-lock',
  ENOMEM: 'insufficient-memory',
  ENOSPC: 'insufficient-space',
  ENOTDIR: 'not-directory',
  ENOTEMPTY: 'not-empty',
  ENOTRECOVERABLE: 'not-recoverable',
  ENOTSUP: 'unsupported',
  EOPNOTSUPP: 'unsupported',
  ENOTTY: 'no-tty',
  ENXIO: 'no-such-device',
  EOVERFLOW: 'overflow',
  EPERM: 'not-permitted',
  EPIPE: 'pipe',
  EROFS: 'read-only',
  ESPIPE: 'invalid-seek',
  ETXTBSY: 'text-file-busy',
  EXDEV: 'cross-device',
  // The process is out of descriptors: the guest sees a quota, never the host's state.
  EMFILE: 'quota',
  ENFILE: 'quota',
};

/** A Node `fs` failure → `FsError`. Anything that is not an errno failure is rethrown (a host bug). */
export function fromNodeError(error: unknown): FsError {
  if (error instanceof FsError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('E') && (error as NodeJS.ErrnoException).syscall) {
    return new FsError(ERRNO[code] ?? 'io');
  }
  throw error;
}
