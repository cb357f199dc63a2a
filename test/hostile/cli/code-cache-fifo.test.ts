/**
 * Attack: a FIFO in place of the CLI's V8 code cache (bin/keel.js, in the
 * private cache directory: a previous run of this user's, anything once able to write there).
 * The open for reading waited for a writer: every start of `keel` hung, before any command ran.
 * Now the cache is opened without waiting and without following a link: what is not a regular
 * file is compiled past, and replaced by a cache of the bundle's own. (A symbolic link is not followed either: not observable here, a
 * link to a file of this user's is as good as the file.)
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { keel, scratchDir } from '../../cli/harness.js';

const dir = scratchDir('code-cache-fifo');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cacheFile(xdg: string): string {
  const env = { XDG_CACHE_HOME: xdg };
  expect(keel(['--version'], { env }).stdout).toMatch(/^keel \d/);
  const cacheDir = join(xdg, 'keel', '.compile-cache');
  const [name] = readdirSync(cacheDir);
  return join(cacheDir, name!);
}

it('a FIFO in place of the code cache does not stop keel from starting', () => {
  const xdg = join(dir, 'fifo');
  const file = cacheFile(xdg);
  rmSync(file);
  execFileSync('mkfifo', ['-m', '600', file]);
  const r = keel(['--version'], { env: { XDG_CACHE_HOME: xdg } });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^keel \d/);
  expect(lstatSync(file).isFile()).toBe(true);
}, 120_000);
