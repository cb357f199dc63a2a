/**
 * The WASI preview1 ABI as data: errno values, rights, flags, file types, the layout of every
 * structure in linear memory, and the signature of every function, for `wasi_snapshot_preview1`
 * and the older `wasi_unstable` (snapshot 0), which differs only in a few layouts and enums.
 * Source: the witx type definitions (`typenames.witx` of each snapshot).
 */

/** `errno` (u16). */
export const E = {
  SUCCESS: 0,
  ACCES: 2,
  AGAIN: 6,
  ALREADY: 7,
  BADF: 8,
  BUSY: 10,
  DEADLK: 16,
  DQUOT: 19,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  ILSEQ: 25,
  INPROGRESS: 26,
  INTR: 27,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  LOOP: 32,
  MLINK: 34,
  MSGSIZE: 35,
  NAMETOOLONG: 37,
  NODEV: 43,
  NOENT: 44,
  NOLCK: 46,
  NOMEM: 48,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTRECOVERABLE: 56,
  NOTSOCK: 57,
  NOTSUP: 58,
  NOTTY: 59,
  NXIO: 60,
  OVERFLOW: 61,
  PERM: 63,
  PIPE: 64,
  RANGE: 68,
  ROFS: 69,
  SPIPE: 70,
  TXTBSY: 74,
  XDEV: 75,
  NOTCAPABLE: 76,
} as const;

/** `filetype` (u8). */
export const FILETYPE = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;

/** `rights` (u64): bit numbers. */
export const RIGHT = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_DIRECTORY: 1n << 9n,
  PATH_CREATE_FILE: 1n << 10n,
  PATH_LINK_SOURCE: 1n << 11n,
  PATH_LINK_TARGET: 1n << 12n,
  PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n,
  PATH_READLINK: 1n << 15n,
  PATH_RENAME_SOURCE: 1n << 16n,
  PATH_RENAME_TARGET: 1n << 17n,
  PATH_FILESTAT_GET: 1n << 18n,
  PATH_FILESTAT_SET_SIZE: 1n << 19n,
  PATH_FILESTAT_SET_TIMES: 1n << 20n,
  FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n,
  FD_FILESTAT_SET_TIMES: 1n << 23n,
  PATH_SYMLINK: 1n << 24n,
  PATH_REMOVE_DIRECTORY: 1n << 25n,
  PATH_UNLINK_FILE: 1n << 26n,
  POLL_FD_READWRITE: 1n << 27n,
  SOCK_SHUTDOWN: 1n << 28n,
  /** preview1 only. */
  SOCK_ACCEPT: 1n << 29n,
} as const;

/** `fdflags` (u16). */
export const FDFLAG = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
/** `oflags` (u16). */
export const OFLAG = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
/** `fstflags` (u16). */
export const FSTFLAG = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
/** `lookupflags` (u32). */
export const LOOKUP_SYMLINK_FOLLOW = 1;
/** `subclockflags` (u16). */
export const SUBCLOCK_ABSTIME = 1;
/** `eventrwflags` (u16). */
export const EVENT_FD_READWRITE_HANGUP = 1;
/** `clockid` (u32). */
export const CLOCK = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 } as const;
/** `eventtype` (u8). */
export const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;

/** The width and defined bits of each flags type, for argument checking. */
export const FLAGS = {
  fdflags: { bits: 16, valid: 0x1f },
  oflags: { bits: 16, valid: 0xf },
  fstflags: { bits: 16, valid: 0xf },
  lookupflags: { bits: 32, valid: 0x1 },
  subclockflags: { bits: 16, valid: 0x1 },
  riflags: { bits: 16, valid: 0x3 },
  sdflags: { bits: 8, valid: 0x3 },
} as const;

/** Enum sizes (values 0..count-1 are defined). */
export const ENUM_COUNT = { clockid: 4, whence: 3, advice: 6, signal: 31, eventtype: 3 } as const;

export type Whence = 'set' | 'cur' | 'end';

/** What differs between `wasi_snapshot_preview1` and `wasi_unstable`. */
export interface Snapshot {
  readonly module: 'wasi_snapshot_preview1' | 'wasi_unstable';
  /** `whence` values in declaration order. */
  readonly whence: readonly Whence[];
  /** Every defined right. */
  readonly rightsAll: bigint;
  readonly filestat: {
    readonly size: number;
    readonly nlink: number;
    readonly nlinkWidth: 4 | 8;
    readonly size_: number;
    readonly atim: number;
    readonly mtim: number;
    readonly ctim: number;
  };
  readonly subscription: {
    readonly size: number;
    /** Offset of `subscription_clock.id` (snapshot 0 has an `identifier` u64 before it). */
    readonly clockId: number;
    readonly clockTimeout: number;
    readonly clockFlags: number;
  };
}

