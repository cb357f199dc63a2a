/**
 * The on-disk cache of rewritten core modules: one file per (component bytes, hook id) key
 * holding the hook's output for every core module of the component (the metered modules), in
 * the plan's order, behind a header that records their sizes and the sha256 of all that follows
 * it. Written atomically (a temporary file, then rename). It holds data only — WebAssembly that
 * is validated and compiled like any other — never code for the host.
 *
 * What is read back is verified before use: the sha256 over the sizes and the modules against
 * the one recorded when the entry was written (a swapped, truncated or corrupted file is a miss,
 * and the entry is rewritten), the number of modules against the component's, and the directory
 * must belong to this user and be writable by nobody else (a module planted there could lack its
 * fuel checks).
 *
 * One file per component, not one per core module: a load of a component of five core modules
 * made five directories and ten files (a mkdir, two writes, a removal and a rename each), about
 * a plain compile's worth of system calls for the smallest component, and read ten files back.
 *
 * Its file operations are synchronous: a handful of system calls on small local files, each a
 * few microseconds, where the asynchronous forms cost a round trip through libuv's thread pool
 * each (an open, a stat, a read and a close per file: most of a warm load's time, and far more
 * on a busy machine). A load's own work (parse, plan, meter, validate) is synchronous anyway.
 */
