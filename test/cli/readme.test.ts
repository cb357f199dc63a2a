/**
 * The README's "As a library" example, run as written: the first TypeScript block of that
 * section, its types stripped (esbuild, as a user's toolchain would), run by node from a project
 * that has Keel installed (node_modules/keel is this repository, built) and the repository's
 * guests at hand, as "from the repository root" says.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, scratchDir } from './harness.js';

const dir = scratchDir('readme');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function libraryExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## As a library'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md: no ```ts block under "## As a library"');
  return block[1]!;
}

describe('README', () => {
  it('the "As a library" example runs as written against a guest in the repository', () => {
    const source = libraryExample();
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'keel'), 'dir');
    symlinkSync(join(ROOT, 'guests'), join(dir, 'guests'), 'dir');
    const { code } = transformSync(source, { loader: 'ts', format: 'esm' });
    writeFileSync(join(dir, 'example.mjs'), code);
    const r = spawnSync(process.execPath, ['example.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      // The default transpile cache, kept inside this test's directory.
      env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(dir, 'cache') },
      timeout: 170_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Hello, Keel!\nHello, WebAssembly!\n');
    expect(r.status).toBe(0);
    // The log it asked for: one JSON object per line, the guest's log lines among them.
    const events = readFileSync(join(dir, 'run.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string });
    expect(events.map((e) => e.event)).toContain('guest:log');
    expect(events.map((e) => e.event)).toContain('sandbox:spawn');
  }, 180_000);
});
