/**
 * Build the C guests under guests/c/ into components, with a toolchain other than Keel's own:
 * Debian's clang and wasi-libc compile each `<name>/<name>.c` to a WASI preview1 core module,
 * and jco's preview1 command adapter wraps it into a `wasi:cli/run` component, committed as
 * `<name>/<name>.wasm`. Not run by `npm test` (it needs the C toolchain); the committed output
 * is what the tests load.
 *
 *   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32   # as root, once
 *   npm run build && node dist/scripts/build-c-guests.js
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
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

async function main(): Promise<void> {
  const root = repoRoot();
  const base = join(root, 'guests/c');
  for (const name of readdirSync(base)) {
    const source = join(base, name, `${name}.c`);
    if (!existsSync(source)) continue;
    const output = join(base, name, `${name}.wasm`);
    const bytes = await buildCGuest(source, output);
    process.stdout.write(`written ${relative(root, output)} (${bytes.length} bytes)\n`);
  }
}

await main();
