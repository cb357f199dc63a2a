;; Attack: make the host decode, copy or answer more than it charges for: huge strings and
;; byte lists in one call, lengths and pointers past its memory, floods of calls to a
;; resource's methods.
(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (import "wasi:cli/stdout@0.2.3" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.write" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (memory (export "memory") 1)

  ;; Memory for `len` bytes from address 1024, filled with 'a'.
  (func $room (param $len i32)
    (local $need i32)
    (local.set $need
      (i32.sub
        (i32.shr_u (i32.add (i32.add (local.get $len) (i32.const 1024)) (i32.const 65535)) (i32.const 16))
        (memory.size)))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then (if (i32.lt_s (memory.grow (local.get $need)) (i32.const 0)) (then unreachable))))
    (memory.fill (i32.const 1024) (i32.const 97) (local.get $len)))

  (func (export "log-big") (param $len i32)
    (call $room (local.get $len))
    (call $log (i32.const 2) (i32.const 1024) (local.get $len)))

  (func (export "write-big") (param $len i32)
    (call $room (local.get $len))
    (call $write (call $get-stdout) (i32.const 1024) (local.get $len) (i32.const 32)))

  ;; A log message and a write of stdout at any pointer and length the test names.
  (func (export "log-at") (param $ptr i32) (param $len i32)
    (call $log (i32.const 2) (local.get $ptr) (local.get $len)))

  (func (export "write-at") (param $ptr i32) (param $len i32)
    (call $write (call $get-stdout) (local.get $ptr) (local.get $len) (i32.const 32)))

  (func (export "ready-many") (param $n i32) (result i32)
    (local $i i32) (local $p i32) (local $ready i32)
    (local.set $p (call $subscribe (call $get-stdout)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $ready (i32.add (local.get $ready) (call $ready (local.get $p))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $ready))
)
