/**
 * The guests of the fuel bench (`bench/fuel/run.ts`), also used by the cheapest-fuel attacks
 * (`test/hostile/.../*-flood.test.ts`): a WASI command that repeats one preview1 call, a
 * component that repeats a resource method or a function with a string, and one that repeats a
 * `keel:kernel` log, ipc send or events publish.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapabilityProvider, Kernel } from '../../host/index.js';
import { componentEmbed, componentNew } from '../../scripts/lib/wasm-tools.js';
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

/**
 * A component importing keel:kernel log, ipc and events: `run(op, n, size, to)` repeats one: a
 * log (0), a send to `to` (1), a publication on `bench.topic` (2) or on the topic `to` (3).
 */
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
      (if (i32.eq (local.get $op) (i32.const 3))
        (then (call $publish (local.get $to) (local.get $toLen) (i32.const 1024) (local.get $size) (i32.const 64))))
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

/**
 * The least a subscriber can be: a component exporting `keel:kernel/handler` whose functions
 * do nothing (its allocator hands out one fixed area, the arguments are never read). What a
 * delivery to it costs is the host's part of a delivery: the envelope, the lowering of its
 * topic, sender and body, the call.
 */
const SUBSCRIBER_WAT = `(module
  (memory (export "memory") 2)
  (func (export "keel:kernel/handler@0.2.0#on-message") (param i32 i32 i32 i32 i64))
  (func (export "keel:kernel/handler@0.2.0#on-reply") (param i64 i32 i32 i32))
  (func (export "keel:kernel/handler@0.2.0#on-event") (param i32 i32 i32 i32 i32 i32))
  (func (export "keel:kernel/handler@0.2.0#on-signal") (param i32))
  (func (export "keel:kernel/handler@0.2.0#handle") (param i32 i32) (result i32)
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (i32.const 0))
    (i32.const 16))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024)))`;

