;; A WASI preview1 command: writes "hello\n" to stdout with fd_write and returns from _start.
;; It runs against Keel's own preview1 imports; fd 1 exists when wasi:cli/stdout is granted
;; (without it fd_write answers EBADF and the guest traps on purpose).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param $fd i32) (param $iovs i32) (param $iovs_len i32) (param $nwritten i32) (result i32)))
  (memory (export "memory") 1)
  ;; bytes 0..5: the text; 16..23: one iovec { buf = 0, len = 6 }; 24..27: bytes written
  (data (i32.const 0) "hello\n")
  (data (i32.const 16) "\00\00\00\00\06\00\00\00")
  (func (export "_start")
    (if (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))
      (then unreachable))))
