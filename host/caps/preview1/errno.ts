/**
 * Errors in Keel's preview1: an `Errno` is a value returned to the guest (never a trap); the
 * WASI 0.2 providers' failures (filesystem error codes, stream errors) are mapped to errno values
 * the way Wasmtime's preview1 maps them. Anything else thrown (a `KeelError` such as
 * `fuel-exhausted`, a trap) passes through and ends the call.
 */
import { IoError } from '../wasi-io.js';
import { E } from './abi.js';

/** Thrown inside an implementation to return `code` to the guest. */
export class Errno {
  constructor(readonly code: number) {}
}

export function errno(code: number): Errno {
  return new Errno(code);
}

/** `wasi:filesystem/types.error-code` → `errno`, as in Wasmtime's preview1. */
const FS_ERRNO: Readonly<Record<string, number>> = {
  access: E.ACCES,
  'would-block': E.AGAIN,
  already: E.ALREADY,
  'bad-descriptor': E.BADF,
  busy: E.BUSY,
  deadlock: E.DEADLK,
  quota: E.DQUOT,
  exist: E.EXIST,
  'file-too-large': E.FBIG,
  'illegal-byte-sequence': E.ILSEQ,
  'in-progress': E.INPROGRESS,
  interrupted: E.INTR,
  invalid: E.INVAL,
  io: E.IO,
  'is-directory': E.ISDIR,
  loop: E.LOOP,
  'too-many-links': E.MLINK,
  'message-size': E.MSGSIZE,
  'name-too-long': E.NAMETOOLONG,
  'no-device': E.NODEV,
  'no-entry': E.NOENT,
  'no-lock': E.NOLCK,
  'insufficient-memory': E.NOMEM,
  'insufficient-space': E.NOSPC,
  unsupported: E.NOTSUP,
  'not-directory': E.NOTDIR,
  'not-empty': E.NOTEMPTY,
  'not-recoverable': E.NOTRECOVERABLE,
  'no-tty': E.NOTTY,
  'no-such-device': E.NXIO,
  overflow: E.OVERFLOW,
  'not-permitted': E.PERM,
  pipe: E.PIPE,
  'read-only': E.ROFS,
  'invalid-seek': E.SPIPE,
  'text-file-busy': E.TXTBSY,
  'cross-device': E.XDEV,
};

/**
 * The errno for a failure a provider reported as a WASI 0.2 value: a filesystem error code
 * (thrown as a string by `Descriptor` methods), or a stream error (`closed` is EIO, as in
 * Wasmtime; `last-operation-failed` carries the file's code). `undefined` for anything else.
 */
export function errnoOf(error: unknown): number | undefined {
  if (error instanceof Errno) return error.code;
  if (typeof error === 'string') return FS_ERRNO[error];
  if (error && typeof error === 'object' && 'tag' in error) {
    const tag = (error as { tag: unknown }).tag;
    if (tag === 'closed') return E.IO;
    if (tag === 'last-operation-failed') {
      const val = (error as { val?: unknown }).val;
      const code = val instanceof IoError ? val.code : undefined;
      return (code ? FS_ERRNO[code] : undefined) ?? E.IO;
    }
  }
  return undefined;
}
