/**
 * Attack: a symbolic link planted at the name bin/keel.js stages its V8 code cache under
 * (`.<name>.<pid>` in the private cache directory: predictable to whoever could write there). It
 * was written with O_CREAT | O_TRUNC, which follows the link: the file it named (any file of the
 * user's) was overwritten with the code cache. Now the staging file is made anew (O_EXCL): the
 * target is untouched, and that start leaves no cache. The link is planted by a preload script
 * that knows the new process's pid.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN, keel, scratchDir } from '../../cli/harness.js';

const dir = scratchDir('code-cache-staging');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLANT = `const { symlinkSync } = require('node:fs');
const { join } = require('node:path');
symlinkSync(process.env.VICTIM, join(process.env.CACHE_DIR, '.' + process.env.CACHE_NAME + '.' + process.pid));
`;

it('a link planted at the staging name is not written through', () => {
  const xdg = join(dir, 'xdg');
  expect(keel(['--version'], { env: { XDG_CACHE_HOME: xdg } }).stdout).toMatch(/^keel \d/);
  const cacheDir = join(xdg, 'keel', '.compile-cache');
  const [name] = readdirSync(cacheDir);
  rmSync(join(cacheDir, name!));
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  const plant = join(dir, 'plant.cjs');
  writeFileSync(plant, PLANT);
  const r = spawnSync(process.execPath, ['-r', plant, BIN, '--version'], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: xdg, VICTIM: victim, CACHE_DIR: cacheDir, CACHE_NAME: name },
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/^keel \d/);
  expect(readFileSync(victim, 'utf8')).toBe('precious');
}, 120_000);
