/**
 * The host backend: a granted host directory, reached only through open descriptors.
 *
 * Node has no `openat`. On Linux, `/proc/self/fd/<fd>/<name>` gives the same thing: the kernel
 * resolves the magic link `/proc/self/fd/<fd>` to the very directory the descriptor refers to
 * (wherever it has been moved since), then looks up exactly one name in it. Every operation
 * here names one checked component (never a path), and none follows a symbolic link in that
 * last position: `open` gets `O_NOFOLLOW`, `stat` is `lstat`, `utimes` is `lutimes`, and
 * `mkdir`, `rmdir`, `unlink`, `rename`, `link`, `symlink`, `readlink` never follow one. Directories
 * are held as `O_PATH` descriptors, so walking needs search permission only. The resolver
 * (`resolve.ts`) walks paths component by component over these handles.
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  type Dir,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  futimesSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  opendirSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join as joinPath, relative, resolve as resolvePath } from 'node:path';
import type {
  Datetime,
  DirEntry,
  DirHandle,
  EntryIterator,
  FileHandle,
  NewTimestamp,
  NodeStat,
  NodeType,
  OpenFileOptions,
} from './backend.js';
import { FsError, fromNodeError, fsError } from './errors.js';

/** Linux's `O_PATH` (not in `fs.constants`); the same value on every Linux architecture Node runs on. */
const O_PATH = 0o10000000;
const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_SYNC, O_DSYNC } =
  constants;

/** The host backend needs Linux's /proc/self/fd. Elsewhere host directories cannot be granted. */
export function hostDirectoriesSupported(): boolean {
  return process.platform === 'linux' && existsSync('/proc/self/fd');
}

/** One device object for every host directory: renames across grants are left to the kernel (EXDEV). */
const HOST_DEVICE = Object.freeze({ backend: 'host' });

function wrap<T>(op: () => T): T {
  try {
    return op();
  } catch (error) {
    throw fromNodeError(error);
  }
}

const NS = 1_000_000_000n;

function datetime(ns: bigint): Datetime {
  return { seconds: ns / NS, nanoseconds: Number(ns % NS) };
}

function nodeType(st: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): NodeType {
  if (st.isFile()) return 'regular-file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic-link';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  return 'unknown';
}

/**
 * The exact times a sandbox set on host files. Node's `utimes` takes seconds as a double, so the
 * disk keeps a set time to about 240 ns (for dates of this century) and cannot leave one time
 * unchanged while setting the other (it writes the current value back, rounded). Each setting is
 * remembered with what the disk stored; while the disk still holds that value, `stat` reports
 * the exact time that was set, so a guest reads back what it wrote. Per preopen, bounded.
 */
export class TimesShadow {
  static readonly MAX = 4096;
  readonly #set = new Map<string, { atime?: [bigint, bigint]; mtime?: [bigint, bigint] }>();

