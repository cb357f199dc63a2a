/**
 * The in-memory backend: a sandbox's own filesystem, the embedded default (a preopen with no
 * host directory). It lives and dies with the sandbox; no other sandbox can name it. Its size is
 * bounded by the filesystem quotas (bytes written, entries created), checked by the caller.
 */
import type {
  Datetime,
  DirHandle,
  EntryIterator,
  FileHandle,
  NewTimestamp,
  NodeStat,
  NodeType,
  OpenFileOptions,
} from './backend.js';
import { fsError } from './errors.js';

const NS = 1_000_000_000n;

interface Times {
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
}

class MemFile {
  readonly type = 'regular-file';
  data = new Uint8Array(0);
  size = 0;
  nlink = 1;
  constructor(
    readonly id: number,
    readonly times: Times,
  ) {}
}

class MemDir {
  readonly type = 'directory';
  /** Read only here: changed through `set` and `delete`, which keep the listing order beside it. */
  readonly entries = new Map<string, MemNode>();
  /**
   * The names in the order they were added, `undefined` where one was removed since, and each
   * one's sequence number (`#seqs`, increasing): what a listing reads, by position. A listing
   * held a live iterator of `entries` before, and V8 keeps the hash table an iterator was made on
   * (every key and value in it) alive after the map is rebuilt, until the iterator moves: no
   * quota counts renames, so 64 listings opened between 128,000 renames of 1,000 long names held
   * 40 MB (hostile/fs/listing-pins-renamed-tables). An array is compacted in place instead, and
   * a listing holds numbers only.
   */
  readonly #names: (string | undefined)[] = [];
  readonly #seqs: number[] = [];
  /** Each present name's sequence number (its place in `#seqs`, found by binary search). */
  readonly #seqOf = new Map<string, number>();
  #adds = 0;
  #removed = 0;
  /** Moves on at each compaction: a listing's position from before is found again by its sequence number. */
  #compactions = 0;
  parent: MemDir | undefined;
  removed = false;
  constructor(
    readonly id: number,
    readonly times: Times,
    parent?: MemDir,
  ) {
    this.parent = parent;
  }

  set(name: string, node: MemNode): void {
    if (!this.entries.has(name)) {
      const seq = this.#adds++;
      this.#seqOf.set(name, seq);
      this.#names.push(name);
      this.#seqs.push(seq);
    }
    this.entries.set(name, node);
  }

  delete(name: string): void {
    if (!this.entries.delete(name)) return;
    const seq = this.#seqOf.get(name)!;
    this.#seqOf.delete(name);
    this.#names[this.#at(seq)] = undefined;
    // Compacted once the removed are half the array (and past a few): each removal pays for its
    // share of one pass, and the array is at most twice the entries (plus 32).
    if (++this.#removed > 32 && this.#removed * 2 > this.#names.length) this.#compact();
  }

  /** The first position whose sequence number is at least `seq`. */
  #at(seq: number): number {
    const seqs = this.#seqs;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #compact(): void {
    const names = this.#names;
    const seqs = this.#seqs;
    let w = 0;
    for (let r = 0; r < names.length; r++) {
      const name = names[r];
      if (name === undefined) continue;
      names[w] = name;
      seqs[w] = seqs[r]!;
      w++;
    }
    names.length = w;
    seqs.length = w;
    this.#removed = 0;
    this.#compactions++;
  }

  /**
   * The entries as they are listed: live, up to the last one added before this call. The
   * listing holds its position, the sequence number it reached and the directory's compaction
   * count, nothing of `entries`.
   */
  listing(): () => [string, MemNode] | undefined {
    const end = this.#adds;
    let at = 0;
    let next = 0;
    let compactions = this.#compactions;
    return () => {
      if (compactions !== this.#compactions) {
        compactions = this.#compactions;
        at = this.#at(next);
      }
      const names = this.#names;
      const seqs = this.#seqs;
      while (at < names.length) {
        const seq = seqs[at]!;
        // Sequence numbers increase: from the first added since the open, every later one was too.
        if (seq >= end) return undefined;
        const name = names[at++];
        next = seq + 1;
        if (name !== undefined) return [name, this.entries.get(name)!];
      }
      return undefined;
    };
  }
}

class MemSymlink {
  readonly type = 'symbolic-link';
  nlink = 1;
  constructor(
    readonly id: number,
    readonly times: Times,
    readonly target: string,
  ) {}
}

type MemNode = MemFile | MemDir | MemSymlink;

function datetime(ns: bigint): Datetime {
  return { seconds: ns / NS, nanoseconds: Number(ns % NS) };
}

/** One in-memory tree (one preopen). `now` is the sandbox's wall clock, in nanoseconds. */
export class MemoryFs {
  readonly root: MemDir;
  #nextId = 1;

