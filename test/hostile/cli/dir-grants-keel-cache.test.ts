/**
 * Attack: a user grants the guest a writable directory that holds Keel's own cache directory
 * (`--dir ~::/home`, with the cache in ~/.cache/keel), or one inside it. Keel runs what that
 * directory holds (the CLI's V8 code cache, the metered modules), so the guest could plant code
 * that runs as Keel the next time `keel` starts. `keel run` refuses such a grant (exit 2, one
 * error line naming the directory and how to proceed); a read-only grant of it, or any other
 * directory, still runs.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { keel, scratchDir } from '../../cli/harness.js';

const dir = scratchDir('dir-grants-keel-cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GUEST = 'guests/c/hello/hello.wasm';
const home = join(dir, 'home');
const cache = join(home, '.cache', 'keel');
const elsewhere = join(dir, 'work');
mkdirSync(cache, { recursive: true });
mkdirSync(join(cache, 'inner'), { recursive: true });
mkdirSync(elsewhere, { recursive: true });
const env = { XDG_CACHE_HOME: join(home, '.cache') };

it.each([
  ['a directory holding the cache', `${home}::/home`],
  ['the cache directory itself', `${cache}::/cache`],
  ['a directory inside the cache', `${join(cache, 'inner')}::/inner`],
])('refuses a writable grant of %s', (_, spec) => {
  const r = keel(['run', GUEST, '--dir', spec], { env });
  expect(r.status).toBe(2);
  expect(r.stderr.split('\n')[0]).toMatch(
    /^error\[invalid-argument\]: --dir .* would let the guest write Keel's cache directory/,
  );
});

it('refuses it when --cache-dir puts the cache inside the granted directory', () => {
  const r = keel(['run', GUEST, '--cache-dir', join(elsewhere, 'c'), '--dir', `${elsewhere}::/work`]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/cache directory/);
});

it('runs with a read-only grant of it, or with another directory', () => {
  expect(keel(['run', GUEST, '--dir', `${home}::/home:ro`], { env }).status).toBe(0);
  expect(keel(['run', GUEST, '--dir', `${elsewhere}::/work`], { env }).status).toBe(0);
});
