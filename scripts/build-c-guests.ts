/**
 * Build the C guests under guests/c/ into components, with a toolchain other than Keel's own:
 * Debian's clang and wasi-libc compile each `<name>/<name>.c` to a WASI preview1 core module,
 * and jco's preview1 command adapter wraps it into a `wasi:cli/run` component, committed as
 * `<name>/<name>.wasm`. Not run by `npm test` (it needs the C toolchain); the committed output
 * is what the tests load.
 *
 * A guest with a `<name>.wit` beside its source is a library instead: it exports that WIT's
 * world with the canonical ABI written by hand (no bindings generator, no start files, no
 * adapter); its WIT is embedded and the build is recorded in `<name>.build.json` (the sha256
 * of the source and the WIT, and of the component), which test/abi checks without a toolchain.
 *
 *   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32   # as root, once
 *   npm run build && node dist/scripts/build-c-guests.js
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { repoRoot } from './as-sdk/build.js';

/** clang flags: optimized, debug info stripped (smaller, no local paths); the producers section stays. */
const CFLAGS = ['--target=wasm32-wasi', '-O2', '-Wl,--strip-debug'];

function commandAdapter(): Uint8Array {
  // jco's exports map hides lib/; resolve its entry and walk over.
  return readFileSync(
    new URL('../lib/wasi_snapshot_preview1.command.wasm', import.meta.resolve('@bytecodealliance/jco')),
  );
}

export async function buildCGuest(source: string, output: string): Promise<Uint8Array> {
  const scratch = mkdtempSync(join(tmpdir(), 'keel-c-'));
  try {
    const core = join(scratch, 'core.wasm');
    execFileSync(process.env.CC ?? 'clang', [...CFLAGS, source, '-o', core], { stdio: 'inherit' });
    const component = await componentNew(readFileSync(core), [['wasi_snapshot_preview1', commandAdapter()]]);
    writeFileSync(output, component);
    return component;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The sha256 of a library guest's inputs: its source, then its WIT. */
export function libraryInputsHash(source: Uint8Array, wit: Uint8Array): string {
  return createHash('sha256').update(source).update(wit).digest('hex');
}

/** A library guest: the WIT's world exported by hand-written canonical ABI functions. */
export async function buildCLibrary(source: string, wit: string, output: string): Promise<Uint8Array> {
  const scratch = mkdtempSync(join(tmpdir(), 'keel-c-'));
  try {
    const core = join(scratch, 'core.wasm');
    const flags = [...CFLAGS, '-nostartfiles', '-Wl,--no-entry'];
    execFileSync(process.env.CC ?? 'clang', [...flags, source, '-o', core], { stdio: 'inherit' });
    const embedded = await componentEmbed({
      binary: readFileSync(core),
      witSource: readFileSync(wit, 'utf8'),
    });
    const component = await componentNew(embedded, undefined);
    writeFileSync(output, component);
    const toolchain = execFileSync(process.env.CC ?? 'clang', ['--version'], { encoding: 'utf8' }).split(
      '\n',
    )[0];
    const record = {
      inputs: libraryInputsHash(readFileSync(source), readFileSync(wit)),
      output: createHash('sha256').update(component).digest('hex'),
      bytes: component.length,
      toolchain,
    };
    writeFileSync(output.replace(/\.wasm$/, '.build.json'), `${JSON.stringify(record, null, 2)}\n`);
    return component;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const root = repoRoot();
  const base = join(root, 'guests/c');
  for (const name of readdirSync(base)) {
    const source = join(base, name, `${name}.c`);
    if (!existsSync(source)) continue;
    const output = join(base, name, `${name}.wasm`);
    const wit = join(base, name, `${name}.wit`);
    const bytes = existsSync(wit)
      ? await buildCLibrary(source, wit, output)
      : await buildCGuest(source, output);
    process.stdout.write(`written ${relative(root, output)} (${bytes.length} bytes)\n`);
  }
}

// Run as a script (not when imported for `buildCLibrary` or `libraryInputsHash`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
