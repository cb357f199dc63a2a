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
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
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
 * of modules (u32) and each one's size (u32), then the modules. Integers little-endian.
 */
const MAGIC = 0x4c45454b; // "KEEL"
const FORMAT = 4;
const HASH_AT = 8;
const COUNT_AT = HASH_AT + 32;
/** Suffix of an entry's file (the key is hex). */
const SUFFIX = '.metered';

export class DiskCache {
  #checked = false;

  constructor(readonly dir: string) {}

  #entry(key: string): string {
    return join(this.dir, `${key}${SUFFIX}`);
  }

  /**
   * The cache directory must be this user's and writable by nobody else. Checked once, after
   * creating it (mode 0700) when it does not exist. False when it cannot be made or looked at (a
   * file in its path, no permission): the load goes uncached, as when an entry cannot be
   * written, and the next load tries again.
   */
  #checkDir(): boolean {
    if (this.#checked) return true;
    let info: ReturnType<typeof statSync>;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      info = statSync(this.dir);
    } catch {
      return false;
    }
    const uid = process.getuid?.();
    if ((uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
      throw new KeelError(
        'invalid-argument',
        `cache directory ${this.dir} is writable by other users or not owned by this one: use a private directory (mode 0700) or no disk cache`,
        { cacheDir: this.dir },
      );
    }
    this.#checked = true;
    return true;
  }

  /** Check the directory now (before any work that would be cached): refuses one that is not private. */
  check(): void {
    this.#checkDir();
  }

  /**
   * The modules stored under `key`, verified; undefined when absent, of another format,
   * incomplete or altered (then removed). The modules are views of one buffer read from the file.
   */
  read(key: string): Uint8Array[] | undefined {
    if (!this.#checkDir()) return undefined;
    const file = this.#entry(key);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      return undefined;
    }
    const modules = decode(data);
    if (!modules) rmSync(file, { force: true });
    return modules;
  }

  write(key: string, modules: readonly Uint8Array[]): void {
    if (!this.#checkDir()) return;
    const file = this.#entry(key);
    const staging = join(this.dir, `.tmp-${key}-${process.pid}-${Date.now()}`);
    // The header, then each module as it is: no buffer of the whole entry (for an 11 MB guest,
    // a copy into 16 MB of fresh pages cost about three times the writes themselves).
    const parts = [header(modules), ...modules];
    // The entry only saves later loads work: a disk that is full or read-only leaves this load
    // uncached, not failed.
    let fd: number;
    try {
      fd = openSync(staging, 'w', 0o600);
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

/** An entry's header for `modules`: what precedes them in its file, their hash included. */
function header(modules: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(COUNT_AT + 4 + 4 * modules.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT, true);
  view.setUint32(COUNT_AT, modules.length, true);
  for (let i = 0; i < modules.length; i++) view.setUint32(COUNT_AT + 4 + 4 * i, modules[i]!.length, true);
  const hash = createHash('sha256').update(out.subarray(COUNT_AT));
  for (const m of modules) hash.update(m);
  out.set(hash.digest(), HASH_AT);
  return out;
}

/** The modules of an entry, when it is whole, of this format and unaltered. */
function decode(data: Uint8Array): Uint8Array[] | undefined {
  if (data.length < COUNT_AT + 4) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT) return undefined;
  const count = view.getUint32(COUNT_AT, true);
  if (count > (data.length - COUNT_AT - 4) / 4) return undefined;
  const headerBytes = COUNT_AT + 4 + 4 * count;
  const digest = createHash('sha256').update(data.subarray(COUNT_AT)).digest();
  if (!digest.equals(data.subarray(HASH_AT, COUNT_AT))) return undefined;
  const modules: Uint8Array[] = [];
  let at = headerBytes;
  for (let i = 0; i < count; i++) {
    const size = view.getUint32(COUNT_AT + 4 + 4 * i, true);
    if (size > data.length - at) return undefined;
    modules.push(new Uint8Array(data.buffer, data.byteOffset + at, size));
    at += size;
  }
  return at === data.length ? modules : undefined;
}
