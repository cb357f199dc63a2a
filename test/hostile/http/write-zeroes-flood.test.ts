/**
 * Attack: `output-stream.write-zeroes(1 MiB)` into an outgoing request's body, again and again
 * (a fresh request and body each time, dropped after, never sent). The guest passes a number;
 * the host made a megabyte of zeroes and the body copied it, priced as the guest's call alone
 * (the body took its bytes as "charged where the guest passed them", which write-zeroes never
 * did): 3,862x compute. The same with `write` of a megabyte the guest does pass: 42x (`byte`
 * paid the lifting, nothing the body's copy, charged only if the request was sent). No grant is
 * needed: wasi:http/types links without one. Now write-zeroes charges its bytes as if passed,
 * and the body charges `httpByte` for what it copies and holds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const WIT = `package test:hostile;
world write-zeroes-flood {
  import wasi:http/types@0.2.3;
  /// n times: a request, its body, its stream, write-zeroes(len), all dropped; returns the failures.
  export flood: func(n: u32, len: u64) -> u32;
  /// The same with write of len bytes of the guest's memory (at most 1 MiB).
  export flood-write: func(n: u32, len: u64) -> u32;
}
package wasi:io@0.2.3 {
  interface error { resource error; }
  interface streams {
    use error.{error};
    variant stream-error { last-operation-failed(error), closed }
    resource output-stream {
      write: func(contents: list<u8>) -> result<_, stream-error>;
      write-zeroes: func(len: u64) -> result<_, stream-error>;
    }
  }
}
package wasi:http@0.2.3 { interface types {
  use wasi:io/streams@0.2.3.{output-stream};
  resource fields { constructor(); }
  type headers = fields;
  resource outgoing-request { constructor(headers: headers); body: func() -> result<outgoing-body>; }
  resource outgoing-body { write: func() -> result<output-stream>; }
} }
`;

const HTTP = 'wasi:http/types@0.2.3';
const WAT = `(module
  (import "${HTTP}" "[constructor]fields" (func $fields (result i32)))
  (import "${HTTP}" "[constructor]outgoing-request" (func $request (param i32) (result i32)))
  (import "${HTTP}" "[method]outgoing-request.body" (func $body (param i32 i32)))
  (import "${HTTP}" "[method]outgoing-body.write" (func $write (param i32 i32)))
  (import "${HTTP}" "[resource-drop]outgoing-request" (func $drop-request (param i32)))
  (import "${HTTP}" "[resource-drop]outgoing-body" (func $drop-body (param i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.write-zeroes" (func $zeroes (param i32 i64 i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.write" (func $write-bytes (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.3" "[resource-drop]output-stream" (func $drop-stream (param i32)))
  (memory (export "memory") 17)
  (func (export "flood") (param $n i32) (param $len i64) (result i32)
    (call $flood (local.get $n) (local.get $len) (i32.const 0)))
  (func (export "flood-write") (param $n i32) (param $len i64) (result i32)
    (call $flood (local.get $n) (local.get $len) (i32.const 1)))
  (func $flood (param $n i32) (param $len i64) (param $bytes i32) (result i32)
    (local $i i32) (local $failed i32) (local $req i32) (local $body i32) (local $stream i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $req (call $request (call $fields)))
      (call $body (local.get $req) (i32.const 64))
      (local.set $body (i32.load (i32.const 68)))
      (call $write (local.get $body) (i32.const 64))
      (local.set $stream (i32.load (i32.const 68)))
      (if (local.get $bytes)
        (then (call $write-bytes (local.get $stream) (i32.const 65536) (i32.wrap_i64 (local.get $len)) (i32.const 64)))
        (else (call $zeroes (local.get $stream) (local.get $len) (i32.const 64))))
      (local.set $failed (i32.add (local.get $failed) (i32.load8_u (i32.const 64))))
      (call $drop-stream (local.get $stream))
      (call $drop-body (local.get $body))
      (call $drop-request (local.get $req))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $failed)))`;

let kernel: Kernel;
beforeAll(() => {
  kernel = floodKernel();
});
afterAll(() => kernel.close());

for (const [name, exported] of [
  ['write-zeroes', 'flood'],
  ['write', 'flood-write'],
] as const) {
  it(`${name} flood: a unit of fuel spent on an unsent outgoing body's bytes costs the host at most ${FUEL_BOUND}x compute`, async () => {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'write-zeroes-flood'));
    const sandbox = await kernel.spawn(module, { grants: ['wasi:http/types'] });
    // Every write is taken (1 MiB is the body's cap and the stream's budget): the host does the work.
    expect(sandbox.invokeSync(exported, [4, 1024 * 1024]).value).toBe(0);
    const before = heapUsed();
    const ratio = await fuelRatio(() => sandbox.invokeSync(exported, [20, 1024 * 1024]).fuel.used);
    expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
    expect(heapUsed() - before).toBeLessThan(64 * 1024 * 1024);
    sandbox.terminate('done');
  });
}
