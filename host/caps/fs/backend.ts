/**
 * What a filesystem backend offers the resolver and the `Descriptor`s: directory handles whose
 * every operation names one entry (a single checked name, never a path) and never follows a
 * symbolic link, and file handles. Two backends implement it: `host.ts` (a granted host
 * directory) and `memory.ts` (the in-memory filesystem of one sandbox).
 */

/** `wasi:filesystem/types.descriptor-type`. */
export type NodeType =
  | 'unknown'
  | 'block-device'
  | 'character-device'
  | 'directory'
  | 'fifo'
  | 'symbolic-link'
  | 'regular-file'
  | 'socket';

export interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

/** `wasi:filesystem/types.new-timestamp`. */
export type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };

export interface NodeStat {
  type: NodeType;
  linkCount: bigint;
  size: bigint;
  atime?: Datetime | undefined;
  mtime?: Datetime | undefined;
  ctime?: Datetime | undefined;
  /** Identity of the underlying object (same value ⇔ same file). Never shown to the guest. */
  identity: string;
}

export interface DirEntry {
  name: string;
  type: NodeType;
}

export interface EntryIterator {
  /** The next entry, or `undefined` at the end. */
  next(): DirEntry | undefined;
  close(): void;
}

export interface OpenFileOptions {
  create: boolean;
  exclusive: boolean;
  read: boolean;
  write: boolean;
  /** Synchronized writes: of data and metadata (`O_SYNC`), or of data (`O_DSYNC`). */
  sync?: 'file' | 'data' | undefined;
}

export interface FileHandle {
  readonly kind: 'file';
  stat(): NodeStat;
  /** Read up to `length` bytes at `offset`; an empty array at or past the end. */
  read(length: number, offset: number): Uint8Array;
  /** Write all of `bytes` at `offset`; returns the count written. */
  write(bytes: Uint8Array, offset: number): number;
  setSize(size: number): void;
  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void;
  sync(): void;
  close(): void;
}

export interface DirHandle {
  readonly kind: 'dir';
  /** Which backend instance made it: entries may only be renamed or linked within one. */
  readonly device: object;
  stat(): NodeStat;
  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void;
  /** Stat an entry without following it. */
  lstat(name: string): NodeStat;
  readlink(name: string): string;
  /** Open an entry that is a directory, never following a symbolic link (`loop`/`not-directory` otherwise). */
  openDir(name: string): DirHandle;
  /** Open an entry as a regular file, never following a symbolic link. `created` says whether it is new. */
  openFile(name: string, options: OpenFileOptions): { file: FileHandle; created: boolean };
  mkdir(name: string): void;
  rmdir(name: string): void;
  unlink(name: string): void;
  rename(name: string, to: DirHandle, toName: string): void;
  symlink(target: string, name: string): void;
  link(name: string, to: DirHandle, toName: string): void;
  setTimesAt(name: string, atime: NewTimestamp, mtime: NewTimestamp): void;
  entries(): EntryIterator;
  close(): void;
}
