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
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KeelError } from '../kernel/errors.js';

// node:fs's callback functions, not node:fs/promises: that module (and the readline and watch
// modules it loads) costs a command's start-up a few milliseconds.
const mkdir = promisify(fs.mkdir);
const readdir = promisify(fs.readdir);
const readFile = promisify(fs.readFile);
const rename = promisify(fs.rename);
const rm = promisify(fs.rm);
const stat = promisify(fs.stat);
const writeFile = promisify(fs.writeFile);

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
  #checked: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  #entry(key: string): string {
    return join(this.dir, key);
  }

  /**
   * The cache directory must be this user's and writable by nobody else. Checked once, after
   * creating it (mode 0700) when it does not exist.
   */
  #checkDir(): Promise<void> {
    this.#checked ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const info = await stat(this.dir);
      const uid = process.getuid?.();
      if ((uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
        throw new KeelError(
          'invalid-argument',
          `cache directory ${this.dir} is writable by other users or not owned by this one: use a private directory (mode 0700) or no disk cache`,
          { cacheDir: this.dir },
        );
      }
    })();
    return this.#checked;
  }

  /** Check the directory now (before any work that would be cached). */
  check(): Promise<void> {
    return this.#checkDir();
  }

  /** The module stored under `key`, verified; undefined when absent, incomplete or altered (then removed). */
  async read(key: string): Promise<Uint8Array | undefined> {
    await this.#checkDir();
    const dir = this.#entry(key);
    let meta: Meta;
    try {
      meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Meta;
    } catch {
      return undefined;
    }
    if (meta.format !== FORMAT) return await this.#discard(dir);
    try {
      const bytes = new Uint8Array(await readFile(join(dir, 'module.wasm')));
      if (bytes.length !== meta.size || sha256(bytes) !== meta.sha256) return await this.#discard(dir);
      return bytes;
    } catch {
      return undefined;
    }
  }

  async #discard(dir: string): Promise<undefined> {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    await this.#checkDir();
    const staging = join(this.dir, `.tmp-${key}-${process.pid}-${Date.now()}`);
    await mkdir(staging, { recursive: true });
    const meta: Meta = { format: FORMAT, sha256: sha256(bytes), size: bytes.length };
    await writeFile(join(staging, 'module.wasm'), bytes);
    // meta.json last: an entry without it is never read.
    await writeFile(join(staging, 'meta.json'), JSON.stringify(meta));
    try {
      await rm(this.#entry(key), { recursive: true, force: true });
      await rename(staging, this.#entry(key));
    } catch {
      // Another process won the race; its entry is identical.
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Number of entries (used by tests). */
  async size(): Promise<number> {
    try {
      return (await readdir(this.dir)).filter((name) => !name.startsWith('.')).length;
    } catch {
      return 0;
    }
  }
}
