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

export function pathFunctions(s: Preview1State, snap: Snapshot) {
  const mem = s.mem;
  const path = (ptr: number, len: number) => mem.string(ptr, len, MAX_PATH_BYTES);
  const dir = (fd: number): Descriptor => s.fds.dir(fdArg(fd)).desc;
  const follow = (flags: number) => ({
    symlinkFollow: (flagsArg(flags, 'lookupflags') & LOOKUP_SYMLINK_FOLLOW) !== 0,
  });

  return {
    path_open: (
      fd: number,
      dirflags: number,
      pathPtr: number,
      pathLen: number,
      oflags: number,
      rightsBase: bigint,
      rightsInheriting: bigint,
      fdflags: number,
      result: number,
    ) => {
      const lookup = follow(dirflags);
      const o = flagsArg(oflags, 'oflags');
      const base = u64Arg(rightsBase);
      if (base & ~snap.rightsAll || u64Arg(rightsInheriting) & ~snap.rightsAll) throw errno(E.INVAL);
      const f = flagsArg(fdflags, 'fdflags');
      const name = path(pathPtr, pathLen);
      const entry = s.fds.get(fdArg(fd));
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
          ? s.fds.push({ kind: 'dir', desc: opened, preopen: undefined })
          : s.fds.push({
              kind: 'file',
              desc: opened,
              position: 0n,
              append: (f & FDFLAG.APPEND) !== 0,
              nonblock: (f & FDFLAG.NONBLOCK) !== 0,
            });
      mem.setU32(result, opened_fd);
      return 0;
    },

    path_create_directory: (fd: number, p: number, len: number) => {
      const base = dir(fd);
      base.createDirectoryAt(path(p, len));
      return 0;
    },
    path_remove_directory: (fd: number, p: number, len: number) => {
      const base = dir(fd);
      base.removeDirectoryAt(path(p, len));
      return 0;
    },
    path_unlink_file: (fd: number, p: number, len: number) => {
      const base = dir(fd);
      base.unlinkFileAt(path(p, len));
      return 0;
    },

    path_filestat_get: (fd: number, flags: number, p: number, len: number, result: number) => {
      const lookup = follow(flags);
      const base = dir(fd);
      const name = path(p, len);
      const stat = base.statAt(lookup, name);
      writeFilestat(s, snap, result, descriptorFilestat(stat, base.inodeAt(lookup, name)));
      return 0;
    },
    path_filestat_set_times: (
      fd: number,
      flags: number,
      p: number,
      len: number,
      atim: bigint,
      mtim: bigint,
      fstFlags: number,
    ) => {
      const lookup = follow(flags);
      const f = flagsArg(fstFlags, 'fstflags');
      const a = newTimestamp((f & FSTFLAG.ATIM) !== 0, (f & FSTFLAG.ATIM_NOW) !== 0, u64Arg(atim));
      const m = newTimestamp((f & FSTFLAG.MTIM) !== 0, (f & FSTFLAG.MTIM_NOW) !== 0, u64Arg(mtim));
      const base = dir(fd);
      base.setTimesAt(lookup, path(p, len), a, m);
      return 0;
    },

    path_link: (
      oldFd: number,
      oldFlags: number,
      oldPath: number,
      oldLen: number,
      newFd: number,
      newPath: number,
      newLen: number,
    ) => {
      const lookup = follow(oldFlags);
      const from = dir(oldFd);
      const to = dir(newFd);
      from.linkAt(lookup, path(oldPath, oldLen), to, path(newPath, newLen));
      return 0;
    },
    path_rename: (
      fd: number,
      oldPath: number,
      oldLen: number,
      newFd: number,
      newPath: number,
      newLen: number,
    ) => {
      const from = dir(fd);
      const to = dir(newFd);
      from.renameAt(path(oldPath, oldLen), to, path(newPath, newLen));
      return 0;
    },
    path_symlink: (oldPath: number, oldLen: number, fd: number, newPath: number, newLen: number) => {
      const base = dir(fd);
      base.symlinkAt(path(oldPath, oldLen), path(newPath, newLen));
      return 0;
    },
    path_readlink: (fd: number, p: number, len: number, buf: number, bufLen: number, result: number) => {
      const base = dir(fd);
      const target = encoder.encode(base.readlinkAt(path(p, len)));
      const kept = target.subarray(0, Math.min(target.length, bufLen >>> 0));
      mem.copyIn(buf, kept);
      mem.setU32(result, kept.length);
      return 0;
    },
  };
}