  record(
    identity: string,
    atime: [exact: bigint, stored: bigint],
    mtime: [exact: bigint, stored: bigint],
  ): void {
    this.#set.delete(identity);
    if (this.#set.size >= TimesShadow.MAX) this.#set.delete(this.#set.keys().next().value!);
    this.#set.set(identity, { atime, mtime });
  }

  apply(st: BigIntStats, stat: NodeStat): NodeStat {
    const set = this.#set.get(stat.identity);
    if (!set) return stat;
    if (set.atime?.[1] === st.atimeNs) stat.atime = datetime(set.atime[0]);
    if (set.mtime?.[1] === st.mtimeNs) stat.mtime = datetime(set.mtime[0]);
    return stat;
  }
}

function toStat(st: BigIntStats, shadow?: TimesShadow): NodeStat {
  const stat: NodeStat = {
    type: nodeType(st),
    linkCount: st.nlink,
    size: st.size,
    atime: datetime(st.atimeNs),
    mtime: datetime(st.mtimeNs),
    ctime: datetime(st.ctimeNs),
    identity: `host:${st.dev}:${st.ino}`,
  };
  return shadow ? shadow.apply(st, stat) : stat;
}

const nsOf = (t: Datetime | undefined): bigint => (t ? t.seconds * NS + BigInt(t.nanoseconds) : 0n);

/** The time a `new-timestamp` asks for, in nanoseconds (`no-change`: the current one). */
function wanted(spec: NewTimestamp, current: bigint): bigint {
  if (spec.tag === 'now') return BigInt(Date.now()) * 1_000_000n;
  return spec.tag === 'timestamp' ? spec.val.seconds * NS + BigInt(spec.val.nanoseconds) : current;
}

/** Seconds as `utimes` takes them, as close as a double gets. */
function seconds(ns: bigint): number {
  return Number(ns / NS) + Number(ns % NS) / 1e9;
}

/**
 * Set times through `utimes` (`set`), then remember what was asked against what was stored.
 * `stat` gives the current times (as the sandbox sees them) before and the stored ones after.
 */
function setTimesWith(
  shadow: TimesShadow,
  stat: () => [BigIntStats, NodeStat],
  set: (atime: number, mtime: number) => void,
  atime: NewTimestamp,
  mtime: NewTimestamp,
): void {
  const [, before] = stat();
  const a = wanted(atime, nsOf(before.atime));
  const m = wanted(mtime, nsOf(before.mtime));
  set(seconds(a), seconds(m));
  const [after] = stat();
  shadow.record(before.identity, [a, after.atimeNs], [m, after.mtimeNs]);
}

/**
 * Which of `protectedPaths` (Keel's own directories) the opened root `root` holds or lies
 * within, if any. The root's path is read from its descriptor (what was opened, links
 * resolved), so a link swapped after the grant was written changes nothing.
 */
export function protectedPathOf(root: HostDir, protectedPaths: readonly string[]): string | undefined {
  if (protectedPaths.length === 0) return undefined;
  const opened = readlinkSync(root.at('.'));
  return protectedPaths.find((p) => overlaps(opened, realPathOf(p)));
}

/** Whether one of two host paths (links resolved as far as they exist) holds the other. */
export function pathsOverlap(a: string, b: string): boolean {
  return overlaps(realPathOf(a), realPathOf(b));
}

function overlaps(a: string, b: string): boolean {
  return within(a, b) || within(b, a);
}

/** A path with its symbolic links resolved, as far as it exists (the rest appended as given). */
function realPathOf(path: string): string {
  const absolute = resolvePath(path);
  const rest: string[] = [];
  for (let at = absolute; ; ) {
    try {
      return joinPath(realpathSync(at), ...rest);
    } catch {
      const parent = dirname(at);
      if (parent === at) return absolute;
      rest.unshift(basename(at));
      at = parent;
    }
  }
}

/** Whether `inner` is `outer` or lies under it. */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Open the root of a grant. The embedder's path is trusted configuration: it may contain links. */
export function openHostRoot(path: string): HostDir {
  return new HostDir(
    wrap(() => openSync(path, O_PATH | O_DIRECTORY)),
    new TimesShadow(),
  );
}

export class HostDir implements DirHandle {
  readonly kind = 'dir';
  readonly device = HOST_DEVICE;
  #fd: number;
  #closed = false;
  readonly #shadow: TimesShadow;

  constructor(fd: number, shadow: TimesShadow) {
    this.#fd = fd;
    this.#shadow = shadow;
  }