  constructor(readonly now: () => bigint) {
    this.root = new MemDir(this.#nextId++, this.#times());
  }

  #times(): Times {
    const t = this.now();
    return { atime: t, mtime: t, ctime: t };
  }

  newFile(): MemFile {
    return new MemFile(this.#nextId++, this.#times());
  }

  newDir(parent: MemDir): MemDir {
    return new MemDir(this.#nextId++, this.#times(), parent);
  }

  newSymlink(target: string): MemSymlink {
    return new MemSymlink(this.#nextId++, this.#times(), target);
  }

  stat(node: MemNode): NodeStat {
    const links = node instanceof MemDir ? 2 + countDirs(node) : node.nlink;
    const size = node instanceof MemFile ? node.size : node instanceof MemSymlink ? node.target.length : 0;
    return {
      type: node.type as NodeType,
      linkCount: BigInt(links),
      size: BigInt(size),
      atime: datetime(node.times.atime),
      mtime: datetime(node.times.mtime),
      ctime: datetime(node.times.ctime),
      identity: `memory:${node.id}`,
    };
  }

  setTimes(node: MemNode, atime: NewTimestamp, mtime: NewTimestamp): void {
    const resolve = (spec: NewTimestamp, current: bigint) =>
      spec.tag === 'now'
        ? this.now()
        : spec.tag === 'timestamp'
          ? spec.val.seconds * NS + BigInt(spec.val.nanoseconds)
          : current;
    node.times.atime = resolve(atime, node.times.atime);
    node.times.mtime = resolve(mtime, node.times.mtime);
    node.times.ctime = this.now();
  }

  openRoot(): MemDirHandle {
    return new MemDirHandle(this, this.root);
  }
}

function countDirs(dir: MemDir): number {
  let n = 0;
  for (const child of dir.entries.values()) if (child instanceof MemDir) n++;
  return n;
}

export class MemDirHandle implements DirHandle {
  readonly kind = 'dir';
  #closed = false;

  constructor(
    readonly fs: MemoryFs,
    readonly node: MemDir,
  ) {}

  get device(): object {
    return this.fs;
  }

  #dir(): MemDir {
    if (this.#closed) throw fsError('bad-descriptor');
    return this.node;
  }

  #get(name: string): MemNode {
    const dir = this.#dir();
    if (name === '.') return dir;
    const node = dir.entries.get(name);
    if (!node) throw fsError('no-entry');
    return node;
  }

  /** A directory that was removed accepts no new entries. */
  #writable(): MemDir {
    const dir = this.#dir();
    if (dir.removed) throw fsError('no-entry');
    return dir;
  }

  #touch(dir: MemDir): void {
    const t = this.fs.now();
    dir.times.mtime = t;
    dir.times.ctime = t;
  }

