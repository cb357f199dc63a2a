/**
 * Build a Rust guest into a component, with Debian's rustc only (no cargo registry, no crates
 * from outside, no proc macros):
 *
 *   WIT → model → src/bindings.rs (written into the project: `mod bindings;` includes it)
 *     → rustc: the `keel` runtime crate (sdk/rust/keel) as an rlib
 *     → rustc: the guest crate, `--crate-type cdylib --target wasm32-wasi`
 *     → componentEmbed (the world) → componentNew with the preview1 reactor adapter
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { preview1Component } from '../component.js';
import { writeInside } from '../files.js';
import { run } from '../toolchain.js';
import type { LoadedWorld } from '../wit/load.js';
import { generateRust } from './bindgen.js';

export interface RustBuildOptions {
  rustc: string;
  /** The crate root (src/lib.rs), absolute. */
  crateRoot: string;
  world: LoadedWorld;
  /** sdk/rust/keel */
  keelCrate: string;
  /** The project folder, for path remapping. */
  projectDir: string;
  /** Keel's root, for path remapping. */
  keelRoot: string;
}

/** Where a project's generated bindings go: beside its crate root. */
export function bindingsPath(crateRoot: string): string {
  return join(dirname(crateRoot), 'bindings.rs');
}

export const RUST_FLAGS = [
  '--edition',
  '2021',
  '--target',
  'wasm32-wasi',
  '-C',
  'opt-level=2',
  '-C',
  'strip=symbols',
  '-C',
  'panic=abort',
];

export async function buildRust(
  options: RustBuildOptions,
): Promise<{ component: Uint8Array; core: Uint8Array }> {
  const bindings = generateRust(options.world.world);
  writeInside(options.projectDir, bindingsPath(options.crateRoot), bindings.source, 'src/bindings.rs');
  const scratch = mkdtempSync(join(tmpdir(), 'keel-rust-'));
  const remap = [
    `--remap-path-prefix=${options.projectDir}=.`,
    `--remap-path-prefix=${options.keelRoot}=keel`,
    `--remap-path-prefix=${scratch}=build`,
  ];
  try {
    run(options.rustc, [
      ...RUST_FLAGS,
      ...remap,
      '--crate-type',
      'rlib',
      '--crate-name',
      'keel',
      resolve(options.keelCrate, 'src/lib.rs'),
      '--out-dir',
      scratch,
    ]);
    const out = join(scratch, 'core.wasm');
    run(options.rustc, [
      ...RUST_FLAGS,
      ...remap,
      '--crate-type',
      'cdylib',
      '--extern',
      `keel=${join(scratch, 'libkeel.rlib')}`,
      '-L',
      scratch,
      options.crateRoot,
      '-o',
      out,
    ]);
    const core = new Uint8Array(readFileSync(out));
    const component = await preview1Component(core, options.world);
    return { component, core };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
