/**
 * preview1's path functions (`path_*`), over the filesystem provider's `Descriptor` (the same
 * path resolution, grants, quotas and refusals as WASI 0.2). As in Wasmtime, the base must be a
 * directory descriptor (EBADF otherwise; `path_open` says ENOTDIR for a file), paths are strict
 * UTF-8 (EILSEQ), and rights only choose how a file is opened (read, write), never restrict it.
 */
import { MAX_PATH_BYTES } from '../fs/path.js';
import type { Descriptor } from '../wasi-filesystem.js';
import { E, FDFLAG, FSTFLAG, LOOKUP_SYMLINK_FOLLOW, OFLAG, RIGHT, type Snapshot } from './abi.js';
import { errno } from './errno.js';
import { descriptorFilestat, newTimestamp, writeFilestat } from './fd.js';
import { fdArg, flagsArg, type Preview1State, u64Arg } from './state.js';

const encoder = new TextEncoder();

/** The path functions of one sandbox: methods named as the preview1 functions. */
export class PathFunctions {
  constructor(
    readonly s: Preview1State,
    readonly snap: Snapshot,
  ) {}

  #path(ptr: number, len: number): string {
    return this.s.mem.string(ptr, len, MAX_PATH_BYTES);
  }

  #dir(fd: number): Descriptor {
    return this.s.fds.dir(fdArg(fd)).desc;
  }

  #follow(flags: number): { symlinkFollow: boolean } {
    return { symlinkFollow: (flagsArg(flags, 'lookupflags') & LOOKUP_SYMLINK_FOLLOW) !== 0 };
  }

  path_open(
    fd: number,
    dirflags: number,
    pathPtr: number,
    pathLen: number,
    oflags: number,
    rightsBase: bigint,
    rightsInheriting: bigint,
    fdflags: number,
    result: number,
  ): number {
    const lookup = this.#follow(dirflags);
    const o = flagsArg(oflags, 'oflags');
    const base = u64Arg(rightsBase);
    if (base & ~this.snap.rightsAll || u64Arg(rightsInheriting) & ~this.snap.rightsAll) throw errno(E.INVAL);
    const f = flagsArg(fdflags, 'fdflags');
    const name = this.#path(pathPtr, pathLen);
    const entry = this.s.fds.get(fdArg(fd));
    if (entry.kind === 'file') throw errno(E.NOTDIR);
    if (entry.kind !== 'dir') throw errno(E.BADF);
    const opened = entry.desc.openAt(
      lookup,
      name,
      {
        create: (o & OFLAG.CREAT) !== 0,
        directory: (o & OFLAG.DIRECTORY) !== 0,
        exclusive: (o & OFLAG.EXCL) !== 0,
        truncate: (o & OFLAG.TRUNC) !== 0,
      },
      {
        read: (base & RIGHT.FD_READ) !== 0n,
        write: (base & RIGHT.FD_WRITE) !== 0n,
        fileIntegritySync: (f & FDFLAG.SYNC) !== 0,
        dataIntegritySync: (f & FDFLAG.DSYNC) !== 0,
        requestedWriteSync: (f & FDFLAG.RSYNC) !== 0,
      },
    );
    const opened_fd =
      opened.kind === 'dir'
        ? this.s.fds.push({ kind: 'dir', desc: opened, preopen: undefined })
        : this.s.fds.push({
            kind: 'file',
            desc: opened,
            position: 0n,
            append: (f & FDFLAG.APPEND) !== 0,
            nonblock: (f & FDFLAG.NONBLOCK) !== 0,
          });
    this.s.mem.setU32(result, opened_fd);
    return 0;
  }

  path_create_directory(fd: number, p: number, len: number): number {
    const base = this.#dir(fd);
    base.createDirectoryAt(this.#path(p, len));
    return 0;
  }
  path_remove_directory(fd: number, p: number, len: number): number {
    const base = this.#dir(fd);
    base.removeDirectoryAt(this.#path(p, len));
    return 0;
  }
  path_unlink_file(fd: number, p: number, len: number): number {
    const base = this.#dir(fd);
    base.unlinkFileAt(this.#path(p, len));
    return 0;
  }

  path_filestat_get(fd: number, flags: number, p: number, len: number, result: number): number {
    const lookup = this.#follow(flags);
    const base = this.#dir(fd);
    const name = this.#path(p, len);
    const stat = base.statAt(lookup, name);
    writeFilestat(this.s, this.snap, result, descriptorFilestat(stat, base.inodeAt(lookup, name)));
    return 0;
  }
  path_filestat_set_times(
    fd: number,
    flags: number,
    p: number,
    len: number,
    atim: bigint,
    mtim: bigint,
    fstFlags: number,
  ): number {
    const lookup = this.#follow(flags);
    const f = flagsArg(fstFlags, 'fstflags');
    const a = newTimestamp((f & FSTFLAG.ATIM) !== 0, (f & FSTFLAG.ATIM_NOW) !== 0, u64Arg(atim));
    const m = newTimestamp((f & FSTFLAG.MTIM) !== 0, (f & FSTFLAG.MTIM_NOW) !== 0, u64Arg(mtim));
    const base = this.#dir(fd);
    base.setTimesAt(lookup, this.#path(p, len), a, m);
    return 0;
  }

  path_link(
    oldFd: number,
    oldFlags: number,
    oldPath: number,
    oldLen: number,
    newFd: number,
    newPath: number,
    newLen: number,
  ): number {
    const lookup = this.#follow(oldFlags);
    const from = this.#dir(oldFd);
    const to = this.#dir(newFd);
    from.linkAt(lookup, this.#path(oldPath, oldLen), to, this.#path(newPath, newLen));
    return 0;
  }
  path_rename(
    fd: number,
    oldPath: number,
    oldLen: number,
    newFd: number,
    newPath: number,
    newLen: number,
  ): number {
    const from = this.#dir(fd);
    const to = this.#dir(newFd);
    from.renameAt(this.#path(oldPath, oldLen), to, this.#path(newPath, newLen));
    return 0;
  }
  path_symlink(oldPath: number, oldLen: number, fd: number, newPath: number, newLen: number): number {
    const base = this.#dir(fd);
    base.symlinkAt(this.#path(oldPath, oldLen), this.#path(newPath, newLen));
    return 0;
  }
  path_readlink(fd: number, p: number, len: number, buf: number, bufLen: number, result: number): number {
    const base = this.#dir(fd);
    const target = encoder.encode(base.readlinkAt(this.#path(p, len)));
    const kept = target.subarray(0, Math.min(target.length, bufLen >>> 0));
    this.s.mem.copyIn(buf, kept);
    this.s.mem.setU32(result, kept.length);
    return 0;
  }
}
