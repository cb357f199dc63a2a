/**
 * Attack: `keel new` pointed at a folder that already holds someone's work (a project, a
 * dotfile, a file where the folder should be, a link to a folder elsewhere), so that writing the
 * template replaces files the user never meant to lose. `keel new` must refuse before writing
 * anything, leave every byte as it was, and say why, quickly.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../../../scripts/sdk/new.js';
import { ProjectError } from '../../../scripts/sdk/project.js';
import { keel } from '../../cli/harness.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-hostile-new-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** createProject must throw a ProjectError matching `reason`, within a bounded time. */
function refused(language: string, dir: string, reason: RegExp): void {
  const started = performance.now();
  let thrown: unknown;
  try {
    createProject(language, dir);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ProjectError);
  expect((thrown as Error).message).toMatch(reason);
  expect(performance.now() - started).toBeLessThan(2_000);
}

describe('keel new into a place that is taken', () => {
  it('refuses a folder holding a project, and changes nothing in it', () => {
    const dir = join(scratch, 'project');
    mkdirSync(join(dir, 'wit'), { recursive: true });
    writeFileSync(join(dir, 'keel.json'), 'my own keel.json');
    writeFileSync(join(dir, 'wit', 'world.wit'), 'my own world');
    refused('c', dir, /not empty/);
    expect(readFileSync(join(dir, 'keel.json'), 'utf8')).toBe('my own keel.json');
    expect(readFileSync(join(dir, 'wit', 'world.wit'), 'utf8')).toBe('my own world');
    expect(readdirSync(dir).sort()).toEqual(['keel.json', 'wit']);
  });

  it('refuses a folder holding only a dotfile', () => {
    const dir = join(scratch, 'dotfile');
    mkdirSync(dir);
    writeFileSync(join(dir, '.git'), 'gitdir: elsewhere');
    refused('rust', dir, /not empty/);
    expect(readdirSync(dir)).toEqual(['.git']);
  });

  it('refuses a file where the folder should be, and leaves it whole', () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'precious');
    refused('js', file, /not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  it('refuses a link to a folder that is not empty', () => {
    const target = join(scratch, 'elsewhere');
    mkdirSync(target);
    writeFileSync(join(target, 'main.c'), 'int main(void) { return 42; }');
    const link = join(scratch, 'link');
    symlinkSync(target, link);
    refused('c', link, /not empty/);
    expect(readFileSync(join(target, 'main.c'), 'utf8')).toBe('int main(void) { return 42; }');
  });

  it('refuses a dangling link (it would write wherever the link points)', () => {
    const link = join(scratch, 'dangling');
    symlinkSync(join(scratch, 'nowhere-yet'), link);
    refused('c', link, /not a folder/);
    expect(() => readdirSync(join(scratch, 'nowhere-yet'))).toThrow();
  });

  it('through the CLI: exit 2, one error line, nothing written', () => {
    const dir = join(scratch, 'cli');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const result = keel(['new', 'ts', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error\[invalid-argument\]: .*not empty/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});
