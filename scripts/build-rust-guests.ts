/**
 * Build the Rust guests under guests/rust/ with a toolchain other than Keel's own: Debian's
 * rustc and its `wasm32-unknown-unknown` standard library compile each `<name>/<name>.rs` (a
 * library exporting `<name>.wit`'s world with the canonical ABI written by hand: no bindings
 * generator, std's allocator behind `cabi_realloc`), and the WIT is embedded into a component,
 * committed as `<name>/<name>.wasm`. The build is recorded in `<name>.build.json` (the sha256 of
 * the source and the WIT, and of the component), which test/abi checks without a toolchain.
 * Not run by `npm test` (it needs the Rust toolchain); the committed outputs are what tests load.
 *
 * rustc runs in the guest's directory on the source's bare name, so no local path is compiled
 * into the module (a panic's location names `abi.rs`). Debian's rustc is /usr/bin/rustc (a
 * rustup toolchain on the PATH may have no wasm32 standard library); RUSTC overrides it.
 *
 *   apt-get install -y rustc libstd-rust-dev-wasm32                  # as root, once
 *   npm run build && node dist/scripts/build-rust-guests.js          # rebuild
 *   npm run build && node dist/scripts/build-rust-guests.js --check  # verify the committed outputs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { repoRoot } from './as-sdk/build.js';
import { libraryInputsHash, sha256 } from './build-c-guests.js';

/** rustc flags: optimized, debug info stripped (smaller, no local paths); the producers section stays. */
export const RUSTFLAGS = [
  '--edition',
  '2021',
  '--target',
  'wasm32-unknown-unknown',
  '--crate-type',
  'cdylib',
  '-O',
  '-C',
  'strip=debuginfo',
];

function rustc(): string {
  return process.env.RUSTC ?? (existsSync('/usr/bin/rustc') ? '/usr/bin/rustc' : 'rustc');
}

/** Build one library guest into a component; returns its bytes and its build record. */
export async function buildRustLibrary(
  source: string,
  wit: string,
): Promise<{ component: Uint8Array; record: Record<string, unknown> }> {
  const scratch = mkdtempSync(join(tmpdir(), 'keel-rust-'));
  try {
    const core = join(scratch, 'core.wasm');
    execFileSync(rustc(), [...RUSTFLAGS, basename(source), '-o', core], {
      cwd: dirname(source),
      stdio: 'inherit',
    });
    const embedded = await componentEmbed({
      binary: readFileSync(core),
      witSource: readFileSync(wit, 'utf8'),
    });
    const component = await componentNew(embedded, undefined);
    const toolchain = execFileSync(rustc(), ['--version'], { encoding: 'utf8' }).trim();
    const record = {
      inputs: libraryInputsHash(readFileSync(source), readFileSync(wit)),
      output: sha256(component),
      bytes: component.length,
      toolchain,
    };
    return { component, record };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Whether the committed build record `file` holds `record`. Compared as data: the committed file
 * is laid out by the formatter, not by JSON.stringify (as build-c-guests' builds.json).
 */
export function recordMatches(file: string, record: Record<string, unknown>): boolean {
  if (!existsSync(file)) return false;
  try {
    return JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))) === JSON.stringify(record);
  } catch {
    return false;
  }
}

/** Build (or with `--check`, rebuild and compare) every guest under `base`; 1 when one is stale. */
export async function main(argv: string[], base = join(repoRoot(), 'guests/rust')): Promise<number> {
  const check = argv.includes('--check');
  const root = repoRoot();
  let stale = 0;
  for (const name of readdirSync(base).sort()) {
    const source = join(base, name, `${name}.rs`);
    const wit = join(base, name, `${name}.wit`);
    if (!existsSync(source) || !existsSync(wit)) continue;
    const output = join(base, name, `${name}.wasm`);
    const { component, record } = await buildRustLibrary(source, wit);
    const recordFile = output.replace(/\.wasm$/, '.build.json');
    if (check) {
      // The record too (its toolchain, its inputs' hash): the wasm alone could match a stale one.
      for (const [file, same] of [
        [output, existsSync(output) && sha256(readFileSync(output)) === sha256(component)],
        [recordFile, recordMatches(recordFile, record)],
      ] as const) {
        if (!same) stale++;
        process.stdout.write(`${same ? 'unchanged' : 'stale    '} ${relative(root, file)}\n`);
      }
      continue;
    }
    writeFileSync(output, component);
    writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`written   ${relative(root, output)} (${component.length} bytes)\n`);
  }
  if (stale > 0)
    process.stderr.write('committed Rust guests are stale: run node dist/scripts/build-rust-guests.js\n');
  return stale > 0 ? 1 : 0;
}

// Run as a script (not when imported for `buildRustLibrary`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
