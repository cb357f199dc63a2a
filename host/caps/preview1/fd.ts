/**
 * preview1's descriptor functions (`fd_*`), over the same stdio streams and filesystem
 * `Descriptor`s as WASI 0.2. The checks, their order and the errno each gives follow Wasmtime's
 * preview1 (`crates/wasi/src/p1.rs`): for example a read or write takes only the first non-empty
 * iovec, a descriptor is looked up after the iovecs are read (so a zero-length write to a bad
 * descriptor is EBADF), seeking stdio is ESPIPE, and `fd_fdstat_set_rights` is ENOTSUP.
 */
import type { NodeType } from '../fs/backend.js';
import { chargeBytes } from '../provider.js';
import type { Descriptor } from '../wasi-filesystem.js';
import { E, ENUM_COUNT, FDFLAG, FILETYPE, FSTFLAG, RIGHT, SIZE, type Snapshot } from './abi.js';
import { errno } from './errno.js';
import type { DirEntry, FileEntry } from './fds.js';
import { datetimeNs } from './process.js';
import { enumArg, fdArg, flagsArg, type Preview1State, u64Arg } from './state.js';

const ADVICE = ['normal', 'sequential', 'random', 'will-need', 'dont-need', 'no-reuse'] as const;
const MAX_U64 = (1n << 64n) - 1n;
const encoder = new TextEncoder();

export const FILETYPE_OF: Readonly<Record<NodeType, number>> = {
  unknown: FILETYPE.UNKNOWN,
  'block-device': FILETYPE.BLOCK_DEVICE,
  'character-device': FILETYPE.CHARACTER_DEVICE,
  directory: FILETYPE.DIRECTORY,
  fifo: FILETYPE.UNKNOWN,
  'symbolic-link': FILETYPE.SYMBOLIC_LINK,
  'regular-file': FILETYPE.REGULAR_FILE,
  socket: FILETYPE.SOCKET_STREAM,
};

/** The rights Wasmtime reports for a preopened directory, and what it lets files opened below have. */
const PREOPEN_BASE =
  RIGHT.PATH_CREATE_DIRECTORY |
  RIGHT.PATH_CREATE_FILE |
  RIGHT.PATH_LINK_SOURCE |
  RIGHT.PATH_LINK_TARGET |
  RIGHT.PATH_OPEN |
  RIGHT.FD_READDIR |
  RIGHT.PATH_READLINK |
  RIGHT.PATH_RENAME_SOURCE |
  RIGHT.PATH_RENAME_TARGET |
  RIGHT.PATH_SYMLINK |
  RIGHT.PATH_REMOVE_DIRECTORY |
  RIGHT.PATH_UNLINK_FILE |
  RIGHT.PATH_FILESTAT_GET |
  RIGHT.PATH_FILESTAT_SET_TIMES |
  RIGHT.FD_FILESTAT_GET |
  RIGHT.FD_FILESTAT_SET_TIMES;
const PREOPEN_INHERITING =
  PREOPEN_BASE |
  RIGHT.FD_DATASYNC |
  RIGHT.FD_READ |
  RIGHT.FD_SEEK |
  RIGHT.FD_FDSTAT_SET_FLAGS |
  RIGHT.FD_SYNC |
  RIGHT.FD_TELL |
  RIGHT.FD_WRITE |
  RIGHT.FD_ADVISE |
  RIGHT.FD_ALLOCATE |
  RIGHT.FD_FILESTAT_GET |
  RIGHT.FD_FILESTAT_SET_SIZE |
  RIGHT.FD_FILESTAT_SET_TIMES |
  RIGHT.POLL_FD_READWRITE;