  /** `/proc/self/fd/<fd>/<name>`: one name, looked up in this directory. */
  at(name: string): string {
    if (this.#closed) throw fsError('bad-descriptor');
    return name === '.' ? `/proc/self/fd/${this.#fd}` : `/proc/self/fd/${this.#fd}/${name}`;
  }

  stat(): NodeStat {
    if (this.#closed) throw fsError('bad-descriptor');
    return toStat(
      wrap(() => fstatSync(this.#fd, { bigint: true })),
      this.#shadow,
    );
  }

  // `.` is the magic link /proc/self/fd/<fd> itself, which must be followed (it *is* this
  // directory) and never read as a link (its text is the host path).
  lstat(name: string): NodeStat {
    if (name === '.') return this.stat();
    return toStat(
      wrap(() => lstatSync(this.at(name), { bigint: true })),
      this.#shadow,
    );
  }

  readlink(name: string): string {
    if (name === '.') throw fsError('invalid');
    return wrap(() => readlinkSync(this.at(name), 'utf8'));
  }

  openDir(name: string): HostDir {
    const flags = O_PATH | O_DIRECTORY | (name === '.' ? 0 : O_NOFOLLOW);
    return new HostDir(
      wrap(() => openSync(this.at(name), flags)),
      this.#shadow,
    );
  }

  openFile(name: string, options: OpenFileOptions): { file: FileHandle; created: boolean } {
    if (name === '.') throw fsError('is-directory');
    const path = this.at(name);
    let flags = O_NOFOLLOW | O_NONBLOCK | (options.write ? (options.read ? O_RDWR : O_WRONLY) : O_RDONLY);
    if (options.sync === 'file') flags |= O_SYNC;
    else if (options.sync === 'data') flags |= O_DSYNC;
    let created = false;
    if (options.create) {
      flags |= O_CREAT;
      if (options.exclusive) {
        flags |= O_EXCL;
        created = true;
      } else {
        created = !wrap(() => existsNoFollow(path));
      }
    }
    const fd = wrap(() => openSync(path, flags, 0o666));
    try {
      const st = fstatSync(fd, { bigint: true });
      if (st.isDirectory()) throw fsError('is-directory');
      // FIFOs, sockets and devices are not files: reading one could block or reach a device.
      if (!st.isFile()) throw fsError('not-permitted', 'special-file', 'not a regular file');
    } catch (error) {
      closeSync(fd);
      throw error instanceof FsError ? error : fromNodeError(error);
    }
    return { file: new HostFile(fd, this.#shadow), created };
  }

  mkdir(name: string): void {
    wrap(() => mkdirSync(this.at(name), 0o777));
  }

  rmdir(name: string): void {
    if (name === '.') throw fsError('invalid');
    wrap(() => rmdirSync(this.at(name)));
  }

  unlink(name: string): void {
    if (name === '.') throw fsError('is-directory');
    wrap(() => unlinkSync(this.at(name)));
  }

  rename(name: string, to: DirHandle, toName: string): void {
    if (!(to instanceof HostDir)) throw fsError('cross-device');
    if (name === '.' || toName === '.') throw fsError('busy');
    wrap(() => renameSync(this.at(name), to.at(toName)));
  }

  symlink(target: string, name: string): void {
    if (name === '.') throw fsError('exist');
    wrap(() => symlinkSync(target, this.at(name)));
  }

  link(name: string, to: DirHandle, toName: string): void {
    if (!(to instanceof HostDir)) throw fsError('cross-device');
    if (name === '.') throw fsError('not-permitted', 'hard-link', 'directories cannot be linked');
    if (toName === '.') throw fsError('exist');
    // link(2) on Linux never follows a symbolic link in its source.
    wrap(() => linkSync(this.at(name), to.at(toName)));
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    this.setTimesAt('.', atime, mtime);
  }

  setTimesAt(name: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    const path = this.at(name);
    wrap(() => {
      const raw = () =>
        name === '.' ? fstatSync(this.#fd, { bigint: true }) : lstatSync(path, { bigint: true });
      setTimesWith(
        this.#shadow,
        () => {
          const st = raw();
          return [st, toStat(st, this.#shadow)];
        },
        (a, m) => (name === '.' ? utimesSync(path, a, m) : lutimesSync(path, a, m)),
        atime,
        mtime,
      );
    });
  }

  entries(): EntryIterator {
    const dir: Dir = wrap(() => opendirSync(this.at('.')));
    let closed = false;
    return {
      next(): DirEntry | undefined {
        if (closed) return undefined;
        const entry = wrap(() => dir.readSync());
        return entry ? { name: entry.name, type: nodeType(entry) } : undefined;
      },
      close() {
        if (closed) return;
        closed = true;
        try {
          dir.closeSync();
        } catch {
          // Already closed by the runtime: nothing to release.
        }
      },
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      closeSync(this.#fd);
    } catch {
      // EBADF cannot happen for a descriptor we own; ignore anything else on close.
    }
  }
}

function existsNoFollow(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Largest single read; a guest asking for more gets this much and loops. */
const MAX_READ = 1 << 20;

class HostFile implements FileHandle {
  readonly kind = 'file';
  #fd: number;
  #closed = false;
  readonly #shadow: TimesShadow;

  constructor(fd: number, shadow: TimesShadow) {
    this.#fd = fd;
    this.#shadow = shadow;
  }

  #check(): number {
    if (this.#closed) throw fsError('bad-descriptor');
    return this.#fd;
  }

  stat(): NodeStat {
    return toStat(
      wrap(() => fstatSync(this.#check(), { bigint: true })),
      this.#shadow,
    );
  }

  read(length: number, offset: number): Uint8Array {
    const fd = this.#check();
    const buffer = new Uint8Array(Math.min(length, MAX_READ));
    const n = wrap(() => readSync(fd, buffer, 0, buffer.length, offset));
    return buffer.subarray(0, n);
  }

  write(bytes: Uint8Array, offset: number): number {
    const fd = this.#check();
    let done = 0;
    while (done < bytes.length) {
      const n = wrap(() => writeSync(fd, bytes, done, bytes.length - done, offset + done));
      if (n <= 0) break;
      done += n;
    }
    return done;
  }

  setSize(size: number): void {
    const fd = this.#check();
    wrap(() => ftruncateSync(fd, size));
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    const fd = this.#check();
    wrap(() =>
      setTimesWith(
        this.#shadow,
        () => {
          const st = fstatSync(fd, { bigint: true });
          return [st, toStat(st, this.#shadow)];
        },
        (a, m) => futimesSync(fd, a, m),
        atime,
        mtime,
      ),
    );
  }

  sync(): void {
    const fd = this.#check();
    wrap(() => fsyncSync(fd));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      closeSync(this.#fd);
    } catch {
      // See HostDir.close.
    }
  }
}
