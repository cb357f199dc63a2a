/**
 * The on-disk transpile cache: one directory per (component bytes, generator, options) key,
 * written atomically (temporary directory, then rename), read back without transpiling.
 *
 * What is read back is verified before use: every file against the sha256 recorded when the
 * entry was written (a swapped or corrupted file is a miss, and the entry is rewritten), and the
 * directory must belong to this user and be writable by nobody else.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelError } from '../kernel/errors.js';
import type { TranspileOutput } from './transpile.js';

/** `$XDG_CACHE_HOME/keel`, else `~/.cache/keel`: per user, never a shared world-writable dir. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg) return join(xdg, 'keel');
  const home = homedir();
  return home ? join(home, '.cache', 'keel') : join(tmpdir(), `keel-cache-${process.getuid?.() ?? 'user'}`);
}

const FORMAT = 2;

type Meta = Omit<TranspileOutput, 'glue' | 'coreModules'> & {
  coreModules: string[];
  /** sha256 of `glue.mjs` and of each core module, by file name. */
  sha256: { glue: string; core: Record<string, string> };
  format: typeof FORMAT;
};

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
   * The cache directory must be this user's and writable by nobody else: glue read from it is
   * run in the host. Checked once, after creating it (mode 0700) when it does not exist.
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

  /** The entry for `key`, verified; undefined when absent, incomplete or altered (then removed). */
  async read(key: string): Promise<TranspileOutput | undefined> {
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
      const coreModules: Record<string, Uint8Array> = {};
      for (const name of meta.coreModules) {
        const bytes = new Uint8Array(await readFile(join(dir, 'core', name)));
        if (sha256(bytes) !== meta.sha256.core[name]) return await this.#discard(dir);
        coreModules[name] = bytes;
      }
      const glue = await readFile(join(dir, 'glue.mjs'), 'utf8');
      if (sha256(glue) !== meta.sha256.glue) return await this.#discard(dir);
      const { format: _format, sha256: _sha256, ...rest } = meta;
      return { ...rest, glue, coreModules };
    } catch {
      return undefined;
    }
  }

  async #discard(dir: string): Promise<undefined> {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }

  async write(key: string, output: TranspileOutput): Promise<void> {
    await this.#checkDir();
    const staging = join(this.dir, `.tmp-${key}-${process.pid}-${Date.now()}`);
    await mkdir(join(staging, 'core'), { recursive: true });
    const { glue, coreModules, ...rest } = output;
    const core: Record<string, string> = {};
    for (const [name, bytes] of Object.entries(coreModules)) core[name] = sha256(bytes);
    const meta: Meta = {
      ...rest,
      coreModules: Object.keys(coreModules),
      sha256: { glue: sha256(glue), core },
      format: FORMAT,
    };
    await writeFile(join(staging, 'glue.mjs'), glue);
    for (const [name, bytes] of Object.entries(coreModules))
      await writeFile(join(staging, 'core', name), bytes);
    // meta.json last: an entry without it is never read.
    await writeFile(join(staging, 'meta.json'), JSON.stringify(meta));
    try {
      await rename(staging, this.#entry(key));
    } catch {
      // Another process won the race; its entry is identical.
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Number of entries (used by `keel cache` and tests). */
  async size(): Promise<number> {
    try {
      return (await readdir(this.dir)).filter((name) => !name.startsWith('.')).length;
    } catch {
      return 0;
    }
  }
}