/** Write a `filestat` (layout per snapshot). */
export function writeFilestat(
  s: Preview1State,
  snap: Snapshot,
  ptr: number,
  stat: {
    filetype: number;
    ino: bigint;
    nlink: bigint;
    size: bigint;
    atim: bigint;
    mtim: bigint;
    ctim: bigint;
    dev: bigint;
  },
): void {
  const mem = s.mem;
  const at = mem.check(ptr, snap.filestat.size, 8);
  mem.setU64(at, stat.dev);
  mem.setU64(at + 8, stat.ino);
  mem.setU8(at + 16, stat.filetype);
  if (snap.filestat.nlinkWidth === 8) mem.setU64(at + snap.filestat.nlink, stat.nlink);
  else mem.setU32(at + snap.filestat.nlink, Number(BigInt.asUintN(32, stat.nlink)));
  mem.setU64(at + snap.filestat.size_, stat.size);
  mem.setU64(at + snap.filestat.atim, stat.atim);
  mem.setU64(at + snap.filestat.mtim, stat.mtim);
  mem.setU64(at + snap.filestat.ctim, stat.ctim);
}

/** A file or directory's `filestat` (dev is always 1, ino a keyed hash of its identity, as in Wasmtime). */
export function descriptorFilestat(stat: ReturnType<Descriptor['stat']>, ino: bigint) {
  return {
    dev: 1n,
    ino,
    filetype: FILETYPE_OF[stat.type],
    nlink: stat.linkCount,
    size: stat.size,
    atim: datetimeNs(stat.dataAccessTimestamp),
    mtim: datetimeNs(stat.dataModificationTimestamp),
    ctim: datetimeNs(stat.statusChangeTimestamp),
  };
}

/** `fstflags` + a timestamp → `new-timestamp`; both a time and NOW is EINVAL. */
export function newTimestamp(set: boolean, now: boolean, ns: bigint) {
  if (set && now) throw errno(E.INVAL);
  if (set)
    return {
      tag: 'timestamp' as const,
      val: { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) },
    };
  return now ? { tag: 'now' as const } : { tag: 'no-change' as const };
}

/** The descriptor functions of one sandbox (one snapshot's layouts): methods named as in preview1. */
export class FdFunctions {
  constructor(
    readonly s: Preview1State,
    readonly snap: Snapshot,
  ) {}

