/**
 * Fixture modules for tests and benchmarks, built from WAT and WIT with jco-transpile's wasm-tools (the same
 * steps a guest toolchain takes: embed the WIT, then make the component).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPreview1Adapter } from '../../host/loader/files.js';
import { componentEmbed, componentNew } from './wasm-tools.js';
import { wat } from './wat.js';

export async function componentFromWat(
  source: string,
  witSource: string,
  world: string,
): Promise<Uint8Array> {
  const core = await wat(source);
  const embedded = await componentEmbed({ binary: core, witSource, world });
  return componentNew(embedded, undefined);
}

export async function preview1Component(source: string): Promise<Uint8Array> {
  return componentNew(await wat(source), [['wasi_snapshot_preview1', await readPreview1Adapter('command')]]);
}

/** A fresh transpile cache directory per test file. */
export function tempCacheDir(): string {
  return mkdtempSync(join(tmpdir(), 'keel-test-cache-'));
}

/**
 * A component exporting `docs:adder/add#add(u32, u32) -> u32` and world-level `shout(string) -> string`
 * (uppercases the first byte), `boom()` (traps) and `noop()`.
 */
/** A `cabi_realloc` for guests with one argument in flight at a time (WAT, for the fixtures below). */
const REALLOC_WAT = `  ;; One argument in flight at a time: every allocation reuses the same 60 KiB area.
  (func $realloc (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (if (i32.gt_u (local.get 3) (i32.const 61440)) (then unreachable))
    (i32.const 1024))
`;

/** `shout(string) -> string` in the canonical ABI: the string back, first byte uppercased. */
const SHOUT_WAT = `  ;; shout(s) returns s unchanged but with its first byte uppercased (ASCII).
  (func (export "shout") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 0))
      (then (i32.store8 (local.get $ptr)
        (i32.and (i32.load8_u (local.get $ptr)) (i32.const 0xdf)))))
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (i32.const 16))
`;

export const ADDER_WAT = `(module
  (memory (export "memory") 1)
${REALLOC_WAT}  (func (export "docs:adder/add@0.1.0#add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
${SHOUT_WAT}  (func (export "boom") unreachable)
  (func (export "noop"))
)`;

export const ADDER_WIT = `package docs:adder@0.1.0;
interface add { add: func(x: u32, y: u32) -> u32; }
world adder {
  export add;
  export shout: func(s: string) -> string;
  export boom: func();
  export noop: func();
}`;

/** A preview1 command printing its environment's first variable, then `hello`. */
export const PREVIEW1_HELLO_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))))`;

/** A preview1 command that exits with the status it finds in its first argument's length. */
export const PREVIEW1_EXIT_WAT = `(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 3))))`;

/** A preview1 command that prints every environment variable, one per line. */
export const PREVIEW1_ENV_WAT = `(module
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (local $count i32) (local $i i32) (local $p i32) (local $len i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (local.set $count (i32.load (i32.const 0)))
    ;; pointers at 1024, strings at 4096
    (drop (call $get (i32.const 1024) (i32.const 4096)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $p (i32.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))))
        ;; length up to the NUL, which is replaced by a newline
        (local.set $len (i32.const 0))
        (block $end (loop $scan
          (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $len)))))
          (local.set $len (i32.add (local.get $len) (i32.const 1)))
          (br $scan)))
        (i32.store8 (i32.add (local.get $p) (local.get $len)) (i32.const 10))
        (i32.store (i32.const 16) (local.get $p))
        (i32.store (i32.const 20) (i32.add (local.get $len) (i32.const 1)))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))`;

/**
 * The benchmark component (bench/): world-level `noop()`, `add(u32, u32) -> u32`,
 * `shout(string) -> string` (as in ADDER_WAT) and `call-host(n) -> u32`, which calls the
 * imported `keel:bench/host#tick(u32) -> u32` n times, feeding each result to the next call.
 * Its core module runs as is on plain V8 with `BENCH_HOST_MODULE.tick` supplied directly.
 */
export const BENCH_HOST_MODULE = 'keel:bench/host@0.1.0';

export const BENCH_WAT = `(module
  (import "${BENCH_HOST_MODULE}" "tick" (func $tick (param i32) (result i32)))
  (memory (export "memory") 1)
${REALLOC_WAT}  (func (export "noop"))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
${SHOUT_WAT}  (func (export "call-host") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (call $tick (local.get $acc)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))
)`;

export const BENCH_WIT = `package keel:bench@0.1.0;
interface host { tick: func(x: u32) -> u32; }
world bench {
  import host;
  export noop: func();
  export add: func(a: u32, b: u32) -> u32;
  export shout: func(s: string) -> string;
  export call-host: func(n: u32) -> u32;
}`;
