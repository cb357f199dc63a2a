/**
 * `wasi:filesystem` (types, preopens), scoped per sandbox.
 *
 * Without a grant the sandbox has no preopens, so no descriptor can ever exist (components built
 * with wasi-libc import these interfaces even when they never touch a file, so they link without
 * one). A grant on `wasi:filesystem/preopens` lists directories: host directories (reached only
 * through descriptors, see `fs/host.ts` and `fs/resolve.ts`) or in-memory ones private to the
 * sandbox, each with directory and file permissions, plus quotas. Every refusal is a WASI
 * `error-code` in the guest and a `capability:denied` event outside.
 */
import { resolve } from 'node:path';
import type { DirHandle, FileHandle, NewTimestamp, NodeStat, NodeType } from './fs/backend.js';
import { FsError, fromNodeError, fsError } from './fs/errors.js';
import { checkName, checkSymlinkTarget } from './fs/path.js';
import { withResolved } from './fs/resolve.js';
import { SandboxFs } from './fs/sandbox-fs.js';
import { type FilesystemScope, parseFilesystemScope } from './fs/scope.js';
import { type CapabilityProvider, chargeBytes, DEFAULT_HOST_COSTS, type SandboxContext } from './provider.js';
import { InputStream, IoError, OutputStream } from './wasi-io.js';
import { wasiFilesystemTypes } from './wit-types.js';

export { parseDirFlag, parseDirFlags, parseDirSpec } from './fs/scope.js';

interface DescriptorFlags {
  read?: boolean;
  write?: boolean;
  fileIntegritySync?: boolean;
  dataIntegritySync?: boolean;
  requestedWriteSync?: boolean;
  mutateDirectory?: boolean;
}

interface PathFlags {
  symlinkFollow?: boolean;
}

interface OpenFlags {
  create?: boolean;
  directory?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
}

interface DescriptorStat {
  type: NodeType;
  linkCount: bigint;
  size: bigint;
  dataAccessTimestamp?: NodeStat['atime'];
  dataModificationTimestamp?: NodeStat['mtime'];
  statusChangeTimestamp?: NodeStat['ctime'];
}

const MAX_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);

function descriptorStat(st: NodeStat): DescriptorStat {
  return {
    type: st.type,
    linkCount: st.linkCount,
    size: st.size,
    dataAccessTimestamp: st.atime,
    dataModificationTimestamp: st.mtime,
    statusChangeTimestamp: st.ctime,
  };
}

/** The type of an entry (not following it), or undefined when there is none. */
function entryType(dir: DirHandle, name: string): NodeType | undefined {
  try {
    return dir.lstat(name).type;
  } catch (error) {
    if (error instanceof FsError && error.code === 'no-entry') return undefined;
    throw error;
  }
}

/** The sync flags asked for at open, reported back by `get-flags`. */
function syncFlags(f: DescriptorFlags): DescriptorFlags {
  return {
    ...(f.fileIntegritySync ? { fileIntegritySync: true } : {}),
    ...(f.dataIntegritySync ? { dataIntegritySync: true } : {}),
    ...(f.requestedWriteSync ? { requestedWriteSync: true } : {}),
  };
}

function offset(value: bigint): number {
  if (value < 0n || value > MAX_OFFSET) throw fsError('file-too-large');
  return Number(value);
}

function mtimeNs(st: NodeStat): bigint {
  return st.mtime ? st.mtime.seconds * 1_000_000_000n + BigInt(st.mtime.nanoseconds) : 0n;
}

/** Fuel of one filesystem operation's work (its system calls), beyond the guest's call. */
const FS_OPERATION_FUEL = DEFAULT_HOST_COSTS.fsOperation;
/** The same for an operation that resolves a path (each component looked up and checked). */
const FS_PATH_FUEL = DEFAULT_HOST_COSTS.fsPath;

/**
 * A `datetime` with 10^9 nanoseconds or more is not a time (`utimensat` says EINVAL): stored, its
 * seconds would no longer fit the u64 a later `stat` returns (2^64 - 1 seconds and 2^32 - 1
 * nanoseconds is 2^64 + 3 seconds), and that stat would fail as the host's error.
 */
