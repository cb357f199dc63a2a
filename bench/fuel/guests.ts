/**
 * The guests of the fuel bench (`bench/fuel/run.ts`), also used by the cheapest-fuel attacks
 * (`test/hostile/.../*-flood.test.ts`): a WASI command that repeats one preview1 call, a
 * component that repeats a resource method or a function with a string, and one that repeats a
 * `keel:kernel` log, ipc send or events publish.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import type { Kernel } from '../../host/index.js';
import { wat } from '../../scripts/lib/wat.js';
import { repoPath } from '../lib/paths.js';

const PREVIEW1_IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))`;

/** A WASI command that repeats `op` `n` times; `len` bytes where the op moves bytes. */
export function command(op: string, n: number, len: number): string {
  const file = '(i32.load (i32.const 300))';
  const body: Record<string, string> = {
    stdout: '(call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 16))',
    stdin: '(call $fd_read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 16))',
    'no-iovecs': '(call $fd_write (i32.const 1) (i32.const 32) (i32.const 0) (i32.const 16))',
    'bad-fd': '(call $fd_write (i32.const 99) (i32.const 32) (i32.const 1) (i32.const 16))',
    'poll-none': '(call $poll_oneoff (i32.const 512) (i32.const 1024) (i32.const 0) (i32.const 16))',
    yield: '(call $sched_yield)',
    'file-missing':
      '(call $path_open (i32.const 3) (i32.const 0) (i32.const 208) (i32.const 4) (i32.const 0) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 304))',
    random: `(call $random_get (i32.const 1024) (i32.const ${len}))`,
    clock: '(call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 16))',
    'file-open':
      '(block (result i32) (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 5) (i32.const 0) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 304))) (call $fd_close (i32.load (i32.const 304))))',
    'file-write': `(block (result i32) (drop (call $fd_seek ${file} (i64.const 0) (i32.const 0) (i32.const 16))) (call $fd_write ${file} (i32.const 32) (i32.const 1) (i32.const 16)))`,
    'file-read': `(block (result i32) (drop (call $fd_seek ${file} (i64.const 0) (i32.const 0) (i32.const 16))) (call $fd_read ${file} (i32.const 32) (i32.const 1) (i32.const 16)))`,
  };
  return `(module ${PREVIEW1_IMPORTS}
  (memory (export "memory") 4)
  (data (i32.const 32) "\\00\\04\\00\\00")
  (data (i32.const 200) "f.bin")
  (data (i32.const 208) "none")
  (func (export "_start") (local $i i32)
    (i32.store (i32.const 36) (i32.const ${len}))
    ${op.startsWith('file') ? '(drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 5) (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 300)))' : ''}
    (loop $l
      (drop ${body[op]})
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${n}))))))`;
}

/**
 * A component calling resource methods (WASI 0.2.3 streams and pollables, with the stand-in
 * WIT of the host-argument attacks) and a record function taking a string: `run(op, n, len)`
 * repeats `pollable.ready` (op 0: a resource method, nothing passed), `output-stream.write` of
 * `len` bytes (op 1: a resource method with a list) or `log` of `len` bytes (op 2: a function
 * with a string).
 */
const STREAMS_WAT = `(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (import "wasi:cli/stdout@0.2.3" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.write" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "run") (param $op i32) (param $n i32) (param $len i32) (result i32)
    (local $i i32) (local $s i32) (local $p i32) (local $sum i32)
    (local.set $s (call $get-stdout))
    (local.set $p (call $subscribe (local.get $s)))
    (loop $l
      (if (i32.eqz (local.get $op))
        (then (local.set $sum (i32.add (local.get $sum) (call $ready (local.get $p))))))
      (if (i32.eq (local.get $op) (i32.const 1))
        (then (call $write (local.get $s) (i32.const 1024) (local.get $len) (i32.const 32))))
      (if (i32.eq (local.get $op) (i32.const 2))
        (then (call $log (i32.const 2) (i32.const 1024) (local.get $len))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum)))`;

