/**
 * The on-disk cache of rewritten core modules: one directory per (core module bytes, hook id)
 * key holding the hook's output (the metered module) and its sha256, written atomically
 * (temporary directory, then rename). It holds data only — WebAssembly that is validated and
 * compiled like any other — never code for the host.
 *
 * What is read back is verified before use: the module against the sha256 recorded when the
 * entry was written (a swapped or corrupted file is a miss, and the entry is rewritten), and the
 * directory must belong to this user and be writable by nobody else (a module planted there
 * could lack its fuel checks).
 *
 * Its file operations are synchronous: a handful of system calls on small local files, each a
 * few microseconds, where the asynchronous forms cost a round trip through libuv's thread pool
 * each (an open, a stat, a read and a close per file: most of a warm load's time, and far more
 * on a busy machine). A load's own work (parse, plan, meter, validate) is synchronous anyway.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

const FORMAT = 3;

interface Meta {
  format: typeof FORMAT;
  /** sha256 of `module.wasm`. */
  sha256: string;
  size: number;
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export class DiskCache {
  #checked = false;

  constructor(readonly dir: string) {}

  #entry(key: string): string {
    return join(this.dir, key);
  }

  /**
   * The cache directory must be this user's and writable by nobody else. Checked once, after
   * creating it (mode 0700) when it does not exist.
   */
  #checkDir(): void {
    if (this.#checked) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const info = statSync(this.dir);
    const uid = process.getuid?.();
    if ((uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
      throw new KeelError(
        'invalid-argument',
        `cache directory ${this.dir} is writable by other users or not owned by this one: use a private directory (mode 0700) or no disk cache`,
        { cacheDir: this.dir },
      );
    }
    this.#checked = true;
  }

  /** Check the directory now (before any work that would be cached). */
  async check(): Promise<void> {
    this.#checkDir();
  }

  /** The module stored under `key`, verified; undefined when absent, incomplete or altered (then removed). */
  async read(key: string): Promise<Uint8Array | undefined> {
    this.#checkDir();
    const dir = this.#entry(key);
    let meta: Meta;
    try {
      meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
    } catch {
      return undefined;
    }
    if (meta.format !== FORMAT) return this.#discard(dir);
    try {
      const bytes = new Uint8Array(readFileSync(join(dir, 'module.wasm')));
      if (bytes.length !== meta.size || sha256(bytes) !== meta.sha256) return this.#discard(dir);
      return bytes;
    } catch {
      return undefined;
    }
  }

  #discard(dir: string): undefined {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    this.#checkDir();
    const staging = join(this.dir, `.tmp-${key}-${process.pid}-${Date.now()}`);
    mkdirSync(staging, { recursive: true });
    const meta: Meta = { format: FORMAT, sha256: sha256(bytes), size: bytes.length };
    writeFileSync(join(staging, 'module.wasm'), bytes);
    // meta.json last: an entry without it is never read.
    writeFileSync(join(staging, 'meta.json'), JSON.stringify(meta));
    try {
      rmSync(this.#entry(key), { recursive: true, force: true });
      renameSync(staging, this.#entry(key));
    } catch {
      // Another process won the race; its entry is identical.
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /** Number of entries (used by tests). */
  async size(): Promise<number> {
    try {
      return readdirSync(this.dir).filter((name) => !name.startsWith('.')).length;
    } catch {
      return 0;
    }
  }
}