  stat(): NodeStat {
    return this.fs.stat(this.#dir());
  }

  lstat(name: string): NodeStat {
    return this.fs.stat(this.#get(name));
  }

  readlink(name: string): string {
    const node = this.#get(name);
    if (!(node instanceof MemSymlink)) throw fsError('invalid');
    return node.target;
  }

  openDir(name: string): MemDirHandle {
    const node = this.#get(name);
    if (node instanceof MemSymlink) throw fsError('loop');
    if (!(node instanceof MemDir)) throw fsError('not-directory');
    return new MemDirHandle(this.fs, node);
  }

  openFile(name: string, options: OpenFileOptions): { file: FileHandle; created: boolean } {
    const dir = this.#dir();
    const existing = name === '.' ? dir : dir.entries.get(name);
    if (existing) {
      if (options.create && options.exclusive) throw fsError('exist');
      if (existing instanceof MemSymlink) throw fsError('loop');
      if (existing instanceof MemDir) throw fsError('is-directory');
      return { file: new MemFileHandle(this.fs, existing), created: false };
    }
    if (!options.create) throw fsError('no-entry');
    const file = this.fs.newFile();
    this.#writable().set(name, file);
    this.#touch(dir);
    return { file: new MemFileHandle(this.fs, file), created: true };
  }

  mkdir(name: string): void {
    const dir = this.#writable();
    if (name === '.' || dir.entries.has(name)) throw fsError('exist');
    dir.set(name, this.fs.newDir(dir));
    this.#touch(dir);
  }

  rmdir(name: string): void {
    if (name === '.') throw fsError('invalid');
    const dir = this.#dir();
    const node = this.#get(name);
    if (!(node instanceof MemDir)) throw fsError('not-directory');
    if (node.entries.size > 0) throw fsError('not-empty');
    dir.delete(name);
    node.removed = true;
    this.#touch(dir);
  }

  unlink(name: string): void {
    const dir = this.#dir();
    const node = this.#get(name);
    if (node instanceof MemDir) throw fsError('is-directory');
    dir.delete(name);
    node.nlink--;
    this.#touch(dir);
  }

  rename(name: string, to: DirHandle, toName: string): void {
    if (!(to instanceof MemDirHandle) || to.fs !== this.fs) throw fsError('cross-device');
    if (name === '.' || toName === '.') throw fsError('busy');
    const from = this.#dir();
    const node = this.#get(name);
    const target = to.#writable();
    const existing = target.entries.get(toName);
    if (existing === node) return;
    if (node instanceof MemDir) {
      // A directory cannot move into itself or below itself.
      for (let d: MemDir | undefined = target; d; d = d.parent) if (d === node) throw fsError('invalid');
      if (existing && !(existing instanceof MemDir)) throw fsError('not-directory');
      if (existing instanceof MemDir && existing.entries.size > 0) throw fsError('not-empty');
      node.parent = target;
    } else if (existing instanceof MemDir) {
      throw fsError('is-directory');
    }
    if (existing instanceof MemDir) existing.removed = true;
    else if (existing) existing.nlink--;
    from.delete(name);
    target.set(toName, node);
    this.#touch(from);
    this.#touch(target);
  }

  symlink(target: string, name: string): void {
    const dir = this.#writable();
    if (name === '.' || dir.entries.has(name)) throw fsError('exist');
    dir.set(name, this.fs.newSymlink(target));
    this.#touch(dir);
  }

  link(name: string, to: DirHandle, toName: string): void {
    if (!(to instanceof MemDirHandle) || to.fs !== this.fs) throw fsError('cross-device');
    const node = this.#get(name);
    if (node instanceof MemDir) throw fsError('not-permitted', 'hard-link', 'directories cannot be linked');
    const target = to.#writable();
    if (toName === '.' || target.entries.has(toName)) throw fsError('exist');
    target.set(toName, node);
    node.nlink++;
    this.#touch(target);
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    this.fs.setTimes(this.#dir(), atime, mtime);
  }

  setTimesAt(name: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    this.fs.setTimes(this.#get(name), atime, mtime);
  }

  entries(): EntryIterator {
    // The directory's own entries, read as the guest reads (as readdir(3) reads a host directory):
    // a copy of its entries made at every open held 256 listings of 10,000 entries (a guest's
    // files: 184 MB) on the host's heap at once, each made at one operation's price, 100x
    // compute (hostile/fs/memory-listing-copies). Entries removed since are skipped, those added
    // since are not listed (a guest renaming each entry as it lists them would meet it again at
    // the end, without end), as POSIX allows either. A position, not a `Map` iterator (`listing`).
    let live: (() => [string, MemNode] | undefined) | undefined = this.#dir().listing();
    return {
      next: () => {
        const entry = live?.();
        if (entry === undefined) {
          live = undefined;
          return undefined;
        }
        return { name: entry[0], type: entry[1].type as NodeType };
      },
      close: () => {
        live = undefined;
      },
    };
  }

  close(): void {
    this.#closed = true;
  }
}

/** Largest single read (as for host files). */
const MAX_READ = 1 << 20;

class MemFileHandle implements FileHandle {
  readonly kind = 'file';
  #closed = false;

  constructor(
    readonly fs: MemoryFs,
    readonly node: MemFile,
  ) {}

  #file(): MemFile {
    if (this.#closed) throw fsError('bad-descriptor');
    return this.node;
  }

  stat(): NodeStat {
    return this.fs.stat(this.#file());
  }

  read(length: number, offset: number): Uint8Array {
    const file = this.#file();
    if (offset >= file.size) return new Uint8Array(0);
    const end = Math.min(file.size, offset + Math.min(length, MAX_READ));
    file.times.atime = this.fs.now();
    return file.data.slice(offset, end);
  }

  write(bytes: Uint8Array, offset: number): number {
    const file = this.#file();
    const end = offset + bytes.length;
    this.#reserve(file, end);
    file.data.set(bytes, offset);
    if (end > file.size) file.size = end;
    const t = this.fs.now();
    file.times.mtime = t;
    file.times.ctime = t;
    return bytes.length;
  }

  #reserve(file: MemFile, size: number): void {
    if (size <= file.data.length) return;
    const grown = new Uint8Array(Math.max(size, Math.min(file.data.length * 2, size + (1 << 20))));
    grown.set(file.data.subarray(0, file.size));
    file.data = grown;
  }

  setSize(size: number): void {
    const file = this.#file();
    if (size > file.size) this.#reserve(file, size);
    else file.data.fill(0, size, file.size);
    file.size = size;
    const t = this.fs.now();
    file.times.mtime = t;
    file.times.ctime = t;
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    this.fs.setTimes(this.#file(), atime, mtime);
  }

  sync(): void {
    this.#file();
  }

  close(): void {
    this.#closed = true;
  }
}