const ALL_RIGHTS = Object.values(RIGHT).reduce((a, b) => a | b, 0n);

export const PREVIEW1: Snapshot = {
  module: 'wasi_snapshot_preview1',
  whence: ['set', 'cur', 'end'],
  rightsAll: ALL_RIGHTS,
  filestat: { size: 64, nlink: 24, nlinkWidth: 8, size_: 32, atim: 40, mtim: 48, ctim: 56 },
  subscription: { size: 48, clockId: 16, clockTimeout: 24, clockFlags: 40 },
};

export const UNSTABLE: Snapshot = {
  module: 'wasi_unstable',
  whence: ['cur', 'end', 'set'],
  rightsAll: ALL_RIGHTS & ~RIGHT.SOCK_ACCEPT,
  filestat: { size: 56, nlink: 20, nlinkWidth: 4, size_: 24, atim: 32, mtim: 40, ctim: 48 },
  subscription: { size: 56, clockId: 24, clockTimeout: 32, clockFlags: 48 },
};

/** Sizes of the fixed structures (the same in both snapshots). */
export const SIZE = { iovec: 8, fdstat: 24, prestat: 8, dirent: 24, event: 32 } as const;

type I = 'i32' | 'i64';

/** Every preview1 function: its core signature (params; results are `[i32]` unless noted). */
export const SIGNATURES: Readonly<Record<string, { params: readonly I[]; results: readonly I[] }>> = (() => {
  const table: Record<string, I[]> = {
    args_get: ['i32', 'i32'],
    args_sizes_get: ['i32', 'i32'],
    environ_get: ['i32', 'i32'],
    environ_sizes_get: ['i32', 'i32'],
    clock_res_get: ['i32', 'i32'],
    clock_time_get: ['i32', 'i64', 'i32'],
    fd_advise: ['i32', 'i64', 'i64', 'i32'],
    fd_allocate: ['i32', 'i64', 'i64'],
    fd_close: ['i32'],
    fd_datasync: ['i32'],
    fd_fdstat_get: ['i32', 'i32'],
    fd_fdstat_set_flags: ['i32', 'i32'],
    fd_fdstat_set_rights: ['i32', 'i64', 'i64'],
    fd_filestat_get: ['i32', 'i32'],
    fd_filestat_set_size: ['i32', 'i64'],
    fd_filestat_set_times: ['i32', 'i64', 'i64', 'i32'],
    fd_pread: ['i32', 'i32', 'i32', 'i64', 'i32'],
    fd_prestat_get: ['i32', 'i32'],
    fd_prestat_dir_name: ['i32', 'i32', 'i32'],
    fd_pwrite: ['i32', 'i32', 'i32', 'i64', 'i32'],
    fd_read: ['i32', 'i32', 'i32', 'i32'],
    fd_readdir: ['i32', 'i32', 'i32', 'i64', 'i32'],
    fd_renumber: ['i32', 'i32'],
    fd_seek: ['i32', 'i64', 'i32', 'i32'],
    fd_sync: ['i32'],
    fd_tell: ['i32', 'i32'],
    fd_write: ['i32', 'i32', 'i32', 'i32'],
    path_create_directory: ['i32', 'i32', 'i32'],
    path_filestat_get: ['i32', 'i32', 'i32', 'i32', 'i32'],
    path_filestat_set_times: ['i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32'],
    path_link: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    path_open: ['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32'],
    path_readlink: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    path_remove_directory: ['i32', 'i32', 'i32'],
    path_rename: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    path_symlink: ['i32', 'i32', 'i32', 'i32', 'i32'],
    path_unlink_file: ['i32', 'i32', 'i32'],
    poll_oneoff: ['i32', 'i32', 'i32', 'i32'],
    proc_exit: ['i32'],
    proc_raise: ['i32'],
    sched_yield: [],
    random_get: ['i32', 'i32'],
    sock_accept: ['i32', 'i32', 'i32'],
    sock_recv: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    sock_send: ['i32', 'i32', 'i32', 'i32', 'i32'],
    sock_shutdown: ['i32', 'i32'],
  };
  return Object.fromEntries(
    Object.entries(table).map(([name, params]) => [
      name,
      { params, results: name === 'proc_exit' ? [] : (['i32'] as I[]) },
    ]),
  );
})();

/** The import modules Keel serves, and which functions each has (`sock_accept` came with preview1). */
export const PREVIEW1_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'] as const;

export function snapshotOf(module: string): Snapshot | undefined {
  return module === PREVIEW1.module ? PREVIEW1 : module === UNSTABLE.module ? UNSTABLE : undefined;
}

/** Whether `module` serves `name` (a known function of that snapshot). */
export function hasFunction(module: string, name: string): boolean {
  if (!Object.hasOwn(SIGNATURES, name)) return false;
  return module === PREVIEW1.module || (module === UNSTABLE.module && name !== 'sock_accept');
}