  /**
   * The first non-empty (c)iovec, or an empty one. The whole array is admitted (bounded by
   * `limits.hostArgBytes`, and charged) before any of it is read; the buffer is checked whole,
   * and what one call reads or writes of it is at most `limits.hostArgBytes` (a short read or
   * write, which guests loop on), so the host never walks or copies more than that of either.
   */
  #firstBuffer(iovs: number, count: number): { ptr: number; len: number } {
    const mem = this.s.mem;
    const n = count >>> 0;
    mem.admit(n * SIZE.iovec);
    let at = iovs >>> 0;
    for (let i = 0; i < n; i++, at += SIZE.iovec) {
      const len = mem.u32(at + 4);
      if (len === 0) continue;
      const ptr = mem.u32(at);
      mem.check(ptr, len);
      return { ptr, len: Math.min(len, this.s.context.limits.hostArgBytes) };
    }
    return { ptr: 0, len: 0 };
  }

  #write(fd: number, iovs: number, count: number, at: bigint | undefined): number {
    const { ptr, len } = this.#firstBuffer(iovs, count);
    const entry = this.s.fds.get(fdArg(fd));
    if (entry.kind === 'file') return writeFile(entry, this.s.mem.copyOut(ptr, len), at);
    if (entry.kind === 'stdout' || entry.kind === 'stderr') {
      if (at !== undefined) throw errno(E.SPIPE);
      if (len > 0) entry.stream.write(this.s.mem.copyOut(ptr, len));
      return len;
    }
    throw errno(E.BADF);
  }

  #read(fd: number, iovs: number, count: number, at: bigint | undefined): number {
    const mem = this.s.mem;
    const { ptr, len } = this.#firstBuffer(iovs, count);
    const entry = this.s.fds.get(fdArg(fd));
    if (entry.kind === 'file') {
      const [bytes] = entry.desc.read(BigInt(len), at ?? entry.position);
      mem.copyIn(ptr, bytes);
      if (at === undefined) entry.position += BigInt(bytes.length);
      return bytes.length;
    }
    if (entry.kind === 'stdin') {
      if (at !== undefined) throw errno(E.SPIPE);
      let bytes: Uint8Array;
      try {
        // fd 0 is a blocking descriptor: wait for input (a streamed stdin may have none yet).
        bytes = entry.stream.blockingRead(BigInt(len));
      } catch (error) {
        // End of stdin is a read of 0 bytes.
        if ((error as { tag?: string })?.tag === 'closed') return 0;
        throw error;
      }
      mem.copyIn(ptr, bytes);
      return bytes.length;
    }
    throw errno(E.BADF);
  }

  #result32(ptr: number, value: number): number {
    this.s.mem.setU32(ptr, value);
    return 0;
  }

  fd_write(fd: number, iovs: number, count: number, nwritten: number): number {
    return this.#result32(nwritten, this.#write(fd, iovs, count, undefined));
  }
  fd_pwrite(fd: number, iovs: number, count: number, offset: bigint, nwritten: number): number {
    return this.#result32(nwritten, this.#write(fd, iovs, count, u64Arg(offset)));
  }
  fd_read(fd: number, iovs: number, count: number, nread: number): number {
    return this.#result32(nread, this.#read(fd, iovs, count, undefined));
  }
  fd_pread(fd: number, iovs: number, count: number, offset: bigint, nread: number): number {
    return this.#result32(nread, this.#read(fd, iovs, count, u64Arg(offset)));
  }

  fd_seek(fd: number, offset: bigint, whence: number, result: number): number {
    const how = this.snap.whence[enumArg(whence, ENUM_COUNT.whence, 8)];
    const file = this.s.fds.seekable(fdArg(fd));
    const base = how === 'set' ? 0n : how === 'cur' ? file.position : file.desc.stat().size;
    const position = base + offset;
    if (position < 0n || position > MAX_U64 || (how === 'set' && offset < 0n)) throw errno(E.INVAL);
    file.position = position;
    this.s.mem.setU64(result, position);
    return 0;
  }
  fd_tell(fd: number, result: number): number {
    this.s.mem.setU64(result, this.s.fds.seekable(fdArg(fd)).position);
    return 0;
  }

  fd_close(fd: number): number {
    this.s.fds.close(fdArg(fd));
    return 0;
  }
  fd_renumber(from: number, to: number): number {
    this.s.fds.renumber(fdArg(from), fdArg(to));
    return 0;
  }

  fd_fdstat_get(fd: number, result: number): number {
    const entry = this.s.fds.get(fdArg(fd));
    let filetype: number = FILETYPE.UNKNOWN;
    let flags = 0;
    let base: bigint;
    let inheriting: bigint;
    if (entry.kind === 'stdin') {
      base = inheriting = RIGHT.FD_READ;
    } else if (entry.kind === 'stdout' || entry.kind === 'stderr') {
      base = inheriting = RIGHT.FD_WRITE;
    } else if (entry.kind === 'dir' && entry.preopen !== undefined) {
      filetype = FILETYPE.DIRECTORY;
      base = PREOPEN_BASE;
      inheriting = PREOPEN_INHERITING;
    } else if (entry.kind === 'dir' || entry.kind === 'file') {
      const opened = entry.desc.getFlags();
      filetype = FILETYPE_OF[entry.desc.getType()];
      base = this.snap.rightsAll;
      if (filetype === FILETYPE.DIRECTORY) {
        base &= ~(RIGHT.FD_SEEK | RIGHT.FD_FILESTAT_SET_SIZE | RIGHT.PATH_FILESTAT_SET_SIZE);
      }
      if (!opened.read) base &= ~(RIGHT.FD_READ | RIGHT.FD_READDIR);
      if (!opened.write) base &= ~RIGHT.FD_WRITE;
      if (opened.dataIntegritySync) flags |= FDFLAG.DSYNC;
      if (opened.requestedWriteSync) flags |= FDFLAG.RSYNC;
      if (opened.fileIntegritySync) flags |= FDFLAG.SYNC;
      if (entry.kind === 'file' && entry.append) flags |= FDFLAG.APPEND;
      if (entry.kind === 'file' && entry.nonblock) flags |= FDFLAG.NONBLOCK;
      inheriting = base;
    } else {
      throw errno(E.BADF);
    }
    const at = this.s.mem.check(result, SIZE.fdstat, 8);
    this.s.mem.setU8(at, filetype);
    this.s.mem.setU16(at + 2, flags);
    this.s.mem.setU64(at + 8, base);
    this.s.mem.setU64(at + 16, inheriting);
    return 0;
  }
  fd_fdstat_set_flags(fd: number, flags: number): number {
    const f = flagsArg(flags, 'fdflags');
    const file = this.s.fds.file(fdArg(fd));
    // Only APPEND and NONBLOCK can change on an open descriptor.
    if (f & (FDFLAG.DSYNC | FDFLAG.SYNC | FDFLAG.RSYNC)) throw errno(E.INVAL);
    file.append = (f & FDFLAG.APPEND) !== 0;
    file.nonblock = (f & FDFLAG.NONBLOCK) !== 0;
    return 0;
  }
  fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
    if (u64Arg(base) & ~this.snap.rightsAll || u64Arg(inheriting) & ~this.snap.rightsAll)
      throw errno(E.INVAL);
    this.s.fds.descriptor(fdArg(fd));
    // Rights are reported, not enforced or changed (as in Wasmtime).
    throw errno(E.NOTSUP);
  }

  fd_filestat_get(fd: number, result: number): number {
    const entry = this.s.fds.get(fdArg(fd));
    if (entry.kind === 'file' || entry.kind === 'dir') {
      const stat = entry.desc.stat();
      writeFilestat(this.s, this.snap, result, descriptorFilestat(stat, entry.desc.inode()));
    } else {
      const zero = 0n;
      writeFilestat(this.s, this.snap, result, {
        dev: zero,
        ino: zero,
        filetype: FILETYPE.UNKNOWN,
        nlink: zero,
        size: zero,
        atim: zero,
        mtim: zero,
        ctim: zero,
      });
    }
    return 0;
  }
  fd_filestat_set_size(fd: number, size: bigint): number {
    this.s.fds.file(fdArg(fd)).desc.setSize(u64Arg(size));
    return 0;
  }
  fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fstFlags: number): number {
    const f = flagsArg(fstFlags, 'fstflags');
    const a = newTimestamp((f & FSTFLAG.ATIM) !== 0, (f & FSTFLAG.ATIM_NOW) !== 0, u64Arg(atim));
    const m = newTimestamp((f & FSTFLAG.MTIM) !== 0, (f & FSTFLAG.MTIM_NOW) !== 0, u64Arg(mtim));
    this.s.fds.descriptor(fdArg(fd)).setTimes(a, m);
    return 0;
  }

  fd_advise(fd: number, offset: bigint, length: bigint, advice: number): number {
    const how = ADVICE[enumArg(advice, ENUM_COUNT.advice, 8)]!;
    this.s.fds.file(fdArg(fd)).desc.advise(u64Arg(offset), u64Arg(length), how);
    return 0;
  }
  fd_allocate(fd: number, _offset: bigint, _length: bigint): number {
    this.s.fds.file(fdArg(fd));
    throw errno(E.NOTSUP);
  }
  fd_datasync(fd: number): number {
    this.s.fds.file(fdArg(fd)).desc.syncData();
    return 0;
  }
  fd_sync(fd: number): number {
    this.s.fds.file(fdArg(fd)).desc.sync();
    return 0;
  }

  fd_prestat_get(fd: number, result: number): number {
    const entry = this.s.fds.get(fdArg(fd));
    if (entry.kind !== 'dir' || entry.preopen === undefined) throw errno(E.BADF);
    const at = this.s.mem.check(result, SIZE.prestat, 4);
    this.s.mem.setU8(at, 0);
    this.s.mem.setU32(at + 4, encoder.encode(entry.preopen).length);
    return 0;
  }
  fd_prestat_dir_name(fd: number, path: number, length: number): number {
    const entry = this.s.fds.get(fdArg(fd));
    if (entry.kind !== 'dir' || entry.preopen === undefined) throw errno(E.NOTDIR);
    const name = encoder.encode(entry.preopen);
    if (name.length > length >>> 0) throw errno(E.NAMETOOLONG);
    this.s.mem.copyIn(path, name);
    return 0;
  }

  fd_readdir(fd: number, buf: number, length: number, cookie: bigint, result: number): number {
    const dir = this.s.fds.dir(fdArg(fd));
    const used = writeDirents(this.s, dir, buf, length >>> 0, u64Arg(cookie));
    this.s.mem.setU32(result, used);
    return 0;
  }
}

