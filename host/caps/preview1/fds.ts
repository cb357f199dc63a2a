/**
 * The preview1 descriptor table of one sandbox, in the host (never in guest memory). Entries
 * hold the WASI 0.2 objects the providers handed out (stdio streams, filesystem descriptors)
 * plus what preview1 adds to them: a file's position, its append and non-blocking flags, a
 * preopen's name. Numbering follows Wasmtime: stdio is 0, 1, 2 (each present only when granted),
 * preopens follow from 3, a new descriptor reuses the highest freed number, else takes one past
 * the highest in use.
 */
import type { Descriptor } from '../wasi-filesystem.js';
import type { InputStream, OutputStream } from '../wasi-io.js';
import { E } from './abi.js';
import { errno } from './errno.js';

export interface FileEntry {
  readonly kind: 'file';
  readonly desc: Descriptor;
  position: bigint;
  append: boolean;
  nonblock: boolean;
}

export interface DirEntry {
  readonly kind: 'dir';
  readonly desc: Descriptor;
  /** The name it was preopened as; undefined when opened with `path_open`. */
  readonly preopen: string | undefined;
  /** `fd_readdir`'s listing, kept while the guest reads it in order (see `fd_readdir`). */
  listing?: { cookie: bigint; entries: unknown[] } | undefined;
}

export type Entry =
  | { readonly kind: 'stdin'; readonly stream: InputStream }
  | { readonly kind: 'stdout' | 'stderr'; readonly stream: OutputStream }
  | DirEntry
  | FileEntry;

/** The first number a non-stdio descriptor gets. */
const FIRST_FREE = 3;

export class FdTable {
  readonly #used = new Map<number, Entry>();
  /** Freed numbers, ascending; the highest is reused first. */
  readonly #free: number[] = [];

  /** Put `entry` at a fixed number (stdio at start-up). */
  place(fd: number, entry: Entry): void {
    this.#used.set(fd, entry);
  }

  push(entry: Entry): number {
    const fd = this.#free.length > 0 ? this.#free.pop()! : this.#next();
    this.#used.set(fd, entry);
    return fd;
  }

  #next(): number {
    let high = FIRST_FREE - 1;
    for (const fd of this.#used.keys()) if (fd > high) high = fd;
    if (high >= 0xffff_ffff) throw errno(E.NOMEM);
    return high + 1;
  }

  get(fd: number): Entry {
    const entry = this.#used.get(fd);
    if (!entry) throw errno(E.BADF);
    return entry;
  }

  has(fd: number): boolean {
    return this.#used.has(fd);
  }

  /** A file (else EBADF). */
  file(fd: number): FileEntry {
    const entry = this.#used.get(fd);
    if (entry?.kind !== 'file') throw errno(E.BADF);
    return entry;
  }

  /** A directory (else EBADF). */
  dir(fd: number): DirEntry {
    const entry = this.#used.get(fd);
    if (entry?.kind !== 'dir') throw errno(E.BADF);
    return entry;
  }

  /** A file or directory descriptor (stdio and missing: EBADF). */
  descriptor(fd: number): Descriptor {
    const entry = this.get(fd);
    if (entry.kind === 'file' || entry.kind === 'dir') return entry.desc;
    throw errno(E.BADF);
  }

  /** A descriptor with a position: stdio is ESPIPE, anything but a file EBADF. */
  seekable(fd: number): FileEntry {
    const entry = this.get(fd);
    if (entry.kind === 'file') return entry;
    if (entry.kind === 'dir') throw errno(E.BADF);
    throw errno(E.SPIPE);
  }

  /** Remove and close `fd`. */
  close(fd: number): void {
    const entry = this.get(fd);
    this.#used.delete(fd);
    this.#insertFree(fd);
    release(entry);
  }

  /** `fd_renumber`: both must be open; `to` is closed and replaced by `from`. */
  renumber(from: number, to: number): void {
    if (!this.#used.has(to)) throw errno(E.BADF);
    const entry = this.get(from);
    if (from === to) return;
    const replaced = this.#used.get(to)!;
    this.#used.delete(from);
    this.#insertFree(from);
    const at = this.#free.indexOf(to);
    if (at >= 0) this.#free.splice(at, 1);
    this.#used.set(to, entry);
    release(replaced);
  }

  /** Close every descriptor (the sandbox ended). */
  clear(): void {
    for (const entry of this.#used.values()) release(entry);
    this.#used.clear();
    this.#free.length = 0;
  }

  #insertFree(fd: number): void {
    let i = this.#free.length;
    while (i > 0 && this.#free[i - 1]! > fd) i--;
    this.#free.splice(i, 0, fd);
  }
}

function release(entry: Entry): void {
  try {
    if (entry.kind === 'file' || entry.kind === 'dir') entry.desc[Symbol.dispose]();
    else entry.stream[Symbol.dispose]();
  } catch {
    // Closing never fails the guest's call: the entry is gone either way.
  }
}