function checkTimestamps(atime: NewTimestamp, mtime: NewTimestamp): void {
  for (const t of [atime, mtime]) {
    if (t.tag === 'timestamp' && !(t.val.nanoseconds >= 0 && t.val.nanoseconds < 1_000_000_000)) {
      throw fsError('invalid');
    }
  }
}

/**
 * Run one guest operation: an `FsError` becomes the WASI error code the glue hands to the guest
 * (a thrown string is a WIT `result` error, not a trap); a policy refusal is also an event.
 */
function guard<T>(fs: SandboxFs, op: string, path: string | undefined, body: () => T): T {
  // Every filesystem operation passes here: it is where its work is charged (the guest's call
  // itself was charged where it entered the host: the gate, the canonical ABI or preview1).
  fs.context.charge(path === undefined ? FS_OPERATION_FUEL : FS_PATH_FUEL);
  try {
    return body();
  } catch (error) {
    const failure = error instanceof FsError ? error : fromNodeError(error);
    fs.deny(op, path, failure);
    throw failure.code;
  }
}

/** An open file shared by a descriptor and the streams opened on it; closed when the last one lets go. */
class OpenFile {
  #refs = 1;
  constructor(
    readonly fs: SandboxFs,
    readonly file: FileHandle,
  ) {
    fs.adopt(file);
  }
  retain(): this {
    this.#refs++;
    return this;
  }
  release(): void {
    if (--this.#refs === 0) this.fs.release(this.file);
  }
}

type Node = { kind: 'dir'; dir: DirHandle; owned: boolean } | { kind: 'file'; open: OpenFile };

export class Descriptor {
  readonly #fs: SandboxFs;
  readonly #preopen: number;
  readonly #dirPerms: 'read' | 'read-write';
  readonly #filePerms: 'read' | 'read-write';
  readonly #flags: DescriptorFlags;
  #node: Node | undefined;

  /** Host-side only: the guest never constructs a descriptor. */
  constructor(
    fs: SandboxFs,
    preopen: number,
    node: Node,
    flags: DescriptorFlags,
    perms: { dir: 'read' | 'read-write'; file: 'read' | 'read-write' },
  ) {
    this.#fs = fs;
    this.#preopen = preopen;
    this.#node = node;
    this.#flags = flags;
    this.#dirPerms = perms.dir;
    this.#filePerms = perms.file;
  }

  #get(): Node {
    if (!this.#node) throw fsError('bad-descriptor');
    return this.#node;
  }

  #dir(): DirHandle {
    const node = this.#get();
    if (node.kind !== 'dir') throw fsError('not-directory');
    return node.dir;
  }