/** Write `bytes` to a file entry at its position (or its end, appending); returns the count. */
function writeFile(file: FileEntry, bytes: Uint8Array, at: bigint | undefined): number {
  const position = file.append ? file.desc.stat().size : (at ?? file.position);
  const n = Number(file.desc.write(bytes, position));
  if (at === undefined) file.position = file.append ? file.desc.stat().size : file.position + BigInt(n);
  return n;
}

/**
 * What an entry `fd_readdir` writes out costs beyond its bytes, in bytes' worth of `byte`: its
 * header made and copied, its name copied (0.3-0.4 us). A kept listing is served again from any
 * cookie, so a guest reading 10,000 entries again and again at the price of a call cost the host
 * 674x compute per unit of fuel.
 */
export const DIRENT_BYTES = 2_048;

interface Listed {
  name: Uint8Array;
  type: number;
  ino: bigint;
}

/**
 * `fd_readdir`: `.` and `..` (cookies 1 and 2), then the entries (3, 4, ...), from `cookie` on,
 * each a 24-byte `dirent` and its name, the last one truncated to fill `length` exactly (the
 * guest then asks again from the last whole entry's cookie). The listing is read when the guest
 * starts from cookie 0 and kept while it goes on reading in order, so reading a large directory
 * in small buffers costs the host one pass, not one per buffer; each entry is charged as it is
 * listed and again as it is written out (`DIRENT_BYTES` and its bytes).
 */
