/**
 * The on-disk transpile cache: one directory per (component bytes, generator, options) key,
 * written atomically (temporary directory, then rename), read back without transpiling.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TranspileOutput } from './transpile.js';

/** `$XDG_CACHE_HOME/keel`, else `~/.cache/keel`: per user, never a shared world-writable dir. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg) return join(xdg, 'keel');
  const home = homedir();
  return home ? join(home, '.cache', 'keel') : join(tmpdir(), `keel-cache-${process.getuid?.() ?? 'user'}`);
}

type Meta = Omit<TranspileOutput, 'glue' | 'coreModules'> & { coreModules: string[]; format: 1 };

export class DiskCache {
  constructor(readonly dir: string) {}

  #entry(key: string): string {
    return join(this.dir, key);
  }

  /** The glue's file URL, for `import()`. */
  glueUrl(key: string): string {
    return pathToFileURL(join(this.#entry(key), 'glue.mjs')).href;
  }

  async read(key: string): Promise<TranspileOutput | undefined> {
    const dir = this.#entry(key);
    let meta: Meta;
    try {
      meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Meta;
    } catch {
      return undefined;
    }
    if (meta.format !== 1) return undefined;
    try {
      const coreModules: Record<string, Uint8Array> = {};
      for (const name of meta.coreModules) {
        coreModules[name] = new Uint8Array(await readFile(join(dir, 'core', name)));
      }
      const glue = await readFile(join(dir, 'glue.mjs'), 'utf8');
      const { format: _format, ...rest } = meta;
      return { ...rest, glue, coreModules };
    } catch {
      return undefined;
    }
  }

  async write(key: string, output: TranspileOutput): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const staging = join(this.dir, `.tmp-${key}-${process.pid}-${Date.now()}`);
    await mkdir(join(staging, 'core'), { recursive: true });
    const { glue, coreModules, ...rest } = output;
    const meta: Meta = { ...rest, coreModules: Object.keys(coreModules), format: 1 };
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
