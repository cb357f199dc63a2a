/**
 * Hand-written WAT guests for Keel's preview1, built per test: a module that imports the named
 * preview1 functions, fills its memory from data segments, and exports `run` (the test's body,
 * returning an errno) plus peek/poke helpers so the test can read what the call wrote.
 */

import { PREVIEW1_SIGNATURES } from '../../host/caps/wasi-preview1.js';
import type { GrantInput, Kernel, Limits, Sandbox } from '../../host/index.js';
import { wat } from './wat.js';

export interface P1Guest {
  sandbox: Sandbox;
  /** Call `run` (the body); its i32 result, usually an errno. */
  run(): number;
  u8(ptr: number): number;
  u16(ptr: number): number;
  u32(ptr: number): number;
  u64(ptr: number): bigint;
  bytes(ptr: number, length: number): Uint8Array;
  text(ptr: number, length: number): string;
  poke32(ptr: number, value: number): void;
  stdout(): string;
  stderr(): string;
}

export interface P1Options {
  /** Functions to import: `fd_write`, or `wasi_unstable.fd_seek` for the older snapshot. */
  imports: readonly string[];
  /** The body of `run` (WAT instructions leaving an i32). Imports are `$name` (unstable: `$u_name`). */
  body: string;
  /** `[address, bytes]` data segments; bytes as a WAT string literal's contents. */
  data?: readonly [number, string][];
  /** Memory pages (default 1). */
  pages?: number;
  grants?: readonly GrantInput[];
  limits?: Partial<Limits>;
  stdin?: Uint8Array;
  denial?: 'spawn' | 'call';
  /** Extra module fields (exports, functions). */
  extra?: string;
  /** Export no memory. */
  noMemory?: boolean;
}

export function p1Source(options: Omit<P1Options, 'grants' | 'limits' | 'stdin' | 'denial'>): string {
  const imports = options.imports.map((spec) => {
    const [module, name] = spec.includes('.') ? spec.split('.') : ['wasi_snapshot_preview1', spec];
    const sig = PREVIEW1_SIGNATURES[name!]!;
    const params = sig.params.length ? `(param ${sig.params.join(' ')})` : '';
    const results = sig.results.length ? `(result ${sig.results.join(' ')})` : '';
    const id = module === 'wasi_unstable' ? `$u_${name}` : `$${name}`;
    return `(import "${module}" "${name}" (func ${id} ${params} ${results}))`;
  });
  const data = (options.data ?? []).map(([at, bytes]) => `(data (i32.const ${at}) "${bytes}")`);
  const memory = options.noMemory ? '(memory 1)' : `(memory (export "memory") ${options.pages ?? 1})`;
  return `(module
  ${imports.join('\n  ')}
  ${memory}
  ${data.join('\n  ')}
  (func (export "run") (result i32) ${options.body})
  (func (export "peek8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "peek16") (param i32) (result i32) (i32.load16_u (local.get 0)))
  (func (export "peek32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "peek64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "poke32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  ${options.extra ?? ''})`;
}

export async function p1Guest(kernel: Kernel, options: P1Options): Promise<P1Guest> {
  const module = await kernel.load(await wat(p1Source(options)), { name: 'p1-wat' });
  let out = '';
  let err = '';
  const decoder = new TextDecoder();
  const sandbox = await kernel.spawn(module, {
    grants: options.grants ?? [],
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.denial ? { denial: options.denial } : {}),
    io: {
      ...(options.stdin ? { stdin: options.stdin } : {}),
      stdout: (c) => {
        out += decoder.decode(c);
      },
      stderr: (c) => {
        err += decoder.decode(c);
      },
    },
  });
  const fn = <T>(name: string) => sandbox.fn<(...a: number[]) => T>(name);
  const peek8 = fn<number>('peek8');
  const bytes = (ptr: number, length: number) => Uint8Array.from({ length }, (_, i) => peek8(ptr + i));
  return {
    sandbox,
    run: () => fn<number>('run')(),
    u8: peek8,
    u16: fn<number>('peek16'),
    u32: (ptr) => fn<number>('peek32')(ptr) >>> 0,
    u64: (ptr) => BigInt.asUintN(64, fn<bigint>('peek64')(ptr)),
    bytes,
    text: (ptr, length) => new TextDecoder().decode(bytes(ptr, length)),
    poke32: (ptr, value) => fn<void>('poke32')(ptr, value),
    stdout: () => out,
    stderr: () => err,
  };
}

/** A little-endian u32 as a WAT data string (`\\04\\00\\00\\00`). */
export function le32(value: number): string {
  return [0, 8, 16, 24].map((s) => `\\${((value >>> s) & 0xff).toString(16).padStart(2, '0')}`).join('');
}

/** A little-endian u64 as a WAT data string. */
export function le64(value: bigint): string {
  let out = '';
  for (let i = 0n; i < 8n; i++) out += `\\${((value >> (8n * i)) & 0xffn).toString(16).padStart(2, '0')}`;
  return out;
}

/** An iovec `{ buf, len }` as a WAT data string. */
export function iovec(buf: number, len: number): string {
  return le32(buf) + le32(len);
}

/** What the C probe (guests/c/p1probe) printed, one line per operation. */
export interface ProbeResult {
  lines: string[];
  exit: number | undefined;
  stderr: string;
}

export interface ProbeOptions {
  /** The host directory preopened as /data (fd 3), read-write; none: no preopen. */
  dir?: string;
  /** Append `+links` (hard links granted in /data). */
  links?: boolean;
  grants?: readonly GrantInput[];
  /** The clock grants (default `wasi:clocks/*`). */
  clocks?: readonly GrantInput[];
  env?: Record<string, string>;
  stdin?: Uint8Array;
  denial?: 'spawn' | 'call';
}

/**
 * Run the C probe (raw preview1 calls from wasi-libc's wasi/api.h) with `script`, with the CLI's
 * grants (stdio, exit, environment with argv) plus clocks, randomness and `dir` at /data.
 */
export async function probe(
  kernel: Kernel,
  script: readonly string[],
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const { readFileSync } = await import('node:fs');
  const { parseDirFlags } = await import('../../host/index.js');
  const bytes = readFileSync(new URL('../../guests/c/p1probe/p1probe.p1.wasm', import.meta.url));
  const module = await kernel.load(new Uint8Array(bytes), { name: 'p1probe' });
  let out = '';
  let err = '';
  const decoder = new TextDecoder();
  const sandbox = await kernel.spawn(module, {
    grants: [
      'wasi:cli/stdin',
      'wasi:cli/stdout',
      'wasi:cli/stderr',
      'wasi:cli/exit',
      { interface: 'wasi:cli/environment', scope: { env: options.env ?? {}, args: ['p1probe', ...script] } },
      ...(options.clocks ?? ['wasi:clocks/*']),
      'wasi:random/*',
      ...(options.dir ? [parseDirFlags([`${options.dir}::/data:rw${options.links ? '+links' : ''}`])] : []),
      ...(options.grants ?? []),
    ],
    ...(options.denial ? { denial: options.denial } : {}),
    io: {
      ...(options.stdin ? { stdin: options.stdin } : {}),
      stdout: (c) => {
        out += decoder.decode(c);
      },
      stderr: (c) => {
        err += decoder.decode(c);
      },
    },
  });
  const outcome = await sandbox.invoke('_start');
  return { lines: out.split('\n').filter((l) => l.length > 0), exit: outcome.exit, stderr: err };
}

/** A probe script from text: words split on spaces, `''` for an empty argument. */
export function script(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .map((w) => (w === "''" ? '' : w));
}
