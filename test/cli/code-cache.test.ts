/**
 * The CLI's V8 code cache (bin/keel.js, docs/cli.md "Start-up"): written into the cache
 * directory the command uses, read back on the next start, rebuilt when V8 refuses it, and a
 * cache directory that cannot be written costs nothing but the cache.
 */
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keel, scratchDir } from './harness.js';

const dir = scratchDir('code-cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRIVIAL = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
]);
const wasm = join(dir, 'trivial.wasm');
writeFileSync(wasm, TRIVIAL);

const cacheFiles = (cache: string): string[] => {
  try {
    return readdirSync(join(cache, '.compile-cache')).filter((name) => name.endsWith('.v8'));
  } catch {
    return [];
  }
};

/** `keel run` of the trivial module with this cache directory (the harness's own is not used). */
const run = (cache: string, env: NodeJS.ProcessEnv = {}) =>
  keel(['run', wasm, '--invoke', 'run', '--cache-dir', cache], { env });

describe('the code cache', () => {
  it('is written into the cache directory the run uses, then read back as it is', () => {
    const cache = join(dir, 'plain');
    const first = run(cache);
    expect(first.stdout).toBe('42\n');
    expect(first.status).toBe(0);
    const files = cacheFiles(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-run\.v8$/);
    const file = join(cache, '.compile-cache', files[0]!);
    expect(statSync(join(cache, '.compile-cache')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o077).toBe(0);
    const written = readFileSync(file);
    const time = statSync(file).mtimeMs;

    const second = run(cache);
    expect(second).toEqual(first);
    // Accepted by V8, so not written again.
    expect(statSync(file).mtimeMs).toBe(time);
    expect(readFileSync(file).equals(written)).toBe(true);
  });

  it('goes to $XDG_CACHE_HOME/keel by default, where the module cache goes', () => {
    const xdg = join(dir, 'xdg');
    const r = keel(['run', wasm, '--invoke', 'run'], { env: { XDG_CACHE_HOME: xdg } });
    expect(r.status).toBe(0);
    expect(cacheFiles(join(xdg, 'keel'))).toHaveLength(1);
  });

  it('is rebuilt when V8 refuses it (here: garbage), and the command does not notice', () => {
    const cache = join(dir, 'garbage');
    expect(run(cache).status).toBe(0);
    const file = join(cache, '.compile-cache', cacheFiles(cache)[0]!);
    const garbage = Buffer.alloc(statSync(file).size, 0x5a);
    writeFileSync(file, garbage);
    const r = run(cache);
    expect(r.stdout).toBe('42\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(file).equals(garbage)).toBe(false);
    expect(cacheFiles(cache)).toHaveLength(1);
  });

  it('costs only itself when the cache directory cannot be created', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const r = run(join(blocker, 'cache'));
    expect(r.stdout).toBe('42\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is neither read nor written when the directory is not private (it would run as Keel)', () => {
    const cache = join(dir, 'shared');
    expect(run(cache).status).toBe(0);
    const file = join(cache, '.compile-cache', cacheFiles(cache)[0]!);
    rmSync(file);
    chmodSync(join(cache, '.compile-cache'), 0o777);
    expect(run(cache).stdout).toBe('42\n');
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('is not used with KEEL_NO_COMPILE_CACHE=1', () => {
    const cache = join(dir, 'off');
    const r = run(cache, { KEEL_NO_COMPILE_CACHE: '1' });
    expect(r.stdout).toBe('42\n');
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('keeps one file per command, and at most 16 files', () => {
    const cache = join(dir, 'commands');
    expect(run(cache).status).toBe(0);
    expect(keel(['inspect', wasm, '--cache-dir', cache]).status).toBe(0);
    expect(
      cacheFiles(cache)
        .map((f) => f.replace(/^.*-/, ''))
        .sort(),
    ).toEqual(['inspect.v8', 'run.v8']);
    // Files of other builds, older than these two: the oldest go first.
    const day = Date.now() / 1000 - 86_400;
    for (let i = 0; i < 20; i++) {
      const stale = join(cache, '.compile-cache', `0000000000000000-${i}-0-v0-x-run.v8`);
      writeFileSync(stale, 'old');
      utimesSync(stale, day + i, day + i);
    }
    rmSync(
      join(
        cache,
        '.compile-cache',
        cacheFiles(cache).find((f) => f.endsWith('-run.v8') && !f.startsWith('0000'))!,
      ),
    );
    expect(run(cache).status).toBe(0);
    const left = cacheFiles(cache);
    expect(left).toHaveLength(16);
    expect(left.filter((f) => !f.startsWith('0000')).length).toBe(2);
    // The newest of the others stayed.
    expect(left).toContain('0000000000000000-19-0-v0-x-run.v8');
    expect(left).not.toContain('0000000000000000-0-0-v0-x-run.v8');
  });
});
