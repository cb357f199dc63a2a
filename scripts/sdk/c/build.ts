/**
 * Build a C guest into a component:
 *
 *   WIT → model → <world>.h, <world>.c (generated into a scratch folder)
 *     → clang --target=wasm32-wasi -mexec-model=reactor (Debian's clang and wasi-libc)
 *     → componentEmbed (the world) → componentNew with the preview1 reactor adapter
 *
 * The same sources, compiler and adapter give the same bytes: no paths or times reach the
 * output (debug information is stripped, the scratch folder's name is fixed relative to it).
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { preview1Component } from '../component.js';
import { CLANG, findTool, run } from '../toolchain.js';
import type { LoadedWorld } from '../wit/load.js';
import { generateC } from './bindgen.js';

export interface CBuildOptions {
  /** The guest's C sources. */
  sources: string[];
  /** The resolved world (see loadGuestWorld). */
  world: LoadedWorld;
  /** The SDK's runtime headers (sdk/c). */
  sdkDir: string;
  /** Extra clang flags (defines, include paths). */
  cflags?: string[];
  /** Where relative source paths are taken from (and recorded in diagnostics). */
  cwd: string;
}

/** clang flags: optimized, no debug information (smaller, and no local paths in the output). */
export const C_FLAGS = ['--target=wasm32-wasi', '-mexec-model=reactor', '-O2', '-Wall', '-Wl,--strip-all'];

export async function buildC(options: CBuildOptions): Promise<{ component: Uint8Array; core: Uint8Array }> {
  const clang = findTool(CLANG);
  const bindings = generateC(options.world.world);
  const scratch = mkdtempSync(join(tmpdir(), 'keel-c-'));
  try {
    writeFileSync(join(scratch, bindings.headerName), bindings.header);
    writeFileSync(join(scratch, bindings.sourceName), bindings.source);
    const out = join(scratch, 'core.wasm');
    // Relative, and `./`-prefixed: a file named `-fplugin=…` is an input, never a flag.
    const sources = options.sources.map((s) => {
      const rel = relative(options.cwd, resolve(options.cwd, s));
      return isAbsolute(rel) ? rel : `.${sep}${rel}`;
    });
    run(
      clang,
      [
        ...C_FLAGS,
        `-I${options.sdkDir}`,
        `-I${scratch}`,
        // Paths the compiler records (assertions, __FILE__) do not depend on where the build ran.
        `-ffile-prefix-map=${scratch}=keel-bindings`,
        `-ffile-prefix-map=${options.cwd}=.`,
        ...(options.cflags ?? []),
        join(scratch, bindings.sourceName),
        ...sources,
        '-o',
        out,
      ],
      options.cwd,
      // clang's own folder: its linker (wasm-ld) is there, and no wasm-opt.
      dirname(realpathSync(clang)),
    );
    const core = new Uint8Array(readFileSync(out));
    const component = await preview1Component(core, options.world);
    return { component, core };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
