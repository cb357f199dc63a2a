/**
 * Running the real `keel` binary as a user does: a child process with real stdin, stdout,
 * stderr and exit status. Each test file gets its own scratch directory and transpile cache.
 */
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wat } from '../helpers/wat.js';

export const BIN = fileURLToPath(new URL('../../bin/keel.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface KeelOptions {
  /** Bytes for Keel's stdin (default: none, stdin is /dev/null). */
  input?: string | Uint8Array;
  env?: NodeJS.ProcessEnv;
  /** The transpile cache (`--cache-dir`), added to run and inspect. */
  cache?: string;
}

/** Run `keel ...args` to its end. */
export function keel(args: string[], options: KeelOptions = {}): Result {
  const result = spawnSync(process.execPath, [BIN, ...withCache(args, options.cache)], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    input: options.input ?? '',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Start `keel ...args` with piped stdio, for tests that talk to it while it runs. */
export function startKeel(args: string[], options: { cache?: string } & SpawnOptions = {}) {
  return spawn(process.execPath, [BIN, ...withCache(args, options.cache)], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...options,
  });
}

function withCache(args: string[], cache: string | undefined): string[] {
  if (!cache || !['run', 'inspect'].includes(args[0]!) || args.includes('--help')) return args;
  const dashdash = args.indexOf('--');
  return dashdash < 0
    ? [...args, '--cache-dir', cache]
    : [...args.slice(0, dashdash), '--cache-dir', cache, ...args.slice(dashdash)];
}

/** The last line of stdout, parsed: `--json`'s result object. */
export function lastJson(stdout: string): Record<string, any> {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `keel-${prefix}-`));
}

/** Compile WAT into `dir/name.wasm`; returns the path. */
export async function wasmFile(dir: string, name: string, source: string): Promise<string> {
  const path = join(dir, `${name}.wasm`);
  writeFileSync(path, await wat(source));
  return path;
}

/**
 * A WASI preview1 `cat`: copies stdin to stdout chunk by chunk (up to 64 KiB per read) until the
 * end of stdin, writing each chunk as soon as it is read. Ignores failed writes.
 */
export const CAT_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (local $n i32)
    (loop $next
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.const 65536))
      (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
      (local.set $n (i32.load (i32.const 8)))
      (if (local.get $n) (then
        (i32.store (i32.const 16) (i32.const 1024))
        (i32.store (i32.const 20) (local.get $n))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))
        (br $next)))))
)`;

/** A preview1 command that calls `proc_exit(code)`. */
export function exitWat(code: number): string {
  return `(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const ${code}))))`;
}

/** A core module exporting `run: () -> i32` (returns 42), with no imports. */
export const TRIVIAL = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
]);