import { createHash, hash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../kernel/errors.js';

/** `$XDG_CACHE_HOME/keel`, else `~/.cache/keel`: per user, never a shared world-writable dir. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg) return join(xdg, 'keel');
  // $HOME is what os.homedir() returns where it is set; node:os is loaded only when it is not.
  // bin/keel.js computes the same directory for its code cache.
  const home = process.env.HOME || process.getBuiltinModule('node:os').homedir();
  if (home) return join(home, '.cache', 'keel');
  return join(process.getBuiltinModule('node:os').tmpdir(), `keel-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * An entry: `KEEL` and the format (u32), the sha256 of everything after it (32 bytes), the number
 * of modules (u32), each one's size (u32) and the size of the plan (u32, 0 for none), then the
 * modules and the plan (host/abi/plan-codec.ts). Integers little-endian.
 */
const MAGIC = 0x4c45454b; // "KEEL"
const FORMAT = 6;
const HASH_AT = 8;
const COUNT_AT = HASH_AT + 32;
/** Suffix of an entry's file (the key is hex). */
const SUFFIX = '.metered';

/**
 * The largest entry kept for components of at most `moduleBytes`: twice that (the metered modules
 * and the plan; an 11 MB guest's entry is 16 MB), and a MiB. A larger entry is neither written
 * (that load goes uncached) nor read: a file of 2 GiB in an entry's place (sparse: no disk used)
 * was read whole, hashed and kept 5 s as the read buffer, 50 s of a load (6.7 s of CPU) and 2 GiB
 * of memory, more than the machine has for a larger one.
 */
export function entryBytesFor(moduleBytes: number): number {
  return 2 * moduleBytes + (1 << 20);
}

export class DiskCache {
  #checked = false;
  /**
   * This cache made its directory and has written no entry since: a read finds nothing (an entry
   * another process writes there meanwhile is a miss until then), and looks for none: a failed
   * open cost a system call and an exception on every cold load into a new directory.
   */
  #empty = false;
  /** `checkExisting` looked (and did not refuse): once per cache, as `#checked`. */
  #looked = false;

  constructor(
    readonly dir: string,
    /** The largest entry written or read (`entryBytesFor`). */
    readonly maxEntryBytes = Number.POSITIVE_INFINITY,
  ) {}

  #entry(key: string): string {
    return join(this.dir, `${key}${SUFFIX}`);
  }

  /**
   * The cache directory must be this user's and writable by nobody else. Checked once, after
   * creating it (mode 0700) when it does not exist. False when it cannot be made or looked at (a
   * file in its path, no permission): the load goes uncached, as when an entry cannot be
   * written, and the next load tries again. One stat where it exists (the usual case; a mkdir
   * first cost a failed mkdir and a stat more); where this cache made it, it is still checked, and
   * known to hold no entry until this cache writes one (`#empty`).
   */
  #checkDir(make = true): boolean {
    if (this.#checked) return true;
    let info: Stats | undefined;
    let made = false;
    try {
      info = statSync(this.dir, { throwIfNoEntry: false });
      if (info === undefined) {
        if (!make) return false;
        // mkdir gives undefined when the directory exists by now (made meanwhile elsewhere): not
        // known to be empty.
        made = mkdirSync(this.dir, { recursive: true, mode: 0o700 }) !== undefined;
        info = statSync(this.dir);
      }
    } catch {
      return false;
    }
    // A file in its place: no entry can be read or written (as when a mkdir fails).
    if (!info.isDirectory()) return false;
    const uid = process.getuid?.();
    if ((uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
      throw new KeelError(
        'invalid-argument',
        `cache directory ${this.dir} is writable by other users or not owned by this one: use a private directory (mode 0700) or no disk cache`,
        { cacheDir: this.dir },
      );
    }
    this.#checked = true;
    this.#empty = made;
    return true;
  }

  /** Check the directory now (before any work that would be cached): refuses one that is not private. */
  check(): void {
    this.#checkDir();
  }

  /**
   * Check the directory where it exists, without making it: for a loader that keeps nothing here
   * (no core-module hook), which still refuses a directory others may write, as every load did,
   * but makes none (a mkdir and a stat on every kernel's first load into a new directory).
   */
  checkExisting(): void {
    if (this.#looked) return;
    this.#checkDir(false);
    this.#looked = true;
  }

  /**
   * Calls `use` with the modules stored under `key`, verified, and the plan stored with them
   * (undefined when there is none), and returns what it returns; undefined when the entry is
   * absent, of another format, incomplete or altered (then removed), or when `use` returns
   * undefined (it refused the entry: then removed too). The modules and the plan are views of a
   * buffer that the next read reuses: valid only while `use` runs (`WebAssembly.compile` copies
   * its input at the call).
   */
  read<T>(
    key: string,
    use: (modules: readonly Uint8Array[], plan: Uint8Array | undefined) => T | undefined,
  ): T | undefined {
    if (!this.#checkDir() || this.#empty) return undefined;
    const file = this.#entry(key);
    const data = readEntry(file, this.maxEntryBytes);
    if (!data) return undefined;
    try {
      const entry = decode(data, key);
      const used = entry ? use(entry.modules, entry.plan) : undefined;
      if (used === undefined) rmSync(file, { force: true });
      return used;
    } finally {
      readBuffer.done(data);
    }
  }

  write(key: string, modules: readonly Uint8Array[], plan?: Uint8Array): void {
    if (!this.#checkDir()) return;
    this.#empty = false;
    const file = this.#entry(key);
    const staging = join(this.dir, `.tmp-${key}-${process.pid}-${Date.now()}`);
    let size = COUNT_AT + 8 + 4 * modules.length + (plan?.length ?? 0);
    for (const m of modules) size += m.length;
    if (size > this.maxEntryBytes) return;
    const parts = entryParts(key, modules, plan);
    // The entry only saves later loads work: a disk that is full or read-only leaves this load
    // uncached, not failed.
    let fd: number;
    try {
      // Made anew (O_EXCL): a link planted at this name is not followed, whose target a plain
      // open would have truncated and filled with the entry.
      fd = openSync(staging, 'wx', 0o600);
    } catch {
      return;
    }
    try {
      for (const part of parts) {
        for (let at = 0; at < part.length; ) at += writeSync(fd, part, at);
      }
    } catch {
      closeSync(fd);
      rmSync(staging, { force: true });
      return;
    }
    closeSync(fd);
    try {
      // Replaces an entry of another process's, which is identical, or one found altered.
      renameSync(staging, file);
    } catch {
      rmSync(staging, { force: true });
    }
  }

  /** Number of entries (used by tests). */
  async size(): Promise<number> {
    try {
      return readdirSync(this.dir).filter((name) => name.endsWith(SUFFIX) && !name.startsWith('.')).length;
    } catch {
      return 0;
    }
  }
}

/**
 * The buffer entries are read into, reused from one read to the next and let go
 * `READ_BUFFER_KEPT_MS` after the last (a process that loads its modules in a burst reads them into
 * one buffer; an idle one holds none). A buffer of fresh pages costs a first touch per page, and on this project's machines
 * (under kvm) an 11 MB guest's 16 MB entry read into a new buffer and hashed cost 80-90 ms of CPU,
 * about a plain compile of the guest; into a buffer touched before, 12 ms. A read while the
 * buffer is lent (never, as the loader reads) gets a buffer of its own.
 */
const READ_BUFFER_KEPT_MS = 5000;
const readBuffer = {
  buffer: undefined as Buffer | undefined,
  lent: false,
  timer: undefined as ReturnType<typeof setTimeout> | undefined,
  take(size: number): Buffer {
    if (this.lent) return Buffer.allocUnsafeSlow(size);
    if (!this.buffer || this.buffer.length < size)
      this.buffer = Buffer.allocUnsafeSlow(Math.max(size, 1 << 16));
    this.lent = true;
    return this.buffer;
  },
  /**
   * A buffer of `size` bytes in place of `lent` (which `take` gave), holding its first `kept`
   * bytes; the one kept from read to read when `lent` was.
   */
  grow(lent: Buffer, size: number, kept: number): Buffer {
    const bigger = Buffer.allocUnsafeSlow(size);
    bigger.set(lent.subarray(0, kept));
    if (lent === this.buffer) this.buffer = bigger;
    return bigger;
  },
  /** `data` (a view of what `take` gave) is no longer used. */
  done(data: Uint8Array): void {
    if (data.buffer !== this.buffer?.buffer) return;
    this.lent = false;
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => {
        this.buffer = undefined;
        this.timer = undefined;
      }, READ_BUFFER_KEPT_MS);
      this.timer.unref();
    }
  },
};

/**
 * An entry's bytes (a view of the read buffer, lent until `readBuffer.done`), or undefined. No
 * `fstat` for its size: a read that leaves room in the buffer reached the file's end (a regular
 * file's read returns less than asked only there), and one that fills it asks for its size then
 * (an entry larger than the buffer: the first read of a process, or a larger component). A
 * system call less on each warm load (20-40 µs at load 16); were a short read ever not the end,
 * the entry's hash check would fail and the entry be remade.
 */
/**
 * An entry is opened neither through a symbolic link (which could name a file outside the cache)
 * nor waiting for a writer: a FIFO planted in an entry's place blocked the open, and with it the
 * kernel's thread, for good. Read without a writer, a FIFO is empty: a miss, removed and remade.
 * bin/keel.js opens its code cache with the same flags, written out: it runs before any of
 * Keel's modules (CommonJS, no ES module loader), so it cannot import these.
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function readEntry(file: string, maxBytes: number): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch {
    return undefined;
  }
  let buffer: Buffer | undefined;
  try {
    buffer = readBuffer.take(0);
    let at = readSync(fd, buffer, 0, buffer.length, 0);
    if (at === buffer.length) {
      const size = fstatSync(fd).size;
      // Larger than any entry written: a miss, never read (nor a buffer made for it).
      if (size > maxBytes) {
        readBuffer.done(buffer);
        return undefined;
      }
      if (size > buffer.length) buffer = readBuffer.grow(buffer, size, at);
      while (at < size) {
        const n = readSync(fd, buffer, at, size - at, at);
        if (n === 0) break;
        at += n;
      }
    }
    return buffer.subarray(0, at);
  } catch {
    if (buffer) readBuffer.done(buffer);
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Entries of at most this many bytes are made in one buffer, hashed by one call and written by
 * one system call (`entryParts`).
 */
export const ONE_WRITE_BYTES = 64 * 1024;

/**
 * What an entry's file holds, in order. A small entry (`ONE_WRITE_BYTES`, a key of at most
 * `COUNT_AT` bytes) is one buffer: its hash is one call of `crypto.hash` over the key written just
 * before the bytes it covers (as `digestMatches` reads it), where a `Hash` object and three writes
 * (header, module, plan) cost the bench component's cold load 40-60 µs more. A larger one is its
 * header, then each module and the plan as they are: no copy of the whole entry (for an 11 MB
 * guest, a copy into 16 MB of fresh pages cost about three times the writes themselves).
 */
function entryParts(key: string, modules: readonly Uint8Array[], plan: Uint8Array | undefined): Uint8Array[] {
  const headerBytes = COUNT_AT + 8 + 4 * modules.length;
  let size = headerBytes + (plan?.length ?? 0);
  for (const m of modules) size += m.length;
  const keyBytes = Buffer.from(key);
  if (size > ONE_WRITE_BYTES || keyBytes.length > COUNT_AT)
    return [header(key, modules, plan), ...modules, ...(plan ? [plan] : [])];
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  writeSizes(view, modules, plan);
  let at = headerBytes;
  for (const m of modules) {
    out.set(m, at);
    at += m.length;
  }
  if (plan) out.set(plan, at);
  // The key sits where the magic, the format and the hash go (bytes 0-40): all are written over
  // it once it is hashed.
  const start = COUNT_AT - keyBytes.length;
  out.set(keyBytes, start);
  out.set(hash('sha256', out.subarray(start), 'buffer') as unknown as Buffer, HASH_AT);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT, true);
  return [out];
}

/** The module count, each module's size and the plan's, at `COUNT_AT`. */
function writeSizes(view: DataView, modules: readonly Uint8Array[], plan: Uint8Array | undefined): void {
  view.setUint32(COUNT_AT, modules.length, true);
  for (let i = 0; i < modules.length; i++) view.setUint32(COUNT_AT + 4 + 4 * i, modules[i]!.length, true);
  view.setUint32(COUNT_AT + 4 + 4 * modules.length, plan?.length ?? 0, true);
}

/**
 * An entry's header for `modules`: what precedes them in its file, their hash included. The hash
 * covers the entry's key too, so an entry copied to another key's file (another component's) is
 * a miss, not that component's plan and modules.
 */
function header(key: string, modules: readonly Uint8Array[], plan: Uint8Array | undefined): Uint8Array {
  const out = new Uint8Array(COUNT_AT + 8 + 4 * modules.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT, true);
  writeSizes(view, modules, plan);
  const hash = createHash('sha256').update(key).update(out.subarray(COUNT_AT));
  for (const m of modules) hash.update(m);
  if (plan) hash.update(plan);
  out.set(hash.digest(), HASH_AT);
  return out;
}

/**
 * Whether the sha256 of `key` and `data` after the hash is the hash `data` holds. A key of at most
 * `COUNT_AT` bytes (the loader's are 40 hex digits) is written over the header's start, which
 * is read by now (the stored hash copied out first), just before the bytes it is hashed with: one
 * call of `crypto.hash` over contiguous bytes, where a `Hash` object (`createHash`, `update`,
 * `digest`) cost 30-60 µs more on each warm load, more than hashing the bench component's entry.
 * `data` is the read buffer's, which the cache owns.
 */
function digestMatches(data: Uint8Array, key: string): boolean {
  const stored = Buffer.from(data.subarray(HASH_AT, COUNT_AT));
  const keyBytes = Buffer.from(key);
  let digest: Buffer;
  if (keyBytes.length <= COUNT_AT) {
    const start = COUNT_AT - keyBytes.length;
    data.set(keyBytes, start);
    digest = hash('sha256', data.subarray(start), 'buffer') as unknown as Buffer;
  } else {
    digest = createHash('sha256').update(keyBytes).update(data.subarray(COUNT_AT)).digest();
  }
  return digest.equals(stored);
}

/** The modules and plan of an entry, when it is whole, of this format and unaltered. */
function decode(
  data: Uint8Array,
  key: string,
): { modules: Uint8Array[]; plan: Uint8Array | undefined } | undefined {
  if (data.length < COUNT_AT + 8) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT) return undefined;
  const count = view.getUint32(COUNT_AT, true);
  if (count > (data.length - COUNT_AT - 8) / 4) return undefined;
  const headerBytes = COUNT_AT + 8 + 4 * count;
  if (!digestMatches(data, key)) return undefined;
  const modules: Uint8Array[] = [];
  let at = headerBytes;
  for (let i = 0; i < count; i++) {
    const size = view.getUint32(COUNT_AT + 4 + 4 * i, true);
    if (size > data.length - at) return undefined;
    modules.push(new Uint8Array(data.buffer, data.byteOffset + at, size));
    at += size;
  }
  const planSize = view.getUint32(COUNT_AT + 4 + 4 * count, true);
  if (planSize !== data.length - at) return undefined;
  const plan = planSize === 0 ? undefined : new Uint8Array(data.buffer, data.byteOffset + at, planSize);
  return { modules, plan };
}
