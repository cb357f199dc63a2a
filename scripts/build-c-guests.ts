/**
 * Build the C guests under guests/c/ with a toolchain other than Keel's own: Debian's clang and
 * wasi-libc compile each `<name>/<name>.c` to a WASI preview1 core module, committed as
 * `<name>/<name>.p1.wasm` (run by Keel's own preview1), and for the guests listed in COMPONENTS
 * jco's preview1 command adapter also wraps it into a `wasi:cli/run` component, committed as
 * `<name>/<name>.wasm` (run through WASI 0.2). `guests/c/builds.json` records each source's
 * sha256, the flags, the compiler and each output's sha256: `test/guests/c-builds.test.ts` fails
 * when a source changed without a rebuild, and `--check` rebuilds and compares byte for byte.
 * Not run by `npm test` (it needs the C toolchain); the committed outputs are what tests load.
 *
 * A guest with a `<name>.wit` beside its source is a library instead: it exports that WIT's
 * world with the canonical ABI written by hand (no bindings generator, no start files, no
 * adapter); its WIT is embedded and the build is recorded in `<name>.build.json` (the sha256
 * of the source and the WIT, and of the component), which test/abi checks without a toolchain
 * (it is not in builds.json).
 *
 *   apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32   # as root, once
 *   npm run build && node dist/scripts/build-c-guests.js            # rebuild
 *   npm run build && node dist/scripts/build-c-guests.js --check    # verify the committed outputs
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
export const CFLAGS = ['--target=wasm32-wasi', '-O2', '-Wl,--strip-debug'];

/** Guests also committed as wasi:cli/run components (the WASI 0.2 side of the same program). */
export const COMPONENTS = ['env', 'files', 'fsprobe', 'hello', 'stdio'];

export interface CBuild {
  source: string;
  flags: string[];
  compiler: string;
  outputs: Record<string, string>;
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function commandAdapter(): Uint8Array {
  // jco's exports map hides lib/; resolve its entry and walk over.
  return readFileSync(
    new URL('../lib/wasi_snapshot_preview1.command.wasm', import.meta.resolve('@bytecodealliance/jco')),
  );
}

function compilerVersion(cc: string): string {
  return execFileSync(cc, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

/** Build one guest: its outputs by suffix (`p1.wasm`, and `wasm` for components). */
export async function buildCGuest(source: string, name: string): Promise<Record<string, Uint8Array>> {
  const scratch = mkdtempSync(join(tmpdir(), 'keel-c-'));
  try {
    const core = join(scratch, 'core.wasm');
    execFileSync(process.env.CC ?? 'clang', [...CFLAGS, source, '-o', core], { stdio: 'inherit' });
    const bytes = new Uint8Array(readFileSync(core));
    const outputs: Record<string, Uint8Array> = { 'p1.wasm': bytes };
    if (COMPONENTS.includes(name)) {
      outputs.wasm = await componentNew(bytes, [['wasi_snapshot_preview1', commandAdapter()]]);
    }
    return outputs;
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

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const root = repoRoot();
  const base = join(root, 'guests/c');
  const cc = process.env.CC ?? 'clang';
  const manifest: Record<string, CBuild> = {};
  let stale = 0;
  for (const name of readdirSync(base).sort()) {
    const source = join(base, name, `${name}.c`);
    if (!existsSync(source)) continue;
    const wit = join(base, name, `${name}.wit`);
    if (existsSync(wit)) {
      // A library: recorded in its own <name>.build.json (checked by test/abi), not here.
      if (check) continue;
      const output = join(base, name, `${name}.wasm`);
      const bytes = await buildCLibrary(source, wit, output);
      process.stdout.write(`written   ${relative(root, output)} (${bytes.length} bytes)\n`);
      continue;
    }
    const outputs = await buildCGuest(source, name);
    manifest[name] = {
      source: sha256(readFileSync(source)),
      flags: CFLAGS,
      compiler: compilerVersion(cc),
      outputs: Object.fromEntries(Object.entries(outputs).map(([suffix, b]) => [suffix, sha256(b)])),
    };
    for (const [suffix, bytes] of Object.entries(outputs)) {
      const file = join(base, name, `${name}.${suffix}`);
      const same = existsSync(file) && sha256(readFileSync(file)) === sha256(bytes);
      if (check) {
        if (!same) stale++;
        process.stdout.write(`${same ? 'unchanged' : 'stale    '} ${relative(root, file)}\n`);
      } else {
        writeFileSync(file, bytes);
        process.stdout.write(`written   ${relative(root, file)} (${bytes.length} bytes)\n`);
      }
    }
  }
  const manifestFile = join(base, 'builds.json');
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  if (check) {
    // Compared as data: the committed file is laid out by the formatter, not by JSON.stringify.
    const committed = existsSync(manifestFile)
      ? JSON.stringify(JSON.parse(readFileSync(manifestFile, 'utf8')))
      : '';
    if (committed !== JSON.stringify(manifest)) {
      stale++;
      process.stdout.write(`stale     ${relative(root, manifestFile)}\n`);
    }
    if (stale > 0)
      process.stderr.write('committed C guests are stale: run node dist/scripts/build-c-guests.js\n');
    return stale > 0 ? 1 : 0;
  }
  writeFileSync(manifestFile, text);
  return 0;
}

// Run as a script (not when imported for `buildCLibrary` or `libraryInputsHash`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
