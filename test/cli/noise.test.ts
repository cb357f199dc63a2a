/**
 * What a user sees besides Keel's own output: no npm configuration warnings from the
 * repository, no Node.js ExperimentalWarning from what `npm test` and `npm start` load, and no
 * untracked files left by a quick bench run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness.js';

/** A user's shell: none of the npm_* variables an enclosing `npm test` passes on. */
const userEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  NO_COLOR: '1',
  npm_config_update_notifier: 'false',
});

describe('noise', () => {
  it('npm in the repository warns about no unknown project config', () => {
    const r = spawnSync('npm', ['pkg', 'get', 'name'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: userEnv(),
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('"keel"');
    expect(r.stderr).toBe('');
  });

  it("the bench's Extism subject loads without Node's WASI ExperimentalWarning; other warnings still show", () => {
    const subjects = join(ROOT, 'dist/bench/lib/subjects.js');
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(subjects)});
await m.extismSubject();
process.emitWarning('a later warning', 'ExperimentalWarning');`,
      ],
      { cwd: ROOT, encoding: 'utf8', env: userEnv(), timeout: 60_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/WASI is an experimental feature/);
    expect(r.stderr).toMatch(/ExperimentalWarning: a later warning/);
  });

  it('quick bench results are ignored by git; full results are not', () => {
    const ignored = (path: string) =>
      spawnSync('git', ['check-ignore', '-q', path], { cwd: ROOT, timeout: 30_000 }).status === 0;
    expect(ignored('bench/results/bench-2030-01-01-quick.json')).toBe(true);
    expect(ignored('bench/results/bench-2030-01-01-quick-wasm-js.md')).toBe(true);
    expect(ignored('bench/results/ipc-2030-01-01-quick.json')).toBe(true);
    expect(ignored('bench/results/compute-2030-01-01-quick.md')).toBe(true);
    expect(ignored('bench/results/bench-2030-01-01.json')).toBe(false);
    expect(ignored('bench/results/latest.json')).toBe(false);
    expect(ignored('bench/results/startup-latest.md')).toBe(false);
  });
});