export async function subscriberComponent(): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-fuel-bench-'));
  try {
    for (const file of ['log', 'ipc', 'events', 'self', 'types', 'handler', 'worlds']) {
      writeFileSync(join(dir, `${file}.wit`), readFileSync(repoPath(`wit/keel-kernel/${file}.wit`)));
    }
    writeFileSync(
      join(dir, 'fuel-subscriber.wit'),
      'package keel:kernel@0.2.0;\nworld fuel-subscriber {\n  export handler;\n}\n',
    );
    const embedded = await componentEmbed({
      binary: await wat(SUBSCRIBER_WAT, 'subscriber.wat'),
      witPath: dir,
      world: 'fuel-subscriber',
    });
    return await componentNew(embedded, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A guest making outgoing HTTP requests through `wasi:http` 0.2.3 (stand-ins for the parts it
 * imports: real names and shapes, `error-code` and `stream-error` cut to the cases it meets;
 * Keel links imports by interface name). `get(authority, path, n)` makes `n` GETs one after the
 * other, each taken whole: the future waited for, the response's body read to its end, every
 * handle dropped. Returns the body bytes read.
 */
const HTTP_WIT = `package keel-bench:http;

world fuel-http {
  import wasi:http/outgoing-handler@0.2.3;
  export get: func(authority: string, path: string, n: u32) -> u32;
}

package wasi:io@0.2.3 {
  interface poll {
    resource pollable {
      block: func();
    }
  }
  interface error {
    resource error;
  }
  interface streams {
    use error.{error};
    variant stream-error { last-operation-failed(error), closed }
    resource input-stream {
      blocking-read: func(len: u64) -> result<list<u8>, stream-error>;
    }
  }
}

package wasi:http@0.2.3 {
  interface types {
    use wasi:io/poll@0.2.3.{pollable};
    use wasi:io/streams@0.2.3.{input-stream};
    variant scheme { HTTP, HTTPS, other(string) }
    record DNS-error-payload { rcode: option<string>, info-code: option<u16> }
    record TLS-alert-received-payload { alert-id: option<u8>, alert-message: option<string> }
    record field-size-payload { field-name: option<string>, field-size: option<u32> }
    variant error-code {
      DNS-timeout, DNS-error(DNS-error-payload), destination-not-found, destination-unavailable,
      destination-IP-prohibited, destination-IP-unroutable, connection-refused,
      connection-terminated, connection-timeout, connection-read-timeout,
      connection-write-timeout, connection-limit-reached, TLS-protocol-error,
      TLS-certificate-error, TLS-alert-received(TLS-alert-received-payload), HTTP-request-denied,
      HTTP-request-length-required, HTTP-request-body-size(option<u64>),
      HTTP-request-method-invalid, HTTP-request-URI-invalid, HTTP-request-URI-too-long,
      HTTP-request-header-section-size(option<u32>),
      HTTP-request-header-size(option<field-size-payload>),
      HTTP-request-trailer-section-size(option<u32>), HTTP-request-trailer-size(field-size-payload),
      HTTP-response-incomplete, HTTP-response-header-section-size(option<u32>),
      HTTP-response-header-size(field-size-payload), HTTP-response-body-size(option<u64>),
      HTTP-response-trailer-section-size(option<u32>),
      HTTP-response-trailer-size(field-size-payload), HTTP-response-transfer-coding(option<string>),
      HTTP-response-content-coding(option<string>), HTTP-response-timeout, HTTP-upgrade-failed,
      HTTP-protocol-error, loop-detected, configuration-error, internal-error(option<string>),
    }
    resource fields {
      constructor();
    }
    resource outgoing-request {
      constructor(headers: fields);
      set-scheme: func(scheme: option<scheme>) -> result;
      set-authority: func(authority: option<string>) -> result;
      set-path-with-query: func(path-with-query: option<string>) -> result;
    }
    resource request-options {
      constructor();
    }
    type status-code = u16;
    resource incoming-body {
      %stream: func() -> result<input-stream>;
    }
    resource incoming-response {
      status: func() -> status-code;
      consume: func() -> result<incoming-body>;
    }
    resource future-incoming-response {
      subscribe: func() -> pollable;
      get: func() -> option<result<result<incoming-response, error-code>>>;
    }
  }

  interface outgoing-handler {
    use types.{outgoing-request, request-options, future-incoming-response, error-code};
    handle: func(request: outgoing-request, options: option<request-options>) -> result<future-incoming-response, error-code>;
  }
}
`;

const HTTP_WAT = `(module
  (import "wasi:http/types@0.2.3" "[constructor]fields" (func $fields (result i32)))
  (import "wasi:http/types@0.2.3" "[constructor]outgoing-request" (func $request (param i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]outgoing-request.set-scheme" (func $set-scheme (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]outgoing-request.set-authority" (func $set-authority (param i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]outgoing-request.set-path-with-query" (func $set-path (param i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]future-incoming-response.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]future-incoming-response.get" (func $get (param i32 i32)))
  (import "wasi:http/types@0.2.3" "[method]incoming-response.consume" (func $consume (param i32 i32)))
  (import "wasi:http/types@0.2.3" "[method]incoming-body.stream" (func $stream (param i32 i32)))
  (import "wasi:http/types@0.2.3" "[resource-drop]future-incoming-response" (func $drop-future (param i32)))
  (import "wasi:http/types@0.2.3" "[resource-drop]incoming-response" (func $drop-response (param i32)))
  (import "wasi:http/types@0.2.3" "[resource-drop]incoming-body" (func $drop-body (param i32)))
  (import "wasi:http/outgoing-handler@0.2.3" "handle" (func $handle (param i32 i32 i32 i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop-pollable (param i32)))
  (import "wasi:io/streams@0.2.3" "[method]input-stream.blocking-read" (func $read (param i32 i64 i32)))
  (import "wasi:io/streams@0.2.3" "[resource-drop]input-stream" (func $drop-stream (param i32)))
  (memory (export "memory") 4)
  ;; Arguments and results the host writes go to a bump area from 64 KiB, wrapping round.
  (global $heap (mut i32) (i32.const 65536))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $at i32)
    (local.set $at
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
    (if (i32.gt_u (i32.add (local.get $at) (local.get 3)) (i32.const 262144))
      (then (local.set $at (i32.const 65536))))
    (global.set $heap (i32.add (local.get $at) (local.get 3)))
    (local.get $at))
  (func (export "get") (param $aptr i32) (param $alen i32) (param $pptr i32) (param $plen i32)
    (param $n i32) (result i32)
    (local $i i32) (local $req i32) (local $future i32) (local $pollable i32) (local $response i32)
    (local $body i32) (local $stream i32) (local $bytes i32)
    ;; The arguments were lowered into the bump area, which the bodies read later wrap over:
    ;; keep them at 1024 and 2048 (at most 1 KiB each).
    (memory.copy (i32.const 1024) (local.get $aptr) (local.get $alen))
    (memory.copy (i32.const 2048) (local.get $pptr) (local.get $plen))
    (local.set $aptr (i32.const 1024))
    (local.set $pptr (i32.const 2048))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $req (call $request (call $fields)))
        (drop (call $set-scheme (local.get $req) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
        (drop (call $set-authority (local.get $req) (i32.const 1) (local.get $aptr) (local.get $alen)))
        (drop (call $set-path (local.get $req) (i32.const 1) (local.get $pptr) (local.get $plen)))
        ;; error-code is 32 bytes, aligned to 8 (WASI's, as the host serves it): a result holding
        ;; it has its payload at 8.
        (call $handle (local.get $req) (i32.const 0) (i32.const 0) (i32.const 16))
        (if (i32.load8_u (i32.const 16)) (then unreachable))
        (local.set $future (i32.load (i32.const 24)))
        (local.set $pollable (call $subscribe (local.get $future)))
        (call $block (local.get $pollable))
        (call $drop-pollable (local.get $pollable))
        ;; some(ok(ok(response))): option at 32, outer result at 40, inner at 48, response at 56
        (call $get (local.get $future) (i32.const 32))
        (if (i32.ne (i32.load8_u (i32.const 32)) (i32.const 1)) (then unreachable))
        (if (i32.load8_u (i32.const 40)) (then unreachable))
        (if (i32.load8_u (i32.const 48)) (then unreachable))
        (local.set $response (i32.load (i32.const 56)))
        (call $drop-future (local.get $future))
        (call $consume (local.get $response) (i32.const 96))
        (if (i32.load8_u (i32.const 96)) (then unreachable))
        (local.set $body (i32.load (i32.const 100)))
        (call $stream (local.get $body) (i32.const 104))
        (if (i32.load8_u (i32.const 104)) (then unreachable))
        (local.set $stream (i32.load (i32.const 108)))
        ;; Read to the end: ok(list) at 112 (pointer at 116, length at 120) until err(closed).
        (block $closed
          (loop $read
            (call $read (local.get $stream) (i64.const 65536) (i32.const 112))
            (br_if $closed (i32.load8_u (i32.const 112)))
            (local.set $bytes (i32.add (local.get $bytes) (i32.load (i32.const 120))))
            (br $read)))
        (call $drop-stream (local.get $stream))
        (call $drop-body (local.get $body))
        (call $drop-response (local.get $response))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $bytes)))`;

export async function httpComponent(): Promise<Uint8Array> {
  const embedded = await componentEmbed({
    binary: await wat(HTTP_WAT, 'http.wat'),
    witSource: HTTP_WIT,
    world: 'fuel-http',
  });
  return await componentNew(embedded, []);
}

/**
 * A local HTTP server in a child process (its CPU time is not the host's: the bench times this
 * process): `/bytes?n=N` answers N bytes. Resolves with its port and a way to stop it.
 */
export async function childServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const source = `
    const http = require('node:http');
    const blocks = new Map();
    const server = http.createServer((req, res) => {
      const n = Number(new URL(req.url, 'http://x').searchParams.get('n') ?? 2);
      if (!blocks.has(n)) blocks.set(n, Buffer.alloc(n, 97));
      req.resume();
      req.on('end', () => res.end(blocks.get(n)));
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench's HTTP server exited (${code})`)));
  });
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/**
 * A component that asks `wasi:random` for bytes: `run(op, n, len)` repeats
 * `get-random-bytes` (op 0) or `get-insecure-random-bytes` (op 1) of `len` bytes `n` times. Its
 * memory holds the largest request the kernel's default limits allow (64 MiB): the list and the
 * return area both go to address 0.
 */
