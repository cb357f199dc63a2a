;; Attacks on asynchronous host functions through wasi:http and wasi:io/poll (worker placement,
;; where the kernel serves them on its event loop):
;; - flood: send `n` requests to `authority` `path` (plain http), keep every future, then either
;;   spin for ever (`spin` not 0) or block on each in turn and take its response. Returns how
;;   many answered 200.
;; - poll-flood: make `far` pollables due in an hour, then `rounds` times poll them together
;;   with a fresh one due in 1 ms. Returns the rounds done.
(module
  (import "wasi:http/types@0.2.3" "[constructor]fields" (func $fields (result i32)))
  (import "wasi:http/types@0.2.3" "[constructor]outgoing-request" (func $request (param i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]outgoing-request.set-scheme" (func $set-scheme (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]outgoing-request.set-authority" (func $set-authority (param i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]outgoing-request.set-path-with-query" (func $set-path (param i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]future-incoming-response.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:http/types@0.2.3" "[method]future-incoming-response.get" (func $get (param i32 i32)))
  (import "wasi:http/types@0.2.3" "[method]incoming-response.status" (func $status (param i32) (result i32)))
  (import "wasi:http/outgoing-handler@0.2.3" "handle" (func $handle (param i32 i32 i32 i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop-pollable (param i32)))
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $after (param i64) (result i32)))
  (memory (export "memory") 4)
  ;; Arguments and results the host writes go to a bump area from 64 KiB, reset after each call.
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

  (func (export "flood") (param $aptr i32) (param $alen i32) (param $pptr i32) (param $plen i32)
    (param $n i32) (param $spin i32) (result i32)
    (local $i i32) (local $req i32) (local $made i32) (local $future i32) (local $ok i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $req (call $request (call $fields)))
        ;; some(HTTP)
        (drop (call $set-scheme (local.get $req) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
        (drop (call $set-authority (local.get $req) (i32.const 1) (local.get $aptr) (local.get $alen)))
        (drop (call $set-path (local.get $req) (i32.const 1) (local.get $pptr) (local.get $plen)))
        (call $handle (local.get $req) (i32.const 0) (i32.const 0) (i32.const 16))
        ;; ok(future) (its payload at 24: WASI's error-code is aligned to 8): keep it at 8192 + 4 * made
        (if (i32.eqz (i32.load8_u (i32.const 16)))
          (then
            (i32.store
              (i32.add (i32.const 8192) (i32.shl (local.get $made) (i32.const 2)))
              (i32.load (i32.const 24)))
            (local.set $made (i32.add (local.get $made) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (local.get $spin) (then (loop $forever (br $forever))))
    (local.set $i (i32.const 0))
    (block $waited
      (loop $wait
        (br_if $waited (i32.ge_u (local.get $i) (local.get $made)))
        (local.set $future (i32.load (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 2)))))
        (call $block (call $subscribe (local.get $future)))
        ;; some(ok(ok(response))) with status 200: option at 32, outer result at 40, inner at 48,
        ;; the response at 56 (each payload aligned to 8, as WASI's error-code is)
        (call $get (local.get $future) (i32.const 32))
        (if (i32.and
              (i32.eq (i32.load8_u (i32.const 32)) (i32.const 1))
              (i32.and (i32.eqz (i32.load8_u (i32.const 40))) (i32.eqz (i32.load8_u (i32.const 48)))))
          (then
            (if (i32.eq (call $status (i32.load (i32.const 56))) (i32.const 200))
              (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $wait)))
    (global.set $heap (i32.const 65536))
    (local.get $ok))

  (func (export "poll-flood") (param $rounds i32) (param $far i32) (result i32)
    (local $i i32)
    ;; The far pollables at 4100 + 4 * i, the near one of each round at 4096.
    (block $made
      (loop $make
        (br_if $made (i32.ge_u (local.get $i) (local.get $far)))
        (i32.store
          (i32.add (i32.const 4100) (i32.shl (local.get $i) (i32.const 2)))
          (call $after (i64.const 3600000000000)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $make)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $round
        (br_if $done (i32.ge_u (local.get $i) (local.get $rounds)))
        (i32.store (i32.const 4096) (call $after (i64.const 1000000)))
        (call $poll (i32.const 4096) (i32.add (local.get $far) (i32.const 1)) (i32.const 32))
        (call $drop-pollable (i32.load (i32.const 4096)))
        (global.set $heap (i32.const 65536))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $round)))
    (local.get $i)))
