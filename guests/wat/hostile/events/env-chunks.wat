;; A preview1 command that prints its environment ("NAME=value" lines) to stdout in writes of
;; `c` bytes, where `c` is its first argument (a decimal number; 1 when absent): with c = 1
;; every byte is its own write, and each c splits a value at its own offsets. With a second
;; argument "stderr" it writes to stderr instead.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (local $argc i32) (local $chunk i32) (local $p i32) (local $fd i32)
    (local $size i32) (local $at i32) (local $n i32)
    ;; arguments: pointers at 256, strings at 512
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (local.set $argc (i32.load (i32.const 0)))
    (drop (call $args_get (i32.const 256) (i32.const 512)))
    (local.set $chunk (i32.const 0))
    (local.set $fd (i32.const 1))
    (if (i32.ge_u (local.get $argc) (i32.const 2))
      (then
        (local.set $p (i32.load (i32.const 260)))
        (block $end
          (loop $digit
            (br_if $end (i32.gt_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)) (i32.const 9)))
            (local.set $chunk
              (i32.add (i32.mul (local.get $chunk) (i32.const 10))
                (i32.sub (i32.load8_u (local.get $p)) (i32.const 48))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $digit)))))
    (if (i32.ge_u (local.get $argc) (i32.const 3)) (then (local.set $fd (i32.const 2))))
    (if (i32.eqz (local.get $chunk)) (then (local.set $chunk (i32.const 1))))
    ;; environment: pointers at 1024, strings from 4096; NULs become newlines
    (drop (call $env_sizes (i32.const 0) (i32.const 4)))
    (local.set $size (i32.load (i32.const 4)))
    (drop (call $env_get (i32.const 1024) (i32.const 4096)))
    (local.set $at (i32.const 0))
    (block $done
      (loop $nul
        (br_if $done (i32.ge_u (local.get $at) (local.get $size)))
        (if (i32.eqz (i32.load8_u (i32.add (i32.const 4096) (local.get $at))))
          (then (i32.store8 (i32.add (i32.const 4096) (local.get $at)) (i32.const 10))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $nul)))
    (local.set $at (i32.const 0))
    (block $written
      (loop $write
        (br_if $written (i32.ge_u (local.get $at) (local.get $size)))
        (local.set $n (i32.sub (local.get $size) (local.get $at)))
        (if (i32.gt_u (local.get $n) (local.get $chunk)) (then (local.set $n (local.get $chunk))))
        (i32.store (i32.const 16) (i32.add (i32.const 4096) (local.get $at)))
        (i32.store (i32.const 20) (local.get $n))
        (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 32)))
        (local.set $at (i32.add (local.get $at) (local.get $n)))
        (br $write)))))