const RANDOM_WAT = `(module
  (import "wasi:random/random@0.2.3" "get-random-bytes" (func $secure (param i64 i32)))
  (import "wasi:random/insecure@0.2.3" "get-insecure-random-bytes" (func $insecure (param i64 i32)))
  (memory (export "memory") 1024)
  (func (export "run") (param $op i32) (param $n i32) (param $len i32) (result i32) (local $i i32)
    (loop $l
      (if (local.get $op)
        (then (call $insecure (i64.extend_i32_u (local.get $len)) (i32.const 0)))
        (else (call $secure (i64.extend_i32_u (local.get $len)) (i32.const 0))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.load (i32.const 4)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))`;

export async function randomComponent(): Promise<Uint8Array> {
  const embedded = await componentEmbed({
    binary: await wat(RANDOM_WAT, 'random.wat'),
    witSource: `package keel:fuel-bench;
world fuel-random {
  import wasi:random/random@0.2.3;
  import wasi:random/insecure@0.2.3;
  export run: func(op: u32, n: u32, len: u32) -> u32;
}
package wasi:random@0.2.3 {
  interface random { get-random-bytes: func(len: u64) -> list<u8>; }
  interface insecure { get-insecure-random-bytes: func(len: u64) -> list<u8>; }
}`,
    world: 'fuel-random',
  });
  return await componentNew(embedded, []);
}

