/**
 * Attack: a project folder, source file and flags whose names are shell syntax (`;`, `$(…)`,
 * backticks, quotes, `|`, a leading `-`), so that a build which pasted them into a shell
 * command line would run what they spell. Keel runs its toolchains with argument arrays and no
 * shell: the compiler (a stub here, named by $CC, that records its arguments) receives each
 * name as one argument, byte for byte, and nothing the names spell ever runs.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildProject } from '../../../scripts/sdk/build.js';
import { createProject } from '../../../scripts/sdk/new.js';
import { readProject } from '../../../scripts/sdk/project.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-hostile-shell-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('names that are shell syntax reach the compiler as plain arguments and run nothing', async () => {
  // Each would create a file named PWNED… in the folder it ran in, were it ever run.
  const evil = 'x; touch PWNED #$(touch PWNED2)`touch PWNED3`\'"|';
  const dir = join(scratch, evil);
  createProject('c', dir);
  // A leading '-' would make a file name a compiler flag.
  const source = '-main ; touch PWNED4.c';
  writeFileSync(join(dir, source), readFileSync(join(dir, 'main.c')));
  const keelJson = JSON.parse(readFileSync(join(dir, 'keel.json'), 'utf8')) as Record<string, unknown>;
  keelJson.sources = [source];
  keelJson.cflags = ['-DNAME=$(touch PWNED5)'];
  writeFileSync(join(dir, 'keel.json'), JSON.stringify(keelJson));

  const log = join(scratch, 'clang-args');
  const clang = join(scratch, 'fake-clang');
  writeFileSync(
    clang,
    `#!/bin/sh\n[ "$1" = --version ] && { echo "clang version 0.0.0 (stub)"; exit 0; }\n` +
      // The target checks: any existing file stands for wasi-libc and the compiler runtime.
      `case "$2" in -print-*) echo "$0"; exit 0;; esac\nfor a in "$@"; do printf '%s\\n' "$a" >> '${log}'; done\nexit 1\n`,
  );
  chmodSync(clang, 0o755);
  const before = process.env.CC;
  process.env.CC = clang;
  const started = performance.now();
  try {
    await expect(buildProject(readProject(dir))).rejects.toThrow(/failed/);
  } finally {
    if (before === undefined) delete process.env.CC;
    else process.env.CC = before;
  }
  expect(performance.now() - started).toBeLessThan(30_000);
  const args = readFileSync(log, 'utf8').split('\n');
  expect(args).toContain('-DNAME=$(touch PWNED5)');
  // The source is an input, never a flag: a path, not `-main …`.
  expect(args).toContain(`./${source}`);
  expect(args).not.toContain(source);
  const pwned = (folder: string) =>
    readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)PWNED/.test(f));
  expect(pwned(scratch)).toEqual([]);
  expect(existsSync(join(process.cwd(), 'PWNED'))).toBe(false);
});
