/**
 * Attack: move bytes with `output-stream.splice` instead of `read` and `write` (redteam16). The
 * bytes never cross the boundary, so the canonical ABI, which prices what a guest passes and what
 * it is handed, prices neither side: the source charged its read and the sink its own work, but
 * nobody the bytes a `write` pays for as they are passed (and a `read` as they are handed back),
 * so a splice moved each byte at 10 fuel where read and write paid 14. Splice and blocking-splice
 * now price each byte as a read and a write of it would; the calls the guest saves are its own.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';

const WIT = `package test:hostile;
world splice-write-unpriced {
  import wasi:cli/stdin@0.2.3;
  import wasi:cli/stdout@0.2.3;
  /// stdin to stdout: one splice of len bytes (blocking-splice with blocking); the bytes moved.
  export splice: func(len: u32, blocking: bool) -> s32;
  /// stdin to stdout: a read of len bytes, then a write of them; the bytes moved.
  export copy: func(len: u32) -> s32;
}
package wasi:io@0.2.3 {
  interface error { resource error; }
  interface streams {
    use error.{error};
    variant stream-error { last-operation-failed(error), closed }
    resource input-stream { read: func(len: u64) -> result<list<u8>, stream-error>; }
    resource output-stream {
      write: func(contents: list<u8>) -> result<_, stream-error>;
      splice: func(src: borrow<input-stream>, len: u64) -> result<u64, stream-error>;
      blocking-splice: func(src: borrow<input-stream>, len: u64) -> result<u64, stream-error>;
    }
  }
}
package wasi:cli@0.2.3 {
  interface stdin { use wasi:io/streams@0.2.3.{input-stream}; get-stdin: func() -> input-stream; }
  interface stdout { use wasi:io/streams@0.2.3.{output-stream}; get-stdout: func() -> output-stream; }
}
`;

const IO = 'wasi:io/streams@0.2.3';
const WAT = `(module
  (import "wasi:cli/stdin@0.2.3" "get-stdin" (func $stdin (result i32)))
  (import "wasi:cli/stdout@0.2.3" "get-stdout" (func $stdout (result i32)))
  (import "${IO}" "[method]input-stream.read" (func $read (param i32 i64 i32)))
  (import "${IO}" "[method]output-stream.write" (func $write (param i32 i32 i32 i32)))
  (import "${IO}" "[method]output-stream.splice" (func $splice (param i32 i32 i64 i32)))
  (import "${IO}" "[method]output-stream.blocking-splice" (func $blocking-splice (param i32 i32 i64 i32)))
  (import "${IO}" "[resource-drop]input-stream" (func $drop-in (param i32)))
  (import "${IO}" "[resource-drop]output-stream" (func $drop-out (param i32)))
  (memory (export "memory") 3)
  ;; What read hands back goes at 64 KiB (one list in flight).
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 65536))
  (func (export "splice") (param $len i32) (param $blocking i32) (result i32)
    (local $in i32) (local $out i32) (local $moved i32)
    (local.set $in (call $stdin))
    (local.set $out (call $stdout))
    (if (local.get $blocking)
      (then (call $blocking-splice (local.get $out) (local.get $in) (i64.extend_i32_u (local.get $len)) (i32.const 16)))
      (else (call $splice (local.get $out) (local.get $in) (i64.extend_i32_u (local.get $len)) (i32.const 16))))
    (local.set $moved
      (if (result i32) (i32.load8_u (i32.const 16))
        (then (i32.const -1))
        (else (i32.wrap_i64 (i64.load (i32.const 24))))))
    (call $drop-in (local.get $in))
    (call $drop-out (local.get $out))
    (local.get $moved))
  (func (export "copy") (param $len i32) (result i32)
    (local $in i32) (local $out i32) (local $moved i32)
    (local.set $in (call $stdin))
    (local.set $out (call $stdout))
    (call $read (local.get $in) (i64.extend_i32_u (local.get $len)) (i32.const 16))
    (local.set $moved (if (result i32) (i32.load8_u (i32.const 16)) (then (i32.const -1)) (else (i32.load (i32.const 24)))))
    (if (i32.ge_s (local.get $moved) (i32.const 0))
      (then
        (call $write (local.get $out) (i32.load (i32.const 20)) (local.get $moved) (i32.const 32))
        (if (i32.load8_u (i32.const 32)) (then (local.set $moved (i32.const -2))))))
    (call $drop-in (local.get $in))
    (call $drop-out (local.get $out))
    (local.get $moved))
)`;

let kernel: Kernel;
let sandbox: Sandbox;
let written = 0;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: tempCacheDir() });
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'splice-write-unpriced'));
  sandbox = await kernel.spawn(module, {
    grants: ['wasi:cli/stdin', 'wasi:cli/stdout'],
    io: {
      stdout: (chunk) => {
        written += chunk.length;
      },
    },
  });
});
afterAll(async () => {
  sandbox.terminate('done');
  await kernel.close();
});

/** Fuel of one call moving `n` bytes of stdin to stdout, checked to have moved them all. */
async function fuel(exported: string, n: number, args: unknown[] = []): Promise<number> {
  const before = written;
  const outcome = await sandbox.invoke(exported, [n, ...args], { stdin: 'x'.repeat(n) });
  expect(outcome.value).toBe(n);
  expect(written - before).toBe(n);
  return outcome.fuel.used;
}

it('prices each byte a splice moves as a read and a write of it', async () => {
  const [small, large] = [1024, 60 * 1024];
  const copied = (await fuel('copy', large)) - (await fuel('copy', small));
  for (const blocking of [false, true]) {
    const spliced = (await fuel('splice', large, [blocking])) - (await fuel('splice', small, [blocking]));
    // Before: 10 fuel a byte against 14 (the source's 2 and stdout's 8, not the 2 + 2 of passing them).
    expect(spliced / (large - small)).toBe(copied / (large - small));
  }
});