/**
 * A WASI command that calls `random_get` of `len` bytes at address 0 `n` times, with a memory
 * that holds the largest request the kernel's default limits allow (64 MiB).
 */
export function randomCommand(n: number, len: number): string {
  return `(module ${PREVIEW1_IMPORTS}
  (memory (export "memory") 1024)
  (func (export "_start") (local $i i32)
    (loop $l
      (drop (call $random_get (i32.const 0) (i32.const ${len})))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${n}))))))`;
}

/**
 * The canonical ABI's priced work (docs/fuel.md's charge table): a component that defines a
 * resource and loops on its built-ins, and one that hands a host provider many values a call.
 * `run(op, n, count)`: resource.new and resource.drop (0), resource.rep (1), a `list<enum>` of
 * `count` (2), a `list<borrow<thing>>` of `count` host resources (3), 56 borrow parameters (4).
 */
export const ABI_PARAMS = 56;

const ABI_IFACE = `interface things {
  enum e { a, b }
  resource thing { constructor(); }
  enums: func(l: list<e>) -> u32;
  borrows: func(l: list<borrow<thing>>) -> u32;
  many: func(${Array.from({ length: ABI_PARAMS }, (_, i) => `a${i}: borrow<thing>`).join(', ')}) -> u32;
}`;

const ABI_WIT = `package keel:fuel-bench;
${ABI_IFACE}
interface defined { resource r { constructor(); } }
world abi {
  import things;
  export defined;
  /// Makes count things (handles kept from 64 KiB on).
  export make: func(count: u32);
  export run: func(op: u32, n: u32, count: u32) -> u32;
}`;

const ABI_WAT = `(module
  (import "keel:fuel-bench/things" "[constructor]thing" (func $thing (result i32)))
  (import "keel:fuel-bench/things" "enums" (func $enums (param i32 i32) (result i32)))
  (import "keel:fuel-bench/things" "borrows" (func $borrows (param i32 i32) (result i32)))
  (import "keel:fuel-bench/things" "many" (func $many (param i32) (result i32)))
  (import "[export]keel:fuel-bench/defined" "[resource-new]r" (func $new (param i32) (result i32)))
  (import "[export]keel:fuel-bench/defined" "[resource-rep]r" (func $rep (param i32) (result i32)))
  (import "[export]keel:fuel-bench/defined" "[resource-drop]r" (func $drop (param i32)))
  (memory (export "memory") 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 196608))
  (func (export "keel:fuel-bench/defined#[constructor]r") (result i32) (call $new (i32.const 7)))
  (func (export "make") (param $count i32) (local $i i32)
    (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $count)))
      (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 2))) (call $thing))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
  (func (export "run") (param $op i32) (param $n i32) (param $count i32) (result i32)
    (local $i i32) (local $h i32) (local $r i32)
    (local.set $h (call $new (i32.const 7)))
    (loop $l
      (if (i32.eqz (local.get $op)) (then (call $drop (call $new (local.get $i)))))
      (if (i32.eq (local.get $op) (i32.const 1)) (then (local.set $r (call $rep (local.get $h)))))
      (if (i32.eq (local.get $op) (i32.const 2))
        (then (local.set $r (call $enums (i32.const 131072) (local.get $count)))))
      (if (i32.eq (local.get $op) (i32.const 3))
        (then (local.set $r (call $borrows (i32.const 65536) (local.get $count)))))
      (if (i32.eq (local.get $op) (i32.const 4)) (then (local.set $r (call $many (i32.const 65536)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (call $drop (local.get $h))
    (local.get $r)))`;

/** The component of the canonical ABI's kinds, and the provider of `keel:fuel-bench/things` it imports. */
export async function abiComponent(): Promise<{ component: Uint8Array; provider: CapabilityProvider }> {
  class Thing {}
  const count = (l: ArrayLike<unknown>) => l.length;
  const types = await componentNew(
    await componentEmbed({
      dummy: true,
      witSource: `package keel:fuel-bench;\n${ABI_IFACE}\nworld w { import things; }`,
      world: 'w',
    }),
    undefined,
  );
  const provider: CapabilityProvider = {
    name: 'fuel-bench-things',
    interfaces: ['keel:fuel-bench/things'],
    wit: types,
    link: () => ({ Thing, enums: count, borrows: count, many: (...ts: unknown[]) => ts.length }),
  };
  const embedded = await componentEmbed({
    binary: await wat(ABI_WAT, 'abi.wat'),
    witSource: ABI_WIT,
    world: 'abi',
  });
  return { component: await componentNew(embedded, undefined), provider };
}