export async function streamsComponent(): Promise<Uint8Array> {
  const wit = readFileSync(repoPath('guests/wat/hostile/host-args/arg-flood.wit'), 'utf8').replace(
    /world arg-flood \{[^}]*\}/,
    `world fuel-streams {
  import keel:kernel/log@0.2.0;
  import wasi:cli/stdout@0.2.3;
  import wasi:io/poll@0.2.3;
  export run: func(op: u32, n: u32, len: u32) -> u32;
}`,
  );
  const embedded = await componentEmbed({
    binary: await wat(STREAMS_WAT, 'streams.wat'),
    witSource: wit,
    world: 'fuel-streams',
  });
  return await componentNew(embedded, []);
}

/** A component importing keel:kernel log, ipc and events: `run(op, n, size)` repeats one. */
const KEEL_WAT = `(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (import "keel:kernel/ipc@0.2.0" "send" (func $send (param i32 i32 i32 i32 i32)))
  (import "keel:kernel/events@0.2.0" "publish" (func $publish (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "bench.topic")
  (func (export "run") (param $op i32) (param $n i32) (param $size i32) (param $to i32) (param $toLen i32) (result i32)
    (local $i i32)
    (loop $l
      (if (i32.eqz (local.get $op)) (then (call $log (i32.const 2) (i32.const 1024) (local.get $size))))
      (if (i32.eq (local.get $op) (i32.const 1))
        (then (call $send (local.get $to) (local.get $toLen) (i32.const 1024) (local.get $size) (i32.const 64))))
      (if (i32.eq (local.get $op) (i32.const 2))
        (then (call $publish (i32.const 0) (i32.const 11) (i32.const 1024) (local.get $size) (i32.const 64))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.load8_u (i32.const 64)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 8192)))`;

const KEEL_WIT = `
world fuel-bench {
  import log;
  import ipc;
  import events;
  export run: func(op: u32, n: u32, size: u32, to: string) -> u32;
}`;

export async function keelComponent(): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-fuel-bench-'));
  try {
    for (const file of ['log', 'ipc', 'events', 'self', 'types', 'handler', 'worlds']) {
      writeFileSync(join(dir, `${file}.wit`), readFileSync(repoPath(`wit/keel-kernel/${file}.wit`)));
    }
    writeFileSync(join(dir, 'fuel-bench.wit'), `package keel:kernel@0.2.0;\n${KEEL_WIT}`);
    const embedded = await componentEmbed({
      binary: await wat(KEEL_WAT, 'keel.wat'),
      witPath: dir,
      world: 'fuel-bench',
    });
    return await componentNew(embedded, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every WASI grant the preview1 kinds use (`random` left out for the denied kinds). */
export function wasiGrants(
  dir: string,
  random = true,
): NonNullable<Parameters<Kernel['spawn']>[1]>['grants'] {
  return [
    'wasi:cli/*',
    'wasi:clocks/*',
    ...(random ? ['wasi:random/*'] : []),
    {
      interface: 'wasi:filesystem/preopens',
      scope: {
        preopens: [{ guest: '/d', host: dir, dirPerms: 'read-write', filePerms: 'read-write' }],
        bytesWritten: Number.MAX_SAFE_INTEGER,
      },
    },
  ];
}

/**
 * Grows, each sample in fresh instances of a small module (memories and tables only grow):
 * `grow(n)` adds n pages one at a time, `grow-touch(n)` also writes to every 4 KiB of each new
 * page (the page faults are what a grown page costs the host), `table-grow(n, by)` grows the
 * table n times by `by` elements (V8 copies the table at each grow).
 */
export const GROW_WAT = `(module
  (memory 1)
  (table $t 1 funcref)
  (func (export "grow") (param $n i32) (param $by i32)
    (loop $l (drop (memory.grow (i32.const 1)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "grow-touch") (param $n i32) (param $by i32) (local $at i32) (local $k i32)
    (loop $l
      (local.set $at (i32.shl (memory.grow (i32.const 1)) (i32.const 16)))
      (local.set $k (i32.const 16))
      (loop $touch
        (i32.store (local.get $at) (local.get $k))
        (local.set $at (i32.add (local.get $at) (i32.const 4096)))
        (br_if $touch (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "table-grow") (param $n i32) (param $by i32)
    (loop $l (drop (table.grow $t (ref.null func) (local.get $by)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`;
