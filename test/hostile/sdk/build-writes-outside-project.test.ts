/**
 * Attack: a project from someone else (a cloned repository) whose `keel.json` or whose files
 * make `keel build` write outside the project folder: an `output` of `../…` or an absolute
 * path, Rust `sources` in another folder (the build writes `bindings.rs` beside the crate
 * root), or a component, build record, `keel-world.d.ts` or `src` folder that is a symbolic link
 * to a file or folder elsewhere. Keel must refuse what names a place outside, replace links
 * instead of writing through them, and leave every file outside the project untouched.
 * No toolchain is needed: AssemblyScript and esbuild come with Keel, and rustc is a stub that
 * answers `--version` and fails to compile (the bindings are written before it runs).
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProject } from '../../../scripts/sdk/build.js';
import { createProject } from '../../../scripts/sdk/new.js';
import { readProject } from '../../../scripts/sdk/project.js';

let scratch: string;
let victim: string;
const PRECIOUS = 'the user’s own file';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-hostile-build-'));
  victim = join(scratch, 'victim.txt');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(name: string, language: string, edit?: (json: Record<string, unknown>) => void): string {
  const dir = join(scratch, name);
  createProject(language, dir);
  if (edit) {
    const file = join(dir, 'keel.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(json);
    writeFileSync(file, JSON.stringify(json));
  }
  writeFileSync(victim, PRECIOUS);
  return dir;
}

describe('keel.json naming a place outside the project', () => {
  it.each([
    ['a parent folder', '../escaped.wasm'],
    ['an absolute path', '/tmp/keel-escaped.wasm'],
    ['a deeper climb', 'out/../../../escaped.wasm'],
  ])('an output in %s is refused before anything is built', (_, output) => {
    const dir = project(`out-${output.length}`, 'as', (j) => {
      j.output = output;
    });
    expect(() => readProject(dir)).toThrow(/outside the project folder/);
    expect(existsSync(join(scratch, 'escaped.wasm'))).toBe(false);
  });

  it('Rust sources in another folder are refused (the build writes bindings.rs beside them)', () => {
    const other = join(scratch, 'other-crate', 'src');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'bindings.rs'), PRECIOUS);
    const dir = project('rust-outside', 'rust', (j) => {
      j.sources = ['../other-crate/src/lib.rs'];
    });
    expect(() => readProject(dir)).toThrow(/outside the project folder/);
    expect(readFileSync(join(other, 'bindings.rs'), 'utf8')).toBe(PRECIOUS);
  });
});

describe('links inside the project pointing outside', () => {
  it('a component and a build record that are links are replaced, never written through', async () => {
    const dir = project('linked-output', 'as');
    const name = JSON.parse(readFileSync(join(dir, 'keel.json'), 'utf8')).output as string;
    symlinkSync(victim, join(dir, name));
    symlinkSync(victim, join(dir, name.replace(/\.wasm$/, '.build.json')));
    const started = performance.now();
    const { output } = await buildProject(readProject(dir));
    expect(performance.now() - started).toBeLessThan(120_000);
    expect(readFileSync(victim, 'utf8')).toBe(PRECIOUS);
    expect(lstatSync(output).isSymbolicLink()).toBe(false);
    expect(readFileSync(output).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
  }, 180_000);

  it('keel-world.d.ts as a link is replaced, never written through', async () => {
    const dir = project('linked-dts', 'js');
    symlinkSync(victim, join(dir, 'keel-world.d.ts'));
    // A syntax error stops the build at esbuild, after the declarations are written.
    writeFileSync(join(dir, 'index.js'), 'export const handler = {');
    await expect(buildProject(readProject(dir))).rejects.toThrow(/esbuild/);
    expect(readFileSync(victim, 'utf8')).toBe(PRECIOUS);
    expect(lstatSync(join(dir, 'keel-world.d.ts')).isSymbolicLink()).toBe(false);
  });

  it('a src folder that links outside: bindings.rs is not written there', async () => {
    const outside = join(scratch, 'outside-src');
    mkdirSync(outside);
    writeFileSync(join(outside, 'bindings.rs'), PRECIOUS);
    const dir = project('linked-src', 'rust');
    writeFileSync(join(outside, 'lib.rs'), readFileSync(join(dir, 'src', 'lib.rs')));
    rmSync(join(dir, 'src'), { recursive: true });
    symlinkSync(outside, join(dir, 'src'));
    const rustc = join(scratch, 'fake-rustc');
    writeFileSync(
      rustc,
      '#!/bin/sh\n[ "$1" = --version ] && { echo "rustc 0.0.0 (stub)"; exit 0; }\n' +
        // The target check: an existing folder stands for the wasm32-wasi standard library.
        '[ "$1" = --print ] && { dirname "$0"; exit 0; }\nexit 1\n',
    );
    chmodSync(rustc, 0o755);
    const before = process.env.RUSTC;
    process.env.RUSTC = rustc;
    try {
      await expect(buildProject(readProject(dir))).rejects.toThrow(/symbolic link/);
    } finally {
      if (before === undefined) delete process.env.RUSTC;
      else process.env.RUSTC = before;
    }
    expect(readFileSync(join(outside, 'bindings.rs'), 'utf8')).toBe(PRECIOUS);
  });
});
