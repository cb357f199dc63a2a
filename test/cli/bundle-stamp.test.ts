/**
 * Which build the `keel` command and a worker sandbox run: a bundle only when the compiled entry
 * beside it carries its stamp (scripts/bundle-cli.ts), whatever the files' times. npm writes an
 * installed package's files in its own order, so a bundle written a moment before its entry
 * was taken as stale by a rule of times, and the installed CLI ran its compiled modules (no
 * code cache) and worker sandboxes worker-main.js; tsc alone writes the entry again without
 * the stamp, and the bundle must not run then.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptUrl } from '../../host/isolate/pool.js';
import { ROOT, scratchDir, TRIVIAL } from './harness.js';

const dir = scratchDir('bundle-stamp');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const wasm = join(dir, 'trivial.wasm');
writeFileSync(wasm, TRIVIAL);

/** A copy of the built command (bin/ and dist/host/, no source maps), as an installed package has it. */
function copy(name: string): string {
  const root = join(dir, name);
  cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist/host'), join(root, 'dist/host'), {
    recursive: true,
    filter: (source) => !source.endsWith('.map'),
  });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

/** `keel run` of the trivial module; whether the bundle ran (it alone writes a code cache). */
function run(root: string) {
  const cache = join(root, 'cache');
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin/keel.js'), 'run', wasm, '--invoke', 'run', '--cache-dir', cache],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', KEEL_NO_COMPILE_CACHE: '' },
    },
  );
  const codeCache = join(cache, '.compile-cache');
  const bundled = existsSync(codeCache) && readdirSync(codeCache).some((f) => f.endsWith('-run.v8'));
  return { stdout: r.stdout, status: r.status, bundled };
}

const minuteFromNow = () => new Date(Date.now() + 60_000);

describe('the CLI bundle', () => {
  it('runs when the compiled CLI was written after it, as npm installs a package', () => {
    const root = copy('installed');
    utimesSync(join(root, 'dist/host/cli/main.js'), minuteFromNow(), minuteFromNow());
    expect(run(root)).toEqual({ stdout: '42\n', status: 0, bundled: true });
  });

  it('does not run when tsc wrote the compiled CLI again (no stamp), even an older main.js', () => {
    const root = copy('recompiled');
    const main = join(root, 'dist/host/cli/main.js');
    writeFileSync(main, readFileSync(main, 'utf8').replace(/\n\/\/ keel-build \w+(?=\n)/, ''));
    utimesSync(main, new Date(0), new Date(0));
    expect(run(root)).toEqual({ stdout: '42\n', status: 0, bundled: false });
  });
});

describe('the worker bundle', () => {
  it('starts worker sandboxes when worker-main.js carries its stamp, whatever the times', () => {
    const main = join(ROOT, 'dist/host/isolate/worker-main.js');
    const bundle = readFileSync(join(ROOT, 'dist/host/isolate/worker-bundle.js'), 'utf8');
    expect(readFileSync(main, 'utf8')).toContain(`\n${bundle.slice(0, bundle.indexOf('\n') + 1)}`);
    const { atime, mtime } = statSync(main);
    utimesSync(main, minuteFromNow(), minuteFromNow());
    try {
      expect(scriptUrl().pathname).toMatch(/\/dist\/host\/isolate\/worker-bundle\.js$/);
    } finally {
      utimesSync(main, atime, mtime);
    }
  });
});