function writeDirents(s: Preview1State, dir: DirEntry, buf: number, length: number, cookie: bigint): number {
  const mem = s.mem;
  let listing = dir.listing;
  if (cookie === 0n || !listing) {
    const entries: Listed[] = [];
    const stream = dir.desc.readDirectory();
    try {
      for (let e = stream.readDirectoryEntry(); e; e = stream.readDirectoryEntry()) {
        s.context.charge(1);
        let ino = 0n;
        try {
          ino = dir.desc.inodeAt({}, e.name);
        } catch {
          // Gone since it was listed: listed anyway, with no inode.
        }
        entries.push({ name: encoder.encode(e.name), type: FILETYPE_OF[e.type], ino });
      }
    } finally {
      stream[Symbol.dispose]();
    }
    listing = { cookie: 0n, entries };
    dir.listing = listing;
    s.keepListing(dir);
  }
  const entries = listing.entries as Listed[];
  const self = dir.desc.inode();
  const all = (i: number): Listed =>
    i === 0
      ? { name: DOT, type: FILETYPE.DIRECTORY, ino: self }
      : i === 1
        ? { name: DOTDOT, type: FILETYPE.DIRECTORY, ino: self }
        : entries[i - 2]!;
  const total = entries.length + 2;
  const header = new Uint8Array(SIZE.dirent);
  const view = new DataView(header.buffer);
  let at = buf >>> 0;
  let cap = length;
  for (let i = cookie > BigInt(total) ? total : Number(cookie); i < total; i++) {
    const entry = all(i);
    // The entry and the bytes it hands back, before they are written.
    chargeBytes(s.context, DIRENT_BYTES + SIZE.dirent + entry.name.length);
    view.setBigUint64(0, BigInt(i + 1), true);
    view.setBigUint64(8, entry.ino, true);
    view.setUint32(16, entry.name.length, true);
    view.setUint8(20, entry.type);
    const head = Math.min(cap, SIZE.dirent);
    mem.copyIn(at, header.subarray(0, head));
    at += head;
    cap -= head;
    if (cap === 0) return length;
    const name = entry.name.subarray(0, Math.min(cap, entry.name.length));
    mem.copyIn(at, name);
    at += name.length;
    cap -= name.length;
    if (cap === 0) return length;
  }
  return length - cap;
}

const DOT = encoder.encode('.');
const DOTDOT = encoder.encode('..');