  #file(): OpenFile {
    const node = this.#get();
    if (node.kind !== 'file') throw fsError('is-directory');
    return node.open;
  }

  #needMutate(): void {
    if (this.#dirPerms !== 'read-write')
      throw fsError('read-only', 'read-only', 'directory granted read-only');
  }

  #needFileWrite(): void {
    if (this.#filePerms !== 'read-write') throw fsError('read-only', 'read-only', 'files granted read-only');
  }

  /** Whether this descriptor's preopen was granted hard links. */
  #hardLinks(): boolean {
    return this.#fs.roots[this.#preopen]?.spec.hardLinks ?? this.#fs.scope.hardLinks;
  }

  #stat(): NodeStat {
    const node = this.#get();
    return node.kind === 'dir' ? node.dir.stat() : node.open.file.stat();
  }

  #child(node: Node, flags: DescriptorFlags): Descriptor {
    return new Descriptor(this.#fs, this.#preopen, node, flags, {
      dir: this.#dirPerms,
      file: this.#filePerms,
    });
  }

  /** Charge a write of `length` bytes at `at`, including any gap it opens past the end. */
  #charge(op: string, file: FileHandle, length: number, at: number): void {
    const size = Number(file.stat().size);
    this.#fs.chargeBytes(op, length + Math.max(0, at - size));
  }

  readViaStream(at: bigint): InputStream {
    return guard(this.#fs, 'read-via-stream', undefined, () => {
      const open = this.#file();
      if (!this.#flags.read) throw fsError('bad-descriptor');
      let position = offset(at);
      open.retain();
      return new InputStream({
        read: (max) => {
          try {
            this.#fs.context.charge(FS_OPERATION_FUEL);
            const bytes = open.file.read(max, position);
            chargeBytes(this.#fs.context, bytes.length);
            if (bytes.length === 0 && max > 0) return undefined;
            position += bytes.length;
            return bytes;
          } catch (error) {
            throw streamError(error);
          }
        },
        close: () => open.release(),
      });
    });
  }

  writeViaStream(at: bigint): OutputStream {
    return guard(this.#fs, 'write-via-stream', undefined, () => this.#writer(offset(at), false));
  }

  appendViaStream(): OutputStream {
    return guard(this.#fs, 'append-via-stream', undefined, () => this.#writer(0, true));
  }

  #writer(start: number, append: boolean): OutputStream {
    const open = this.#file();
    if (!this.#flags.write) throw fsError('bad-descriptor');
    let position = start;
    open.retain();
    return new OutputStream(
      {
        capacity: () => 1n << 20n,
        write: (bytes) => {
          try {
            // The bytes were charged as the guest passed them (canonical ABI or preview1).
            this.#fs.context.charge(FS_OPERATION_FUEL);
            if (append) position = Number(open.file.stat().size);
            this.#charge('write', open.file, bytes.length, position);
            position += open.file.write(bytes, position);
          } catch (error) {
            throw streamError(error);
          }
        },
        close: () => open.release(),
      },
      this.#fs.context,
    );
  }

  advise(_offset: bigint, _length: bigint, _advice: string): void {
    guard(this.#fs, 'advise', undefined, () => this.#file());
  }

  syncData(): void {
    this.sync();
  }

  sync(): void {
    guard(this.#fs, 'sync', undefined, () => {
      const node = this.#get();
      if (node.kind === 'file') node.open.file.sync();
    });
  }

  getFlags(): DescriptorFlags {
    return guard(this.#fs, 'get-flags', undefined, () => {
      this.#get();
      return this.#flags;
    });
  }

  getType(): NodeType {
    return guard(this.#fs, 'get-type', undefined, () => this.#stat().type);
  }

  setSize(size: bigint): void {
    guard(this.#fs, 'set-size', undefined, () => {
      const open = this.#file();
      if (!this.#flags.write) throw fsError('bad-descriptor');
      const target = offset(size);
      const current = Number(open.file.stat().size);
      this.#fs.chargeBytes('set-size', target - current);
      open.file.setSize(target);
    });
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    guard(this.#fs, 'set-times', undefined, () => {
      checkTimestamps(atime, mtime);
      const node = this.#get();
      if (node.kind === 'dir') {
        this.#needMutate();
        node.dir.setTimes(atime, mtime);
      } else {
        this.#needFileWrite();
        node.open.file.setTimes(atime, mtime);
      }
    });
  }

  read(length: bigint, at: bigint): [Uint8Array, boolean] {
    return guard(this.#fs, 'read', undefined, () => {
      const open = this.#file();
      if (!this.#flags.read) throw fsError('bad-descriptor');
      const position = offset(at);
      const want = length > 1n << 20n ? 1 << 20 : Number(length);
      const bytes = open.file.read(want, position);
      chargeBytes(this.#fs.context, bytes.length);
      const eof = bytes.length < want || position + bytes.length >= Number(open.file.stat().size);
      return [bytes, want > 0 && eof];
    });
  }

  write(buffer: Uint8Array, at: bigint): bigint {
    return guard(this.#fs, 'write', undefined, () => {
      const open = this.#file();
      if (!this.#flags.write) throw fsError('bad-descriptor');
      const position = offset(at);
      // Quota only: the bytes were charged as the guest passed them.
      this.#charge('write', open.file, buffer.length, position);
      return BigInt(open.file.write(buffer, position));
    });
  }

  readDirectory(): DirectoryEntryStream {
    return guard(this.#fs, 'read-directory', undefined, () => {
      const dir = this.#dir();
      this.#fs.reserveDescriptor('read-directory');
      return new DirectoryEntryStream(this.#fs, this.#fs.adopt(dir.entries()));
    });
  }

  createDirectoryAt(path: string): void {
    guard(this.#fs, 'create-directory-at', path, () => {
      this.#needMutate();
      const base = this.#dir();
      if (!this.#fs.mayCreate()) throw this.#fs.quotaFiles('create-directory-at', path);
      withResolved(this.#fs.context, base, path, false, ({ dir, name }) => dir.mkdir(name));
      this.#fs.filesCreated++;
    });
  }

  stat(): DescriptorStat {
    return guard(this.#fs, 'stat', undefined, () => descriptorStat(this.#stat()));
  }

  statAt(flags: PathFlags, path: string): DescriptorStat {
    return guard(this.#fs, 'stat-at', path, () =>
      withResolved(this.#fs.context, this.#dir(), path, !!flags?.symlinkFollow, ({ dir, name }) =>
        descriptorStat(name === '.' ? dir.stat() : dir.lstat(name)),
      ),
    );
  }

  setTimesAt(flags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    guard(this.#fs, 'set-times-at', path, () => {
      checkTimestamps(atime, mtime);
      this.#needMutate();
      withResolved(this.#fs.context, this.#dir(), path, !!flags?.symlinkFollow, ({ dir, name }) =>
        dir.setTimesAt(name, atime, mtime),
      );
    });
  }

  linkAt(oldFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    guard(this.#fs, 'link-at', newPath, () => {
      if (!this.#hardLinks()) throw fsError('not-permitted', 'hard-link', 'hard links are not granted');
      // A link is made to the entry itself, never to what it points at (as in Wasmtime).
      if (oldFlags?.symlinkFollow) throw fsError('invalid');
      const target = Descriptor.same(this.#fs, newDescriptor);
      // A link across preopens would let a read-only grant's file be written through another.
      if (target.#preopen !== this.#preopen)
        throw fsError('cross-device', 'hard-link', 'link across preopens');
      target.#needMutate();
      if (!this.#fs.mayCreate()) throw this.#fs.quotaFiles('link-at', newPath);
      withResolved(
        this.#fs.context,
        this.#dir(),
        oldPath,
        false,
        (from) => {
          const type = from.name === '.' ? 'directory' : from.dir.lstat(from.name).type;
          if (type === 'directory')
            throw fsError('not-permitted', 'hard-link', 'directories cannot be linked');
          if (from.trailingSlash) throw fsError('not-directory');
          if (type === 'symbolic-link') {
            // Its text is resolved from wherever the new name is: it must stay inside that directory.
            checkSymlinkTarget(from.dir.readlink(from.name));
          } else if (type !== 'regular-file') {
            throw fsError('not-permitted', 'special-file', 'not a regular file');
          }
          withResolved(
            this.#fs.context,
            target.#dir(),
            newPath,
            false,
            (to) => {
              if (to.trailingSlash)
                throw fsError(entryType(to.dir, to.name) === undefined ? 'no-entry' : 'exist');
              from.dir.link(from.name, to.dir, to.name);
            },
            false,
          );
        },
        false,
      );
      this.#fs.filesCreated++;
    });
  }

  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    return guard(this.#fs, 'open-at', path, () => {
      const base = this.#dir();
      const o = openFlags ?? {};
      const f = flags ?? {};
      if (f.write || o.truncate) this.#needFileWrite();
      if (f.mutateDirectory || o.create) this.#needMutate();
      if (o.directory && (o.create || o.exclusive || o.truncate)) throw fsError('invalid');
      this.#fs.reserveDescriptor('open-at', path);
      return withResolved(
        this.#fs.context,
        base,
        path,
        !!pathFlags?.symlinkFollow,
        ({ dir, name, trailingSlash }) => {
          let type: NodeType | undefined;
          try {
            type = (name === '.' ? dir.stat() : dir.lstat(name)).type;
          } catch (error) {
            if (!(error instanceof FsError && error.code === 'no-entry')) throw error;
          }
          if (type === 'directory') {
            if (o.create && o.exclusive) throw fsError('exist');
            // A directory is never opened for writing (open(2) with O_CREAT or a write mode: EISDIR).
            if (f.write || o.truncate || o.create) throw fsError('is-directory');
            const opened = this.#fs.adopt(dir.openDir(name));
            return this.#child(
              { kind: 'dir', dir: opened, owned: true },
              { ...syncFlags(f), read: true, mutateDirectory: !!f.mutateDirectory },
            );
          }
          if (type === 'symbolic-link') throw fsError('loop');
          if (o.directory || trailingSlash)
            throw fsError(type === undefined && !o.create ? 'no-entry' : 'not-directory');
          if (type !== undefined && type !== 'regular-file') {
            throw fsError('not-permitted', 'special-file', 'not a regular file');
          }
          const create = !!o.create && (type !== undefined || this.#fs.mayCreate());
          if (o.create && !create) throw this.#fs.quotaFiles('open-at', path);
          if (type === undefined && !o.create) throw fsError('no-entry');
          if (name !== '.') checkName(name);
          // Neither read nor write asked: opened for reading (as Wasmtime does); truncating needs the
          // host file open for writing, whatever the descriptor may do afterwards.
          const read = !!f.read || !f.write;
          const { file, created } = dir.openFile(name, {
            create,
            exclusive: !!o.exclusive,
            read,
            write: !!f.write || !!o.truncate,
            sync:
              f.fileIntegritySync || f.requestedWriteSync ? 'file' : f.dataIntegritySync ? 'data' : undefined,
          });
          if (created) this.#fs.filesCreated++;
          const open = new OpenFile(this.#fs, file);
          try {
            // A second name for a file may be a link to something outside every grant.
            if (!this.#hardLinks() && file.stat().linkCount > 1n) {
              throw fsError('not-permitted', 'hard-link', 'file has several hard links');
            }
            if (o.truncate) file.setSize(0);
          } catch (error) {
            open.release();
            throw error;
          }
          // Reported back as opened: read, write and the sync flags.
          return this.#child({ kind: 'file', open }, { ...syncFlags(f), read, write: !!f.write });
        },
      );
    });
  }

  readlinkAt(path: string): string {
    return guard(this.#fs, 'readlink-at', path, () =>
      withResolved(this.#fs.context, this.#dir(), path, false, ({ dir, name }) => {
        if (name === '.') throw fsError('invalid');
        return dir.readlink(name);
      }),
    );
  }

  removeDirectoryAt(path: string): void {
    guard(this.#fs, 'remove-directory-at', path, () => {
      this.#needMutate();
      // `dir/` removes `dir`; a trailing slash never follows a link here (rmdir of one: ENOTDIR).
      withResolved(this.#fs.context, this.#dir(), path, false, ({ dir, name }) => dir.rmdir(name), false);
    });
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    guard(this.#fs, 'rename-at', newPath, () => {
      this.#needMutate();
      const target = Descriptor.same(this.#fs, newDescriptor);
      target.#needMutate();
      // Moving an entry between preopens could carry a read-only grant's file into a writable one.
      if (target.#preopen !== this.#preopen) throw fsError('cross-device');
      // Neither end follows a link; a trailing slash on either says the source is a directory.
      withResolved(
        this.#fs.context,
        this.#dir(),
        oldPath,
        false,
        (from) =>
          withResolved(
            this.#fs.context,
            target.#dir(),
            newPath,
            false,
            (to) => {
              if (from.trailingSlash || to.trailingSlash) {
                const type = from.name === '.' ? 'directory' : entryType(from.dir, from.name);
                if (type === undefined) throw fsError('no-entry');
                if (type !== 'directory') throw fsError('not-directory');
                const existing = to.name === '.' ? 'directory' : entryType(to.dir, to.name);
                if (existing !== undefined && existing !== 'directory') throw fsError('not-directory');
              }
              from.dir.rename(from.name, to.dir, to.name);
            },
            false,
          ),
        false,
      );
    });
  }

  symlinkAt(oldPath: string, newPath: string): void {
    guard(this.#fs, 'symlink-at', newPath, () => {
      this.#needMutate();
      checkSymlinkTarget(oldPath);
      if (!this.#fs.mayCreate()) throw this.#fs.quotaFiles('symlink-at', newPath);
      // The link's text is bytes written (an in-memory link holds it on the host's heap): counted
      // as one file only, 10,000 links of 4,016 bytes would hold 40 MB past the byte quota
      // (hostile/fs/symlink-text-outside-quota). Checked first, counted once the link is made.
      const text = Buffer.byteLength(oldPath);
      this.#fs.mayWrite('symlink-at', text);
      withResolved(
        this.#fs.context,
        this.#dir(),
        newPath,
        false,
        ({ dir, name, trailingSlash }) => {
          // `name/` can only name a directory: a new link there is ENOENT, an existing entry EEXIST
          // (ENOTDIR for a file), as on Linux.
          if (trailingSlash) {
            const type = name === '.' ? 'directory' : entryType(dir, name);
            throw fsError(
              type === undefined ? 'no-entry' : type === 'regular-file' ? 'not-directory' : 'exist',
            );
          }
          dir.symlink(oldPath, name);
        },
        false,
      );
      this.#fs.filesCreated++;
      this.#fs.bytesWritten += text;
    });
  }

  unlinkFileAt(path: string): void {
    guard(this.#fs, 'unlink-file-at', path, () => {
      this.#needMutate();
      if (path.endsWith('/')) {
        // Never succeeds on Linux: EISDIR for what names a directory, ENOTDIR otherwise.
        const type = withResolved(this.#fs.context, this.#dir(), path, false, ({ dir, name }) =>
          name === '.' ? 'directory' : entryType(dir, name),
        );
        throw fsError(
          type === undefined ? 'no-entry' : type === 'directory' ? 'is-directory' : 'not-directory',
        );
      }
      withResolved(this.#fs.context, this.#dir(), path, false, ({ dir, name }) => dir.unlink(name), false);
    });
  }

  /** Host-side (preview1): whether this descriptor is a directory or a file. */
  get kind(): 'dir' | 'file' {
    return this.#get().kind;
  }

  /**
   * Host-side (preview1's `ino`): a number for the object this descriptor refers to, the same
   * for every name and descriptor of it and stable while it exists, revealing nothing of host
   * inode numbers (a keyed hash of its identity).
   */
  inode(): bigint {
    return guard(this.#fs, 'stat', undefined, () => this.#fs.inode(this.#stat().identity));
  }

  /** Host-side (preview1): `inode` of what `path` names. */
  inodeAt(flags: PathFlags, path: string): bigint {
    return guard(this.#fs, 'stat-at', path, () =>
      withResolved(this.#fs.context, this.#dir(), path, !!flags?.symlinkFollow, ({ dir, name }) =>
        this.#fs.inode((name === '.' ? dir.stat() : dir.lstat(name)).identity),
      ),
    );
  }

  isSameObject(other: Descriptor): boolean {
    return guard(this.#fs, 'is-same-object', undefined, () => {
      if (!(other instanceof Descriptor) || other.#fs !== this.#fs) return false;
      return this.#stat().identity === other.#stat().identity;
    });
  }

  metadataHash(): { lower: bigint; upper: bigint } {
    return guard(this.#fs, 'metadata-hash', undefined, () => this.#hash(this.#stat()));
  }

  metadataHashAt(flags: PathFlags, path: string): { lower: bigint; upper: bigint } {
    return guard(this.#fs, 'metadata-hash-at', path, () =>
      withResolved(this.#fs.context, this.#dir(), path, !!flags?.symlinkFollow, ({ dir, name }) =>
        this.#hash(name === '.' ? dir.stat() : dir.lstat(name)),
      ),
    );
  }

  #hash(st: NodeStat): { lower: bigint; upper: bigint } {
    return this.#fs.metadataHash(st.identity, st.size, mtimeNs(st));
  }

  [Symbol.dispose](): void {
    const node = this.#node;
    this.#node = undefined;
    if (!node) return;
    if (node.kind === 'file') node.open.release();
    else if (node.owned) this.#fs.release(node.dir);
  }

  /** A descriptor handed in by the guest must be one of this sandbox's (it always is through jco's tables). */
  static same(fs: SandboxFs, other: Descriptor): Descriptor {
    if (!(other instanceof Descriptor) || other.#fs !== fs) throw fsError('bad-descriptor');
    return other;
  }

  /** Kernel-internal: the preopen descriptors of a sandbox (they do not own their root). */
  static preopen(fs: SandboxFs, index: number): Descriptor {
    const root = fs.roots[index]!;
    const { dirPerms, filePerms } = root.spec;
    return new Descriptor(
      fs,
      index,
      { kind: 'dir', dir: root.root, owned: false },
      { read: true, mutateDirectory: dirPerms === 'read-write' },
      { dir: dirPerms, file: filePerms },
    );
  }
}

function streamError(error: unknown): IoError {
  const failure = error instanceof FsError ? error : fromNodeError(error);
  return new IoError(`filesystem error: ${failure.code}`, failure.code);
}

export class DirectoryEntryStream {
  readonly #fs: SandboxFs;
  #entries: ReturnType<DirHandle['entries']> | undefined;

  constructor(fs: SandboxFs, entries: ReturnType<DirHandle['entries']>) {
    this.#fs = fs;
    this.#entries = entries;
  }

  readDirectoryEntry(): { type: NodeType; name: string } | undefined {
    return guard(this.#fs, 'read-directory-entry', undefined, () => {
      if (!this.#entries) throw fsError('bad-descriptor');
      return this.#entries.next();
    });
  }

  [Symbol.dispose](): void {
    const entries = this.#entries;
    this.#entries = undefined;
    if (entries) this.#fs.release(entries);
  }
}

/** `filesystem-error-code`: the code behind a stream's `last-operation-failed`, if it came from a file. */
export function filesystemErrorCode(error: IoError): string | undefined {
  return error instanceof IoError ? error.code : undefined;
}

const EMPTY_SCOPE: FilesystemScope = {
  preopens: [],
  bytesWritten: 0,
  filesCreated: 0,
  openDescriptors: 1,
  hardLinks: false,
};

function sandboxFs(context: SandboxContext, scope: FilesystemScope | undefined): SandboxFs {
  return context.state('wasi-filesystem', () => new SandboxFs(scope ?? EMPTY_SCOPE, context));
}

export const wasiFilesystem: CapabilityProvider = {
  name: 'wasi-filesystem',
  interfaces: ['wasi:filesystem/types', 'wasi:filesystem/preopens'],
  wit: wasiFilesystemTypes,
  // Without a grant there are no preopens, hence no descriptors: no authority at all.
  authorityFree: ['wasi:filesystem/types', 'wasi:filesystem/preopens'],
  parseScope(iface, scope) {
    // The scope lives on the preopens grant; a family grant (wasi:filesystem/*) carries it to both.
    return parseFilesystemScope(iface, scope);
  },
  secrets(_iface, scope) {
    // Host paths, as given and made absolute: the host's layout stays out of the log.
    const preopens = (scope as { preopens?: unknown } | undefined)?.preopens;
    if (!Array.isArray(preopens)) return [];
    return preopens.flatMap((p: unknown) => {
      const host = (p as { host?: unknown } | null)?.host;
      return typeof host === 'string' && !host.includes('\0') ? [host, resolve(host)] : [];
    });
  },
  link({ interface: iface, scope, context }) {
    if (iface === 'wasi:filesystem/preopens') {
      const fs = sandboxFs(context, scope as FilesystemScope | undefined);
      return {
        getDirectories: () => fs.roots.map((root) => [Descriptor.preopen(fs, root.index), root.spec.guest]),
      };
    }
    return { Descriptor, DirectoryEntryStream, filesystemErrorCode };
  },
};
